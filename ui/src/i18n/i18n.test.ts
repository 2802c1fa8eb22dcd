import { FluentResource } from '@fluent/bundle';
import { afterEach, describe, expect, it } from 'vitest';
import en from './en.ftl?raw';
import ms from './ms.ftl?raw';
import { clockTime, fileSize, listOf, pickLocale, setLocale, shortTime, t } from './index.svelte';

function messageIds(source: string): string[] {
  const resource = new FluentResource(source);
  return resource.body.map((message) => message.id).sort();
}

// Every `t('id'` in the .ts and .svelte sources under ui/src (tests excluded).
function usedIds(): Set<string> {
  const sources = import.meta.glob<string>(['../**/*.ts', '../**/*.svelte', '!../**/*.test.ts'], {
    query: '?raw',
    import: 'default',
    eager: true,
  });
  expect(Object.keys(sources)).toContain('../App.svelte');
  const used = new Set<string>();
  for (const source of Object.values(sources)) {
    for (const match of source.matchAll(/\bt\(\s*['"`]([^'"`]+)['"`]/g)) used.add(match[1]);
  }
  return used;
}

describe('messages', () => {
  afterEach(() => setLocale('en'));

  it('parse without errors and have no duplicate ids', () => {
    for (const source of [en, ms]) {
      const ids = messageIds(source);
      expect(ids.length).toBeGreaterThan(50);
      expect(new Set(ids).size).toBe(ids.length);
      // FluentResource skips what it cannot parse as Junk, which has no id.
      expect(new FluentResource(source).body.every((entry) => typeof entry.id === 'string')).toBe(true);
    }
  });

  it('en and ms have exactly the same ids', () => {
    expect(messageIds(ms)).toEqual(messageIds(en));
  });

  it('every id used in the code exists in en.ftl', () => {
    const defined = new Set(messageIds(en));
    const used = usedIds();
    expect(used.size).toBeGreaterThan(50);
    expect([...used].filter((id) => !defined.has(id))).toEqual([]);
  });

  it('formats in the chosen locale, with arguments', () => {
    expect(t('view-unread')).toBe('Unread');
    expect(t('sample-opened', { imported: 26 })).toBe('26 messages imported from the sample mailbox.');
    expect(t('sample-opened', { imported: 1 })).toBe('One message imported from the sample mailbox.');
    setLocale('ms');
    expect(t('view-unread')).toBe('Belum dibaca');
    expect(t('sample-opened', { imported: 26 })).toBe('26 mesej diimport daripada peti mel contoh.');
    expect(t('sample-opened', { imported: 0 })).toBe('Peti mel contoh sudah dibuka.');
  });

  it('counts pending changes and failed attempts in both languages', () => {
    expect(t('pending-count', { count: 1 })).toBe('One change waiting for the server');
    expect(t('pending-count', { count: 3 })).toBe('3 changes waiting for the server');
    expect(t('op-attempts', { attempts: 0 })).toBe('not tried yet');
    expect(t('action-tooltip', { label: t('action-archive'), key: 'e' })).toBe('Archive (e)');
    setLocale('ms');
    expect(t('pending-count', { count: 1 })).toBe('Satu perubahan menunggu pelayan');
    expect(t('pending-count', { count: 3 })).toBe('3 perubahan menunggu pelayan');
    expect(t('op-attempts', { attempts: 8 })).toBe('8 percubaan gagal');
    expect(t('action-tooltip', { label: t('action-archive'), key: 'e' })).toBe('Arkib (e)');
  });

  it('words the sync status in both languages', () => {
    const ids = new Set(messageIds(en));
    for (const id of ['account-status-idle', 'account-status-poll', 'sync-progress', 'offline-account', 'offline-kept']) {
      expect(ids.has(id)).toBe(true);
    }
    expect(new Set(messageIds(ms))).toEqual(ids);
    expect(t('sync-progress', { folder: 'INBOX', done: 400, total: 10_000 })).toBe('Syncing INBOX — 400 of 10,000');
    expect(t('sync-progress-more', { count: 1 })).toBe('and one more account');
    expect(t('offline-account', { account: 'Work', error: 'No route' })).toBe('Offline: Work — No route.');
    expect(t('sync-retry-at', { time: clockTime(new Date(2026, 5, 10, 14, 5).toISOString()) })).toBe('Retrying at 14:05.');
    expect(listOf(['Home', 'Work'])).toBe('Home and Work');
    setLocale('ms');
    expect(t('sync-progress', { folder: 'INBOX', done: 400, total: 10_000 })).toBe(
      'Menyegerakkan INBOX — 400 daripada 10,000',
    );
    expect(t('sync-progress-more', { count: 1 })).toBe('dan satu akaun lagi');
    expect(t('sync-progress-more', { count: 2 })).toBe('dan 2 akaun lagi');
    expect(t('account-status-offline')).toBe('Luar talian');
    expect(t('sync-retry-at', { time: clockTime(new Date(2026, 5, 10, 9, 30).toISOString()) })).toBe('Cuba lagi pada 09:30.');
    expect(listOf(['Home', 'Work'])).toBe('Home dan Work');
  });

  it('picks Malay for ms*, English otherwise', () => {
    expect(pickLocale('ms')).toBe('ms');
    expect(pickLocale('ms-MY')).toBe('ms');
    expect(pickLocale('en-GB')).toBe('en');
    expect(pickLocale('id')).toBe('en');
    expect(pickLocale(undefined)).toBe('en');
  });
});

describe('dates and sizes', () => {
  afterEach(() => setLocale('en'));
  const now = Date.parse('2026-06-10T12:00:00Z');

  it('says how long ago, in the locale', () => {
    expect(shortTime('2026-06-10T11:59:40Z', now)).toBe('just now');
    expect(shortTime('2026-06-10T11:55:00Z', now)).toBe('5 minutes ago');
    setLocale('ms');
    expect(shortTime('2026-06-10T11:59:40Z', now)).toBe('sebentar tadi');
    expect(shortTime('2026-06-10T11:55:00Z', now)).toMatch(/5 minit/);
  });

  it('shows older times as dates', () => {
    expect(shortTime('2025-03-01T12:00:00Z', now)).toMatch(/2025/);
  });

  it('formats file sizes', () => {
    expect(fileSize(512)).toBe('512 byte');
    expect(fileSize(482_113)).toBe('482.1 kB');
  });
});
