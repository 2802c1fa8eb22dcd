// The window's views of the timeline. Which item belongs to which view, and where, is the core's
// to say (it sends the diffs: view-diff.ts).

/** The sidebar's views. */
export type SideView = 'inbox' | 'all' | 'unread' | 'flagged' | 'tasks' | 'chats' | 'snoozed';

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

/** Whether two views show the same thing (a room is the same room whatever its key). */
export function sameView(a: View, b: View): boolean {
  if (a.type === 'room' && b.type === 'room') return a.room === b.room;
  return JSON.stringify(a) === JSON.stringify(b);
}
