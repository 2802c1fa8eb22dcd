// What the window says about the accounts' live sync: sidebar labels, the progress line and the
// offline banner.
import type { LiveStatus } from '../backend';
import { clockTime, t } from '../i18n/index.svelte';
import type { OfflineAccount, SyncSummary } from './sync-status.svelte';

/**
 * An account's state as the sidebar tells it apart (connected splits into push, polling and a
 * Matrix account's long poll).
 */
export type StateKind = 'connecting' | 'syncing' | 'idle' | 'poll' | 'longpoll' | 'offline' | 'stopped';

export function stateKind(status: LiveStatus): StateKind {
  if (status.state === 'connected') return status.mode === 'poll' ? 'poll' : status.mode === 'longpoll' ? 'longpoll' : 'idle';
  return status.state;
}

/** The short label beside an account. */
export function stateLabel(status: LiveStatus): string {
  switch (stateKind(status)) {
    case 'connecting':
      return t('account-status-connecting');
    case 'syncing':
      return t('account-status-syncing');
    case 'idle':
      return t('account-status-idle');
    case 'poll':
      return t('account-status-poll');
    case 'longpoll':
      return t('account-status-longpoll');
    case 'offline':
      return t('account-status-offline');
    case 'stopped':
      return t('account-status-stopped');
  }
}

/** The longer explanation (tooltip and screen readers): progress, or why offline and until when. */
export function stateDetail(status: LiveStatus): string {
  switch (stateKind(status)) {
    case 'connecting':
      return t('account-status-connecting-detail');
    case 'syncing': {
      const p = status.progress;
      return p && p.total > 0
        ? t('account-status-syncing-progress', { folder: p.folder, done: p.done, total: p.total })
        : t('account-status-syncing-detail');
    }
    case 'idle':
      return t('account-status-idle-detail');
    case 'poll':
      return t('account-status-poll-detail');
    case 'longpoll':
      return t('account-status-longpoll-detail');
    case 'offline':
      return sentences(
        status.error?.trim() || t('account-status-offline-detail'),
        status.retry_at ? t('sync-retry-at', { time: clockTime(status.retry_at) }) : '',
      );
    case 'stopped':
      return t('account-status-stopped-detail');
  }
}

/** "Offline: Work — Cannot reach imap.example.com:993. Retrying at 14:05." */
export function offlineText(offline: OfflineAccount, accountName: string): string {
  // The core's sentence may or may not end with a full stop; the message adds one.
  const error = offline.error?.trim().replace(/\.+$/, '');
  return sentences(
    error ? t('offline-account', { account: accountName, error }) : t('offline-account-no-error', { account: accountName }),
    offline.reconnecting
      ? t('sync-reconnecting')
      : offline.retryAt
        ? t('sync-retry-at', { time: clockTime(offline.retryAt) })
        : '',
  );
}

/** "Syncing INBOX — 400 of 10,000" (and how many more accounts are syncing). */
export function progressText(summary: SyncSummary): string {
  const { folder, done, total } = summary.first;
  const text = t('sync-progress', { folder, done: Math.min(done, total), total });
  return summary.others > 0 ? `${text}, ${t('sync-progress-more', { count: summary.others })}` : text;
}

function sentences(...parts: string[]): string {
  return parts.filter(Boolean).join(' ');
}
