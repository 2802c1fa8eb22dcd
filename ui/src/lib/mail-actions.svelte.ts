// The mail actions of the window (mark, archive, delete, move): optimistic where the outcome is
// known, the offline notice once per offline spell, and the pending queue refreshed afterwards.
import { toApiError, type ActionReport, type ApiError, type Backend, type Item, type MarkChange } from '../backend';
import { t } from '../i18n/index.svelte';
import type { PendingStore } from './pending.svelte';
import type { TimelineStore } from './timeline-store.svelte';

export interface ActionHooks {
  report: (error: ApiError) => void;
  inform: (text: string) => void;
  /** Also patch the opened item, if it is `id`. */
  patched?: (id: number, patch: MarkChange) => void;
}

export class MailActions {
  /** Ids with an action under way (their buttons wait). */
  busy = $state<number[]>([]);
  /** The "saved here" notice was shown and nothing has reached the server since. */
  private offlineNoticed = false;

  constructor(
    private readonly backend: Backend,
    private readonly store: TimelineStore,
    private readonly pending: PendingStore,
    private readonly hooks: ActionHooks,
  ) {}

  /** Marks `item`; the row (and opened item) change at once and change back if the call fails. */
  async mark(item: Pick<Item, 'id' | 'unread' | 'flagged'>, change: MarkChange): Promise<ActionReport | null> {
    const before: MarkChange = {};
    if (change.unread !== undefined) before.unread = item.unread;
    if (change.flagged !== undefined) before.flagged = item.flagged;
    this.patch(item.id, change);
    const report = await this.run(item.id, () => this.backend.mark(item.id, change));
    if (report === null) this.patch(item.id, before);
    return report;
  }

  archive(id: number): Promise<ActionReport | null> {
    return this.run(id, () => this.backend.archive(id));
  }

  delete(id: number): Promise<ActionReport | null> {
    return this.run(id, () => this.backend.delete(id));
  }

  move(id: number, folder: string): Promise<ActionReport | null> {
    return this.run(id, () => this.backend.moveItem(id, folder));
  }

  private patch(id: number, patch: MarkChange): void {
    this.store.patch(id, patch);
    this.hooks.patched?.(id, patch);
  }

  private async run(id: number, call: () => Promise<ActionReport>): Promise<ActionReport | null> {
    this.busy = [...this.busy, id];
    try {
      const report = await call();
      this.noticeOffline(report);
      return report;
    } catch (error) {
      this.hooks.report(toApiError(error));
      return null;
    } finally {
      const index = this.busy.indexOf(id);
      this.busy = [...this.busy.slice(0, index), ...this.busy.slice(index + 1)];
      this.pending.refresh();
    }
  }

  private noticeOffline(report: ActionReport): void {
    if (report.pushed) {
      this.offlineNoticed = false;
    } else if (!this.offlineNoticed) {
      this.offlineNoticed = true;
      this.hooks.inform(t('offline-saved'));
    }
  }
}
