import { cleanup, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import App from '../App.svelte';
import type { Account, LiveStatus } from '../backend';
import { createFakeBackend } from '../test/fake-backend';
import { setLocale } from '../i18n/index.svelte';
import Sidebar from './Sidebar.svelte';

afterEach(() => {
  cleanup();
  setLocale('en');
});

function status(account: number, state: LiveStatus['state'], rest: Partial<LiveStatus> = {}): LiveStatus {
  return { account, state, mode: '', error: null, error_code: null, retry_at: null, progress: null, ...rest };
}

/** 14:05 today in the computer's time zone, as the core sends it (UTC). */
const at1405 = (() => {
  const date = new Date();
  date.setHours(14, 5, 0, 0);
  return date.toISOString();
})();

const ERROR = 'Cannot reach imap.example.com:993: the network is unreachable.';

function account(id: number, name: string, kind: Account['kind'] = 'imap'): Account {
  return { id, name, email: `${name.toLowerCase()}@example.com`, kind, imap: '', smtp: '', security: 'tls', smtp_security: 'tls', username: '', notify: true, in_timeline: true, url: '', auth: 'password', sign_in_again: false };
}

const text = (element: Element | null) => element?.textContent?.replace(/\s+/g, ' ').trim() ?? null;

describe('account states in the sidebar', () => {
  const accounts = [account(1, 'Home'), account(2, 'Work'), account(3, 'Club'), account(4, 'Old'), account(5, 'Sample', 'local')];

  it('labels each account with a state, and explains it in the tooltip and for screen readers', () => {
    render(Sidebar, {
      view: { type: 'all' },
      accounts,
      onview: () => {},
      onaddaccount: () => {},
      statuses: {
        1: status(1, 'connected', { mode: 'idle' }),
        2: status(2, 'connected', { mode: 'poll' }),
        3: status(3, 'syncing', { progress: { account: 3, folder: 'INBOX', done: 400, total: 10_000 } }),
        4: status(4, 'offline', { error: ERROR, retry_at: at1405 }),
      },
    });
    const states = screen.getAllByTestId('account-status');
    // The local account has none.
    expect(states).toHaveLength(4);
    const labels = states.map((s) => text(s.querySelector('.state-label')));
    expect(labels).toEqual(['Connected · push', 'Connected · checks every minute', 'Syncing…', 'Offline']);
    expect(states.map((s) => [...s.classList].filter((c) => c !== 'account-status' && !c.startsWith('svelte-')))).toEqual([
      ['idle'],
      ['poll'],
      ['syncing'],
      ['offline'],
    ]);

    const offline = states[3];
    const detail = `${ERROR} Retrying at 14:05.`;
    expect(offline.title).toBe(detail);
    expect(text(offline.querySelector('.visually-hidden'))).toBe(detail);
    expect(offline.querySelector('.state-dot')?.getAttribute('aria-hidden')).toBe('true');
    expect(states[2].title).toBe('Fetching INBOX: 400 of 10,000.');
    expect(states[0].title).toContain('(push)');
    expect(states[1].title).toContain('every minute');
  });

  it('speaks Malay', () => {
    setLocale('ms');
    render(Sidebar, {
      view: { type: 'all' },
      accounts,
      onview: () => {},
      onaddaccount: () => {},
      statuses: { 4: status(4, 'offline', { error: null, retry_at: at1405 }), 1: status(1, 'connecting') },
    });
    const states = screen.getAllByTestId('account-status');
    expect(states.map((s) => text(s.querySelector('.state-label')))).toEqual(['Menyambung…', 'Luar talian']);
    expect(states[1].title).toBe('Pelayan tidak dapat dihubungi. Cuba lagi pada 14:05.');
  });
});

describe('sync status in the window', () => {
  it('shows the progress bar while an account syncs with progress, and hides it afterwards', async () => {
    const fake = createFakeBackend();
    render(App, { backend: fake });
    await screen.findAllByTestId('timeline-item');
    expect(screen.queryByTestId('sync-progress')).toBeNull();

    fake.emitStatus(status(1, 'connecting'));
    fake.emitStatus(status(1, 'syncing'));
    await waitFor(() => expect(text(screen.getByTestId('account-status'))).toContain('Syncing…'));
    // No progress yet: no bar.
    expect(screen.queryByTestId('sync-progress')).toBeNull();

    fake.emitStatus(status(1, 'syncing', { progress: { account: 1, folder: 'INBOX', done: 400, total: 10_000 } }));
    const bar = await screen.findByRole('progressbar');
    expect(text(screen.getByTestId('sync-progress-text'))).toBe('Syncing INBOX — 400 of 10,000');
    expect(bar.getAttribute('aria-valuenow')).toBe('4');
    expect(bar.getAttribute('aria-valuetext')).toBe('Syncing INBOX — 400 of 10,000');
    expect(bar.getAttribute('aria-label')).toBe('Sync progress');
    // Not a live region: the steps are not read out.
    expect(screen.getByTestId('sync-progress').closest('[aria-live], [role="status"]')).toBeNull();

    fake.emitStatus(status(1, 'syncing', { progress: { account: 1, folder: 'INBOX', done: 5_000, total: 10_000 } }));
    await waitFor(() => expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('50'));

    fake.emitStatus(status(1, 'connected', { mode: 'idle' }));
    await waitFor(() => expect(screen.queryByTestId('sync-progress')).toBeNull());
    expect(text(screen.getByTestId('account-status'))).toContain('Connected · push');
  });

  it('shows an offline banner until the account connects again', async () => {
    const fake = createFakeBackend();
    render(App, { backend: fake });
    await screen.findAllByTestId('timeline-item');
    expect(screen.queryByTestId('offline-banner')).toBeNull();
    expect(text(screen.getByTestId('offline-announcement'))).toBe('');

    fake.emitStatus(status(1, 'offline', { error: ERROR, retry_at: at1405 }));
    const banner = await screen.findByTestId('offline-banner');
    expect(text(banner)).toBe(
      'Offline: Aisha Rahman — Cannot reach imap.example.com:993: the network is unreachable. ' +
        'Retrying at 14:05. Your changes are kept and will be sent.',
    );
    // Screen readers get the short version, not every retry time.
    const announcement = screen.getByTestId('offline-announcement');
    expect(announcement.getAttribute('role')).toBe('status');
    expect(text(announcement)).toBe('Offline: Aisha Rahman. Your changes are kept and will be sent.');
    expect(banner.closest('[aria-live], [role="status"]')).toBeNull();
    expect(text(screen.getByTestId('account-status'))).toContain('Offline');

    // Trying again: the banner stays, without a retry time.
    fake.emitStatus(status(1, 'connecting'));
    await waitFor(() => expect(text(banner)).toContain('Trying to connect again…'));
    expect(text(banner)).not.toContain('Retrying');
    expect(text(announcement)).toBe('Offline: Aisha Rahman. Your changes are kept and will be sent.');

    fake.emitStatus(status(1, 'syncing'));
    await waitFor(() => expect(screen.queryByTestId('offline-banner')).toBeNull());
    expect(text(announcement)).toBe('Connected again.');
  });

  it('words the banner in Malay, an error without a full stop, and no error at all', async () => {
    setLocale('ms');
    const fake = createFakeBackend();
    render(App, { backend: fake });
    await screen.findAllByTestId('timeline-item');
    fake.emitStatus(status(1, 'offline', { error: 'Connection refused', retry_at: at1405 }));
    const banner = await screen.findByTestId('offline-banner');
    expect(text(banner)).toBe(
      'Luar talian: Aisha Rahman — Connection refused. Cuba lagi pada 14:05. ' +
        'Perubahan anda disimpan dan akan dihantar kemudian.',
    );
    setLocale('en');
    fake.emitStatus(status(1, 'offline', { error: null, retry_at: null }));
    await waitFor(() => expect(text(banner)).toBe('Offline: Aisha Rahman. Your changes are kept and will be sent.'));
  });

  it("follows the fake's live sync: progress, then offline when the network goes", async () => {
    const fake = createFakeBackend({ live: true });
    render(App, { backend: fake });
    const bar = await screen.findByRole('progressbar', {}, { timeout: 3000 });
    expect(text(screen.getByTestId('sync-progress-text'))).toMatch(/^Syncing INBOX — [\d,]+ of 10,000$/);
    expect(text(screen.getByTestId('account-status'))).toContain('Syncing…');
    expect(bar).toBeTruthy();
    fake.setOffline(true);
    const banner = await screen.findByTestId('offline-banner');
    expect(text(banner)).toMatch(/^Offline: Aisha Rahman — Cannot reach imap\.example\.com:993: the network is unreachable\. Retrying at \d\d:\d\d\./);
    expect(screen.queryByTestId('sync-progress')).toBeNull();
  });
});
