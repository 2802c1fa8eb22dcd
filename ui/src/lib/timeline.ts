// Pure timeline logic: ordering, which items a view shows, and applying change events as diffs.
import type { ChangeEvent, Item } from '../backend';

/** The sidebar's views. */
export type SideView = 'all' | 'unread' | 'flagged' | 'tasks' | 'chats';

/**
 * What the timeline shows: a unified view, one account, folder or chat room (its messages: the
 * items of its conversation key, null before it has one), or search results.
 */
export type View =
  | { type: SideView }
  | { type: 'account'; account: number }
  | { type: 'folder'; account: number; folder: number; name: string }
  | { type: 'room'; account: number; room: number; thread: number | null }
  | { type: 'search'; text: string };

/** The unified views (All, Unread, Flagged, Tasks, Chats) leave out the accounts the user hid. */
export function isUnified(view: View): boolean {
  return (
    view.type === 'all' || view.type === 'unread' || view.type === 'flagged' || view.type === 'tasks' || view.type === 'chats'
  );
}

/** Whether two views show the same thing (a room is the same room whatever its key). */
export function sameView(a: View, b: View): boolean {
  if (a.type === 'room' && b.type === 'room') return a.room === b.room;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Newest first; equal times by id, higher first (the core's order). */
export function compareItems(a: Item, b: Item): number {
  return Date.parse(b.time) - Date.parse(a.time) || b.id - a.id;
}

/**
 * Whether `item` belongs to `view`, as far as the window can tell; `hidden` are the accounts left
 * out of the unified views.
 */
export function belongsTo(item: Item, view: View, hidden: readonly number[] = []): boolean {
  if (isUnified(view) && hidden.includes(item.account)) return false;
  switch (view.type) {
    case 'all':
      return true;
    case 'unread':
      return item.unread;
    case 'flagged':
      return item.flagged;
    case 'tasks':
      return item.kind === 'task';
    case 'chats':
      return item.kind === 'chat';
    case 'room':
      return item.kind === 'chat' && (item.chat?.room === view.room || (view.thread !== null && item.thread === view.thread));
    case 'account':
      return item.account === view.account;
    case 'folder':
      return item.account === view.account && item.folders.includes(view.name);
    case 'search':
      // Only the core knows what matches: new items never enter results (see applyChange).
      return true;
  }
}

export interface ListState {
  view: View;
  /** False while older pages exist that are not loaded yet. */
  complete: boolean;
  /** Accounts left out of the unified views. */
  hidden?: readonly number[];
}

/**
 * Applies one change to `items` (sorted by compareItems) and returns the new list; `items` is not
 * modified. `fresh` is the item as the core now has it (null for `removed`, or when it is gone).
 * An item is inserted at its time-ordered place only if it belongs to the view and falls within
 * the loaded range (older ones arrive with the next page). Never produces duplicate ids.
 */
export function applyChange(items: Item[], change: ChangeEvent, fresh: Item | null, state: ListState): Item[] {
  const index = items.findIndex((item) => item.id === change.id);
  const without = index < 0 ? items : [...items.slice(0, index), ...items.slice(index + 1)];
  if (change.change === 'removed' || fresh === null) return without;
  if (!belongsTo(fresh, state.view, state.hidden)) return without;
  // Search results: only refresh what is already listed.
  if (state.view.type === 'search' && index < 0) return items;
  return insertSorted(without, fresh, state.complete || index >= 0);
}

/**
 * The list grouped by thread after a change in thread `thread` (item `changed`): the thread's rows
 * (and the changed item's) give way to `head`, the thread's newest item in the view as the core
 * now has it, at its time-ordered place (null: nothing of the thread is left in the view).
 */
export function replaceThread(items: Item[], thread: number, changed: number, head: Item | null, state: ListState): Item[] {
  const shown = items.some((item) => item.thread === thread || item.id === changed);
  const without = items.filter((item) => item.thread !== thread && item.id !== changed);
  if (head === null || !belongsTo(head, state.view, state.hidden)) return without;
  // A thread already listed keeps a row even when its new head sorts past the loaded rows.
  return insertSorted(without, head, state.complete || shown);
}

/** Inserts `item` at its place; past the last loaded row only if `pastEnd` (the list is complete). */
export function insertSorted(items: Item[], item: Item, pastEnd: boolean): Item[] {
  const at = items.findIndex((other) => compareItems(item, other) < 0);
  if (at < 0) return pastEnd ? [...items, item] : items;
  return [...items.slice(0, at), item, ...items.slice(at)];
}

/** Appends an older page, skipping ids already present (a change may have inserted them). */
export function appendPage(items: Item[], page: Item[]): Item[] {
  const seen = new Set(items.map((item) => item.id));
  return [...items, ...page.filter((item) => !seen.has(item.id))];
}
