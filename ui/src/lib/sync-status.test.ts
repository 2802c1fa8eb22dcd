import { describe, expect, it } from 'vitest';
import type { LiveStatus, SyncProgress } from '../backend';
import { createFakeBackend } from '../test/fake-backend';
import { SyncStatus } from './sync-status.svelte';
import { offlineText, progressText, stateDetail, stateKind, stateLabel } from './sync-text';

function status(account: number, state: LiveStatus['state'], rest: Partial<LiveStatus> = {}): LiveStatus {
  return { account, state, mode: '', error: null, error_code: null, retry_at: null, progress: null, ...rest };
}

function syncing(account: number, folder: string, done: number, total: number): LiveStatus {
  const progress: SyncProgress = { account, folder, done, total };
  return status(account, 'syncing', { progress });
}

const offline = (account: number, retry_at = '2026-06-10T14:05:00Z') =>
  status(account, 'offline', { error: 'Cannot reach imap.example.com:993: the network is unreachable.', retry_at });

describe('SyncStatus', () => {
  it("replaces an account's status by the next one", () => {
    const sync = new SyncStatus();
    expect(sync.of(1)).toBeUndefined();
    sync.update(status(1, 'connecting'));
    sync.update(status(2, 'connected', { mode: 'poll' }));
    sync.update(status(1, 'connected', { mode: 'idle' }));
    expect(sync.of(1)).toMatchObject({ state: 'connected', mode: 'idle' });
    expect(sync.of(2)).toMatchObject({ state: 'connected', mode: 'poll' });
    expect(Object.keys(sync.byAccount)).toEqual(['1', '2']);
  });

  it('is offline while any account is, through its reconnection attempts, until it connects', () => {
    const sync = new SyncStatus();
    sync.update(status(1, 'connected', { mode: 'idle' }));
    sync.update(status(2, 'connected', { mode: 'idle' }));
    expect(sync.anyOffline).toBe(false);
    expect(sync.offline).toEqual([]);

    sync.update(offline(2));
    expect(sync.anyOffline).toBe(true);
    expect(sync.offline).toEqual([
      {
        account: 2,
        error: 'Cannot reach imap.example.com:993: the network is unreachable.',
        retryAt: '2026-06-10T14:05:00Z',
        reconnecting: false,
      },
    ]);
    // Trying again: still offline, no retry time.
    sync.update(status(2, 'connecting'));
    expect(sync.offline).toMatchObject([{ account: 2, retryAt: null, reconnecting: true }]);
    expect(sync.of(2)?.state).toBe('connecting');
    sync.update(offline(2, '2026-06-10T14:07:00Z'));
    expect(sync.offline).toMatchObject([{ account: 2, retryAt: '2026-06-10T14:07:00Z', reconnecting: false }]);

    sync.update(offline(1));
    expect(sync.offline.map((o) => o.account)).toEqual([1, 2]);
    sync.update(status(2, 'connecting'));
    sync.update(status(2, 'syncing'));
    expect(sync.offline.map((o) => o.account)).toEqual([1]);
    sync.update(status(1, 'stopped'));
    expect(sync.anyOffline).toBe(false);
    // A first connection is not "offline".
    sync.update(status(3, 'connecting'));
    expect(sync.anyOffline).toBe(false);
  });

  it('sums the progress of the accounts syncing', () => {
    const sync = new SyncStatus();
    expect(sync.syncing).toBeNull();
    sync.update(status(1, 'syncing'));
    expect(sync.syncing).toBeNull();
    sync.update(syncing(1, 'INBOX', 400, 10_000));
    expect(sync.syncing).toEqual({ fraction: 0.04, first: { account: 1, folder: 'INBOX', done: 400, total: 10_000 }, others: 0 });
    sync.update(syncing(2, 'Archive', 1_000, 2_000));
    expect(sync.syncing?.fraction).toBeCloseTo(1_400 / 12_000);
    expect(sync.syncing?.first.account).toBe(1);
    expect(sync.syncing?.others).toBe(1);
    // Empty folders count for nothing; done never beyond total.
    sync.update(syncing(3, 'Empty', 0, 0));
    expect(sync.syncing?.others).toBe(1);
    sync.update(syncing(2, 'Archive', 2_500, 2_000));
    expect(sync.syncing?.fraction).toBeCloseTo(2_400 / 12_000);
    sync.update(status(1, 'connected', { mode: 'idle' }));
    expect(sync.syncing).toMatchObject({ fraction: 1, first: { account: 2 }, others: 0 });
    sync.update(status(2, 'offline'));
    expect(sync.syncing).toBeNull();
  });

  it("follows the backend's events until stopped", () => {
    const fake = createFakeBackend();
    const sync = new SyncStatus();
    const stop = sync.follow(fake, () => {});
    fake.emitStatus(offline(1));
    expect(sync.anyOffline).toBe(true);
    stop();
    fake.emitStatus(status(1, 'connected', { mode: 'idle' }));
    expect(sync.anyOffline).toBe(true);
  });

  it('starts from the statuses sent before it subscribed; a newer event wins', async () => {
    const fake = createFakeBackend();
    fake.emitStatus(offline(1));
    fake.emitStatus(syncing(2, 'INBOX', 1, 10));
    const sync = new SyncStatus();
    sync.follow(fake, () => {});
    fake.emitStatus(status(2, 'connected', { mode: 'idle' }));
    await Promise.resolve();
    await Promise.resolve();
    expect(sync.anyOffline).toBe(true);
    expect(sync.syncing).toBeNull();
  });
});

describe('sync texts', () => {
  it('names the first account syncing, and how many more', () => {
    const sync = new SyncStatus();
    sync.update(syncing(2, 'Archive', 10, 20));
    sync.update(syncing(1, 'INBOX', 400, 10_000));
    expect(progressText(sync.syncing!)).toBe('Syncing INBOX — 400 of 10,000, and one more account');
    sync.update(syncing(3, 'Sent', 1, 2));
    expect(progressText(sync.syncing!)).toBe('Syncing INBOX — 400 of 10,000, and 2 more accounts');
  });

  it('labels states and explains offline without an error or retry time', () => {
    expect(stateLabel(status(1, 'stopped'))).toBe('Stopped');
    // A Matrix account's /sync waits for news: live, like push.
    expect(stateLabel(status(1, 'connected', { mode: 'longpoll' }))).toBe('Connected · live');
    expect(stateKind(status(1, 'connected', { mode: 'longpoll' }))).toBe('longpoll');
    expect(stateDetail(status(1, 'connected', { mode: 'longpoll' }))).toBe('New messages appear as soon as the homeserver has them.');
    expect(stateDetail(status(1, 'offline'))).toBe('The server cannot be reached.');
    expect(stateDetail(status(1, 'syncing'))).toBe('Fetching new mail from the server.');
    expect(offlineText({ account: 1, error: '  Timed out...  ', retryAt: null, reconnecting: false }, 'Work')).toBe(
      'Offline: Work — Timed out.',
    );
  });
});
