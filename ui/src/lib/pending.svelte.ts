// The queue of local changes still waiting for a server: refreshed after actions and, while it is
// not empty, every PENDING_POLL_MS.
import { toApiError, type ApiError, type Backend, type PendingOp } from '../backend';

export const PENDING_POLL_MS = 10_000;

export class PendingStore {
  ops = $state<PendingOp[]>([]);
  readonly count = $derived(this.ops.length);
  /** Ids of ops whose retry was asked and not answered yet. */
  retrying = $state<number[]>([]);

  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(
    private readonly backend: Backend,
    private readonly report: (error: ApiError) => void,
    private readonly pollMs: number = PENDING_POLL_MS,
  ) {}

  /** Reloads the queue; polls again later while it is not empty. */
  async refresh(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    try {
      const ops = await this.backend.ops();
      if (this.stopped) return;
      this.ops = ops;
      if (ops.length > 0) this.timer = setTimeout(() => this.refresh(), this.pollMs);
    } catch (error) {
      // Not rescheduled: the next action refreshes again.
      if (!this.stopped) this.report(toApiError(error));
    }
  }

  async retry(id: number): Promise<void> {
    this.retrying = [...this.retrying, id];
    try {
      await this.backend.retryOp(id);
      await this.refresh();
    } catch (error) {
      this.report(toApiError(error));
    } finally {
      this.retrying = this.retrying.filter((other) => other !== id);
    }
  }

  /** Stops polling (the window is going away). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
