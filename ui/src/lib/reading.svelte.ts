// What the reading pane shows: the selected row, the opened item and its content as the core
// has it (its conversation, the mail a task was made from, an event's calendar entry). Loads
// again after a change without blanking the pane; an answer for an item no longer open is
// dropped.
import { toApiError, type ApiError, type Backend, type EventDetail, type ItemDetail } from '../backend';
import type { Sources } from './sources.svelte';

/** The opened mail's body being downloaded: how far (bytes of its size), or why it failed. */
export interface Download {
  id: number;
  error: string | null;
  done: number;
  total: number;
}

export class Reading {
  /** The timeline row the keyboard is on. */
  selected = $state<number | null>(null);
  /** The item in the reading pane. */
  opened = $state<number | null>(null);
  detail = $state<ItemDetail | null>(null);
  /** The opened mail's conversation (its thread, oldest first), or a chat message's room. */
  conversation = $state<ItemDetail[] | null>(null);
  /** The mail the opened task was made from. */
  linked = $state<ItemDetail | null>(null);
  /** The opened item's event in full (kind `event`). */
  event = $state<EventDetail | null>(null);
  loading = $state(false);
  /**
   * The opened mail's body being downloaded (only its header is here: older than its folder
   * keeps offline), or why that failed.
   */
  download = $state<Download | null>(null);

  constructor(
    private readonly backend: Backend,
    private readonly report: (error: ApiError) => void,
    private readonly sources: Sources,
  ) {}

  /** Opens item `id` (selecting its row) and loads its content. */
  open(id: number): void {
    this.selected = id;
    this.opened = id;
    this.clear();
    this.load(id);
  }

  /** Nothing open any more (the selection stays). */
  close(): void {
    this.opened = null;
    this.clear();
  }

  private clear(): void {
    this.download = null;
    this.detail = null;
    this.conversation = null;
    this.linked = null;
    this.event = null;
  }

  /** Downloads the body of mail `id` from its server (saying how far it is), then shows it. */
  async fetchBody(id: number): Promise<void> {
    this.download = { id, error: null, done: 0, total: 0 };
    const stop = this.backend.onDownload(
      (progress) => {
        if (progress.id === id && this.download?.id === id && this.download.error === null)
          this.download = { ...this.download, done: progress.done, total: progress.total };
      },
      () => {},
    );
    try {
      await this.backend.downloadMessage(id);
      if (this.opened === id) {
        await this.load(id);
        this.download = null;
      }
    } catch (error) {
      if (this.opened === id) this.download = { id, error: toApiError(error).message, done: 0, total: 0 };
    } finally {
      stop();
    }
  }

  /** Checks who sent mail `id` (not checked on arrival) and puts the verdict in the pane. */
  async checkSender(id: number): Promise<void> {
    try {
      const authentication = await this.backend.authenticate(id, false);
      if (this.opened === id && this.detail?.id === id) this.detail = { ...this.detail, authentication };
    } catch {
      // The badge says "not checked"; the next opening tries again.
    }
  }

  /** Loads the opened item's content (again, after a change, without blanking the pane). */
  async load(id: number): Promise<void> {
    const { backend } = this;
    this.loading = true;
    try {
      const shown = await backend.show(id);
      // A mail of a thread shows the conversation; a task made from mail shows that mail.
      const mail = shown.todo?.mail ?? null;
      const [thread, from, event] = await Promise.all([
        // A chat message: its room's conversation.
        (shown.kind === 'mail' && shown.thread_size > 1) || (shown.chat !== null && shown.thread !== null) ? backend.thread(id) : null,
        mail === null ? null : backend.show(mail).catch(() => null),
        // An event shows what its calendar says (and which calendar that is).
        shown.kind === 'event' ? backend.event(id).catch(() => null) : null,
        shown.kind === 'event' && this.sources.calendars.length === 0 ? this.sources.loadCalendars() : null,
      ]);
      if (this.opened === id) {
        this.detail = shown;
        this.conversation = thread;
        this.linked = from;
        this.event = event;
        // Only the header is here: bring the body, once per opening (a failure waits for Retry).
        if (shown.remote && this.download?.id !== id) void this.fetchBody(id);
        // Mail older than the checks made on arrival: its sender is checked now, the badge
        // follows.
        if (shown.kind === 'mail' && shown.authentication === null) void this.checkSender(id);
      }
    } catch (error) {
      if (this.opened === id) this.report(toApiError(error));
    } finally {
      if (this.opened === id) this.loading = false;
    }
  }
}
