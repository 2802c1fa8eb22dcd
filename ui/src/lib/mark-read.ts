// Opening an unread item marks it read after a short look, unless the user moves on first.

/** How long an unread item must stay open before it is marked read (ms). */
export const MARK_READ_DELAY_MS = 1500;

/** At most one pending "mark read" at a time: scheduling another or cancelling drops it. */
export class ReadTimer {
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The item waiting to be marked read, if any. */
  pending: number | null = null;

  constructor(
    private readonly fire: (id: number) => void,
    private readonly delayMs: number = MARK_READ_DELAY_MS,
  ) {}

  schedule(id: number): void {
    this.cancel();
    this.pending = id;
    this.timer = setTimeout(() => {
      this.pending = null;
      this.timer = undefined;
      this.fire(id);
    }, this.delayMs);
  }

  /** Drops the pending mark (of `id` only, if given). */
  cancel(id?: number): void {
    if (id !== undefined && id !== this.pending) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = null;
  }
}
