// The timeline's state: the rows of the current view as the core keeps them. The core opens the
// view, and after every change sends the diffs that keep its rows right (crates/core/src/timeline/
// view.rs); this store only replays them, in version order. Components render it.
import { toApiError, type ApiError, type Backend, type Item, type ViewDiffs, type ViewQuery } from '../backend';
import type { View } from './timeline';
import { applyDiffs, DiffQueue } from './view-diff';

export const PAGE_SIZE = 50;

export class TimelineStore {
  items = $state<Item[]>([]);
  view = $state<View>({ type: 'inbox' });
  /** False while older pages exist that are not loaded. */
  complete = $state(false);
  /** True until the first load of the view has answered. */
  loading = $state(true);
  loadingOlder = $state(false);
  /** One row per conversation (the `timeline.threads` setting); search lists messages. */
  threads = $state(false);

  /** Bumped by every load; answers for an older generation are dropped. */
  private generation = 0;
  /** The open view of the core, and its diffs in version order. */
  private open: { view: number; queue: DiffQueue } | null = null;
  /**
   * Optimistic changes of rows (`patch`) laid over the core's rows until the core's rows show them
   * (a batch of diffs sent before the change reached the core must not undo it on screen).
   */
  private patches = new Map<number, Partial<Pick<Item, 'unread' | 'flagged'>>>();
  /** Diffs of views this store opened whose first page has not answered yet. */
  private early = new Map<number, ViewDiffs[]>();
  private stop: (() => void) | null = null;

  constructor(
    private readonly backend: Backend,
    private readonly report: (error: ApiError) => void,
  ) {}

  /** (Re)opens the view `view` in the core: its first page, then its diffs. */
  async load(view: View = this.view): Promise<void> {
    this.view = view;
    const generation = ++this.generation;
    this.loading = true;
    this.loadingOlder = false;
    this.listen();
    const previous = this.open;
    this.open = null;
    if (previous) this.backend.closeView(previous.view).catch(() => {});
    try {
      const page = await this.backend.openView(this.viewQuery());
      if (generation !== this.generation) {
        this.backend.closeView(page.view).catch(() => {});
        return;
      }
      this.open = { view: page.view, queue: new DiffQueue(page.version) };
      this.patches.clear();
      this.items = page.items;
      this.complete = page.complete;
      const early = this.early.get(page.view) ?? [];
      this.early.clear();
      for (const batch of early) this.take(batch);
    } catch (error) {
      if (generation === this.generation) this.report(toApiError(error));
    } finally {
      if (generation === this.generation) this.loading = false;
    }
  }

  /** Loads the page older than the last loaded row, if there is one. */
  async loadOlder(): Promise<void> {
    const open = this.open;
    if (this.complete || this.loading || this.loadingOlder || !open) return;
    const generation = this.generation;
    this.loadingOlder = true;
    try {
      const batch = await this.backend.viewMore(open.view, PAGE_SIZE);
      if (generation !== this.generation) return;
      if (batch) this.take(batch);
    } catch (error) {
      if (generation === this.generation) this.report(toApiError(error));
    } finally {
      if (generation === this.generation) this.loadingOlder = false;
    }
  }

  /** Stops hearing diffs and closes the view (the window goes). */
  dispose(): void {
    this.stop?.();
    this.stop = null;
    if (this.open) this.backend.closeView(this.open.view).catch(() => {});
    this.open = null;
  }

  /** Whether the rows are conversations (search results and a chat room's rows are messages). */
  get grouped(): boolean {
    return this.threads && this.view.type !== 'search' && this.view.type !== 'room';
  }

  private listen(): void {
    if (this.stop) return;
    this.stop = this.backend.onViewDiffs(
      (batch) => this.take(batch),
      (error) => this.report(error),
    );
  }

  /** A batch of diffs: applied in version order; one of a view still opening waits for it. */
  private take(batch: ViewDiffs): void {
    const open = this.open;
    if (!open || batch.view !== open.view) {
      // A view opened by this store whose first page is still on its way (ids only grow).
      if (this.loading && (!open || batch.view > open.view)) {
        this.early.set(batch.view, [...(this.early.get(batch.view) ?? []), batch]);
      }
      return;
    }
    for (const ready of open.queue.take(batch)) {
      try {
        this.items = this.overlay(applyDiffs(this.items, ready.diffs), ready.diffs);
        this.complete = ready.complete;
      } catch (error) {
        // Out of step with the core (it cannot happen when versions are kept): read it again.
        this.report({ code: 'internal', message: `The timeline was out of step: ${String(error)}` });
        this.load(this.view);
        return;
      }
    }
  }

  /**
   * The items an action on row `item` is for: its conversation's items in this view when rows
   * are conversations (archiving a conversation archives all of it), else just the item.
   */
  async members(item: Item, only: { unread?: boolean } = {}): Promise<Item[]> {
    if (!this.grouped || item.thread === null || item.thread_size <= 1) return [item];
    const items = await this.backend.timeline({ ...this.filters(), ...only, thread: item.thread, limit: 1000 });
    return items.length > 0 ? items : [item];
  }

  /** Changes a loaded row in place (an optimistic update; the core's diffs confirm it). */
  patch(id: number, patch: Partial<Pick<Item, 'unread' | 'flagged'>>): void {
    this.patches.set(id, { ...this.patches.get(id), ...patch });
    this.items = this.items.map((item) => (item.id === id ? { ...item, ...patch } : item));
  }

  /** The rows with the optimistic changes the core's rows (`diffs` just brought) do not show yet. */
  private overlay(items: Item[], diffs: ViewDiffs['diffs']): Item[] {
    if (this.patches.size === 0) return items;
    const fromCore = new Set<number>();
    for (const step of diffs) {
      if (step.op === 'set' || step.op === 'insert') fromCore.add(step.item.id);
      if (step.op === 'reset') for (const item of step.items) fromCore.add(item.id);
    }
    return items.map((item) => {
      const patch = this.patches.get(item.id);
      if (!patch || !fromCore.has(item.id)) return item;
      const keys = Object.keys(patch) as (keyof typeof patch)[];
      if (keys.every((key) => item[key] === patch[key])) {
        this.patches.delete(item.id);
        return item;
      }
      return { ...item, ...patch };
    });
  }

  /** The view as the core's query. */
  private viewQuery(): ViewQuery {
    if (this.view.type === 'search') return { timeline: { limit: PAGE_SIZE }, search: this.view.text };
    return { timeline: this.grouped ? { threads: true, ...this.filters() } : this.filters() };
  }

  private filters() {
    switch (this.view.type) {
      case 'inbox':
        return { limit: PAGE_SIZE, inbox: true };
      case 'snoozed':
        return { limit: PAGE_SIZE, snoozed: true };
      case 'unread':
        return { limit: PAGE_SIZE, unread: true };
      case 'flagged':
        return { limit: PAGE_SIZE, flagged: true };
      case 'tasks':
        return { limit: PAGE_SIZE, kind: 'task' as const };
      case 'chats':
        return { limit: PAGE_SIZE, kind: 'chat' as const };
      case 'room':
        return { limit: PAGE_SIZE, account: this.view.account, kind: 'chat' as const, room: this.view.room };
      case 'account':
        return { limit: PAGE_SIZE, account: this.view.account };
      case 'folder':
        return { limit: PAGE_SIZE, folder: this.view.folder };
      default:
        return { limit: PAGE_SIZE };
    }
  }
}
