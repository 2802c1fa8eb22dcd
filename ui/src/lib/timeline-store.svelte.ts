// The timeline's state: the loaded rows of the current view, paging, and change events applied
// as diffs. Components render it; all decisions are here (and in timeline.ts).
import { toApiError, type ApiError, type Backend, type ChangeEvent, type Item } from '../backend';
import { appendPage, applyChange, replaceThread, type View } from './timeline';

export const PAGE_SIZE = 50;

export class TimelineStore {
  items = $state<Item[]>([]);
  view = $state<View>({ type: 'all' });
  /** False while older pages exist that are not loaded. */
  complete = $state(false);
  /** True until the first load of the view has answered. */
  loading = $state(true);
  loadingOlder = $state(false);
  /** Accounts left out of the unified views (changes arriving for them stay out too). */
  hidden = $state<number[]>([]);
  /** One row per conversation (the `timeline.threads` setting); search lists messages. */
  threads = $state(false);

  /** Bumped by every load; answers for an older generation are dropped. */
  private generation = 0;
  /** Change events are applied one at a time, in arrival order. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly backend: Backend,
    private readonly report: (error: ApiError) => void,
  ) {}

  /** (Re)loads the first page of `view`. */
  async load(view: View = this.view): Promise<void> {
    this.view = view;
    const generation = ++this.generation;
    this.loading = true;
    this.loadingOlder = false;
    try {
      const items =
        view.type === 'search'
          ? await this.backend.search({ text: view.text, limit: PAGE_SIZE })
          : view.type === 'room' && view.thread === null
            ? // A room without messages yet: nothing to ask for (its first ones arrive as changes).
              []
            : await this.backend.timeline(this.query());
      if (generation !== this.generation) return;
      this.items = items;
      // Search answers one page only.
      this.complete = view.type === 'search' || items.length < PAGE_SIZE;
    } catch (error) {
      if (generation === this.generation) this.report(toApiError(error));
    } finally {
      if (generation === this.generation) this.loading = false;
    }
  }

  /** Loads the page older than the last loaded row, if there is one. */
  async loadOlder(): Promise<void> {
    const last = this.items[this.items.length - 1];
    if (this.complete || this.loading || this.loadingOlder || !last) return;
    if (this.view.type === 'room' && this.view.thread === null) return;
    const generation = this.generation;
    this.loadingOlder = true;
    try {
      const page = await this.backend.timeline({ ...this.query(), before: last.id });
      if (generation !== this.generation) return;
      this.items = appendPage(this.items, page);
      this.complete = page.length < PAGE_SIZE;
    } catch (error) {
      if (generation === this.generation) this.report(toApiError(error));
    } finally {
      if (generation === this.generation) this.loadingOlder = false;
    }
  }

  /**
   * The items an action on row `item` is for: its conversation's items in this view when rows
   * are conversations (archiving a conversation archives all of it), else just the item.
   */
  async members(item: Item, only: { unread?: boolean } = {}): Promise<Item[]> {
    if (!this.grouped || item.thread === null || item.thread_size <= 1) return [item];
    const items = await this.backend.timeline({ ...this.viewQuery(), ...only, thread: item.thread, limit: 1000 });
    return items.length > 0 ? items : [item];
  }

  /** Changes a loaded row in place (an optimistic update; the change event confirms it). */
  patch(id: number, patch: Partial<Pick<Item, 'unread' | 'flagged'>>): void {
    this.items = this.items.map((item) => (item.id === id ? { ...item, ...patch } : item));
  }

  /**
   * An item the window has from a call (a chat message just sent): in place at once, as its
   * change event would put it (that event, when it comes, changes nothing more).
   */
  show(item: Item): void {
    const change: ChangeEvent = { change: 'added', id: item.id, kind: item.kind, title: item.title };
    if (this.grouped && item.thread !== null) {
      this.handleChange(change);
      return;
    }
    this.items = applyChange(this.items, change, item, { view: this.view, complete: this.complete, hidden: this.hidden });
  }

  /** Applies a change event; resolves once it (and every earlier one) is applied. */
  handleChange(change: ChangeEvent): Promise<void> {
    this.queue = this.queue.then(() => this.apply(change));
    return this.queue;
  }

  /** Whether the rows are conversations (search results and a chat room's rows are messages). */
  get grouped(): boolean {
    return this.threads && this.view.type !== 'search' && this.view.type !== 'room';
  }

  private async apply(change: ChangeEvent): Promise<void> {
    const generation = this.generation;
    let fresh: Item | null = null;
    if (change.change !== 'removed') {
      try {
        fresh = await this.backend.item(change.id);
      } catch (error) {
        const apiError = toApiError(error);
        // Gone again before we asked: same as removed.
        if (apiError.code !== 'not_found') {
          this.report(apiError);
          return;
        }
      }
    }
    const state = { view: this.view, complete: this.complete, hidden: this.hidden };
    const thread = fresh?.thread ?? this.items.find((item) => item.id === change.id)?.thread ?? null;
    if (!this.grouped || thread === null) {
      this.items = applyChange(this.items, change, fresh, state);
      return;
    }
    // A conversation changed: its row becomes its newest item in this view (with its counts
    // again), wherever that one now sorts, or goes when none is left.
    let head: Item | null = null;
    try {
      [head = null] = await this.backend.timeline({ ...this.query(), thread, limit: 1 });
    } catch (error) {
      this.report(toApiError(error));
      return;
    }
    if (generation !== this.generation) return;
    this.items = replaceThread(this.items, thread, change.id, head, state);
  }

  private query() {
    return this.grouped ? { threads: true, ...this.viewQuery() } : this.viewQuery();
  }

  private viewQuery() {
    switch (this.view.type) {
      case 'unread':
        return { limit: PAGE_SIZE, unread: true };
      case 'flagged':
        return { limit: PAGE_SIZE, flagged: true };
      case 'tasks':
        return { limit: PAGE_SIZE, kind: 'task' as const };
      case 'chats':
        return { limit: PAGE_SIZE, kind: 'chat' as const };
      case 'room':
        return { limit: PAGE_SIZE, account: this.view.account, kind: 'chat' as const, thread: this.view.thread ?? undefined };
      case 'account':
        return { limit: PAGE_SIZE, account: this.view.account };
      case 'folder':
        return { limit: PAGE_SIZE, folder: this.view.folder };
      default:
        return { limit: PAGE_SIZE };
    }
  }
}
