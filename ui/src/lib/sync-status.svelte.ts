// The accounts' live sync status (the core's `satu://status` events): the latest status of each
// account, whether any is offline, and how far the accounts being synced are.
import type { ApiError, Backend, LiveStatus, SyncProgress } from '../backend';

/** An account that cannot reach its server. */
export interface OfflineAccount {
  account: number;
  /** Why (a sentence from the core, English), if it said. */
  error: string | null;
  /** RFC 3339 UTC of the next attempt; null while `reconnecting`. */
  retryAt: string | null;
  /** Trying again right now (connecting after being offline). */
  reconnecting: boolean;
}

/** The accounts being synced, with progress. */
export interface SyncSummary {
  /** Done over total across them, 0 to 1. */
  fraction: number;
  /** The first of them (by account id): what the progress line names. */
  first: SyncProgress;
  /** How many more accounts are syncing with progress. */
  others: number;
}

export class SyncStatus {
  /** Each account's latest status (a status replaces the one before). */
  byAccount = $state.raw<Record<number, LiveStatus>>({});
  /**
   * The last `offline` status of each account still offline: kept while it merely tries again
   * (`connecting`), so the window doesn't blink at each attempt; dropped once it syncs, connects or
   * stops.
   */
  private lastOffline = $state.raw<Record<number, LiveStatus>>({});

  /** Accounts offline (or trying again after being offline), by id. */
  readonly offline: OfflineAccount[] = $derived(
    Object.values(this.lastOffline)
      .sort((a, b) => a.account - b.account)
      .map((status) => {
        const reconnecting = this.byAccount[status.account]?.state === 'connecting';
        return {
          account: status.account,
          error: status.error,
          retryAt: reconnecting ? null : status.retry_at,
          reconnecting,
        };
      }),
  );

  /** Whether any account is offline. */
  readonly anyOffline = $derived(this.offline.length > 0);

  /** The accounts syncing with progress, or null when none is. */
  readonly syncing: SyncSummary | null = $derived.by(() => {
    const progress = Object.values(this.byAccount)
      .filter((status) => status.state === 'syncing' && status.progress !== null && status.progress.total > 0)
      .sort((a, b) => a.account - b.account)
      .map((status) => status.progress as SyncProgress);
    if (progress.length === 0) return null;
    const done = progress.reduce((sum, p) => sum + Math.min(p.done, p.total), 0);
    const total = progress.reduce((sum, p) => sum + p.total, 0);
    return { fraction: done / total, first: progress[0], others: progress.length - 1 };
  });

  /** An account's latest status, if it has one (local accounts never do). */
  of(account: number): LiveStatus | undefined {
    return this.byAccount[account];
  }

  /** Takes an account's new status. */
  update(status: LiveStatus): void {
    this.byAccount = { ...this.byAccount, [status.account]: status };
    if (status.state === 'offline') {
      this.lastOffline = { ...this.lastOffline, [status.account]: status };
    } else if (status.state !== 'connecting' && status.account in this.lastOffline) {
      const rest = { ...this.lastOffline };
      delete rest[status.account];
      this.lastOffline = rest;
    }
  }

  /**
   * Follows the backend's status events, starting from the statuses sent before it subscribed
   * (an event that arrives meanwhile is newer and wins). Returns the function that stops.
   */
  follow(backend: Backend, report: (error: ApiError) => void): () => void {
    const seen = new Set<number>();
    const stop = backend.onStatus((status) => {
      seen.add(status.account);
      this.update(status);
    }, report);
    backend.liveStatus().then(
      (statuses) => statuses.filter((s) => !seen.has(s.account)).forEach((s) => this.update(s)),
      report,
    );
    return stop;
  }
}
