import { describe, expect, it } from 'vitest';
import type { ChangeEvent, Item } from '../backend';
import { makeChatItem, makeItem } from '../test/items';
import { appendPage, applyChange, belongsTo, compareItems, isUnified, replaceThread, sameView, type ListState } from './timeline';

function item(id: number, time: string, patch: Partial<Item> = {}): Item {
  return makeItem({ id, time, title: `Item ${id}`, sender: { name: null, address: 'a@example.com' }, ...patch });
}

const change = (kind: ChangeEvent['change'], id: number): ChangeEvent => ({ change: kind, id, kind: 'mail', title: '' });
const ids = (items: Item[]) => items.map((i) => i.id);
const all: ListState = { view: { type: 'all' }, complete: true };

// Newest first: 3 (12:00), 2 (11:00), 1 (10:00).
const base = [item(3, '2026-01-01T12:00:00Z'), item(2, '2026-01-01T11:00:00Z'), item(1, '2026-01-01T10:00:00Z')];

describe('compareItems', () => {
  it('orders by time, newest first, then by id, highest first', () => {
    const same = [item(5, '2026-01-01T10:00:00Z'), item(9, '2026-01-01T10:00:00Z'), item(1, '2026-01-02T00:00:00Z')];
    expect(ids([...same].sort(compareItems))).toEqual([1, 9, 5]);
  });
});

describe('applyChange', () => {
  it('inserts an added item at its time-ordered place', () => {
    const added = item(4, '2026-01-01T10:30:00Z');
    expect(ids(applyChange(base, change('added', 4), added, all))).toEqual([3, 2, 4, 1]);
    expect(ids(applyChange(base, change('added', 5), item(5, '2026-01-02T00:00:00Z'), all))).toEqual([5, 3, 2, 1]);
    expect(ids(applyChange(base, change('added', 0), item(0, '2025-01-01T00:00:00Z'), all))).toEqual([3, 2, 1, 0]);
  });

  it('breaks time ties by id, like the core', () => {
    const tie = item(7, '2026-01-01T11:00:00Z');
    expect(ids(applyChange(base, change('added', 7), tie, all))).toEqual([3, 7, 2, 1]);
  });

  it('does not modify the list it is given', () => {
    const copy = [...base];
    applyChange(base, change('added', 4), item(4, '2026-01-01T10:30:00Z'), all);
    applyChange(base, change('removed', 2), null, all);
    expect(base).toEqual(copy);
  });

  it('ignores a duplicate add (no second row)', () => {
    const again = applyChange(base, change('added', 2), base[1], all);
    expect(ids(again)).toEqual([3, 2, 1]);
  });

  it('replaces an updated item, moving it if its time changed', () => {
    const updated = applyChange(base, change('updated', 2), item(2, '2026-01-01T11:00:00Z', { title: 'New' }), all);
    expect(ids(updated)).toEqual([3, 2, 1]);
    expect(updated[1].title).toBe('New');
    const moved = applyChange(base, change('updated', 1), item(1, '2026-01-01T13:00:00Z'), all);
    expect(ids(moved)).toEqual([1, 3, 2]);
  });

  it('removes a removed item, and ignores unknown ids', () => {
    expect(ids(applyChange(base, change('removed', 2), null, all))).toEqual([3, 1]);
    expect(applyChange(base, change('removed', 42), null, all)).toEqual(base);
  });

  it('treats an item that is gone (null) as removed', () => {
    expect(ids(applyChange(base, change('updated', 3), null, all))).toEqual([2, 1]);
  });

  it('keeps items that do not belong to the view out of it', () => {
    const unread: ListState = { view: { type: 'unread' }, complete: true };
    const list = [item(3, '2026-01-01T12:00:00Z', { unread: true })];
    expect(ids(applyChange(list, change('added', 4), item(4, '2026-01-01T13:00:00Z'), unread))).toEqual([3]);
    expect(ids(applyChange(list, change('added', 5), item(5, '2026-01-01T13:00:00Z', { unread: true }), unread))).toEqual([5, 3]);
    // Read elsewhere: it leaves the unread view.
    expect(ids(applyChange(list, change('updated', 3), item(3, '2026-01-01T12:00:00Z'), unread))).toEqual([]);
  });

  it('does not add past the last loaded row while older pages exist', () => {
    const partial: ListState = { view: { type: 'all' }, complete: false };
    expect(ids(applyChange(base, change('added', 0), item(0, '2025-01-01T00:00:00Z'), partial))).toEqual([3, 2, 1]);
    expect(ids(applyChange(base, change('added', 4), item(4, '2026-01-01T10:30:00Z'), partial))).toEqual([3, 2, 4, 1]);
    // An update of the last loaded row keeps it even when it moves to the end.
    expect(ids(applyChange(base, change('updated', 3), item(3, '2025-01-01T00:00:00Z'), partial))).toEqual([2, 1, 3]);
  });

  it('only refreshes search results, never adds to them', () => {
    const search: ListState = { view: { type: 'search', text: 'x' }, complete: true };
    expect(ids(applyChange(base, change('added', 4), item(4, '2026-01-01T10:30:00Z'), search))).toEqual([3, 2, 1]);
    const updated = applyChange(base, change('updated', 1), item(1, '2026-01-01T10:00:00Z', { unread: true }), search);
    expect(updated[2].unread).toBe(true);
    expect(ids(applyChange(base, change('removed', 3), null, search))).toEqual([2, 1]);
  });
});

describe('appendPage', () => {
  it('appends an older page without duplicates', () => {
    expect(ids(appendPage(base, [base[2], item(0, '2025-01-01T00:00:00Z')]))).toEqual([3, 2, 1, 0]);
  });
});

describe('replaceThread', () => {
  // Conversations: 3 (thread 7, newest), 2 (alone), 1 (thread 8).
  const grouped = [
    item(3, '2026-01-01T12:00:00Z', { thread: 7, thread_size: 2 }),
    item(2, '2026-01-01T11:00:00Z'),
    item(1, '2026-01-01T10:00:00Z', { thread: 8 }),
  ];

  it('a new reply takes its conversation to the top, with the counts the core gives', () => {
    const reply = item(9, '2026-01-01T13:00:00Z', { thread: 8, thread_size: 2, thread_unread: 1 });
    const next = replaceThread(grouped, 8, 9, reply, all);
    expect(ids(next)).toEqual([9, 3, 2]);
    expect(next[0].thread_size).toBe(2);
  });

  it('when the newest item goes, the next one of the thread takes its place', () => {
    const older = item(4, '2026-01-01T09:00:00Z', { thread: 7 });
    expect(ids(replaceThread(grouped, 7, 3, older, all))).toEqual([2, 1, 4]);
    // Past the loaded rows of an incomplete list it still stands in for its conversation.
    expect(ids(replaceThread(grouped, 7, 3, older, { ...all, complete: false }))).toEqual([2, 1, 4]);
    // Nothing of it left in the view: the row goes.
    expect(ids(replaceThread(grouped, 7, 3, null, all))).toEqual([2, 1]);
  });

  it('a conversation not loaded yet enters only within the loaded range', () => {
    const old = item(5, '2025-12-31T00:00:00Z', { thread: 11 });
    expect(ids(replaceThread(grouped, 11, 5, old, { ...all, complete: false }))).toEqual([3, 2, 1]);
    expect(ids(replaceThread(grouped, 11, 5, old, all))).toEqual([3, 2, 1, 5]);
    // A head that does not belong to the view stays out.
    const read = item(6, '2026-01-02T00:00:00Z', { thread: 7, unread: false });
    expect(ids(replaceThread(grouped, 7, 6, read, { ...all, view: { type: 'unread' } }))).toEqual([2, 1]);
  });
});

describe('the chat views', () => {
  const chat = (id: number, room: number, thread: number | null = 70 + room) =>
    makeChatItem({ id, thread, time: `2026-01-01T1${id}:00:00Z` }, { room });

  it('Chats holds chat messages only, a room only its own (by its key, or its number before it has one)', () => {
    const mail = item(9, '2026-01-01T09:00:00Z');
    expect(belongsTo(chat(1, 1), { type: 'chats' })).toBe(true);
    expect(belongsTo(mail, { type: 'chats' })).toBe(false);
    expect(belongsTo(chat(1, 1), { type: 'chats' }, [1])).toBe(false); // its account left out of the unified views
    const room = { type: 'room', account: 2, room: 1, thread: 71 } as const;
    expect(belongsTo(chat(1, 1), room, [2])).toBe(true); // a room is not a unified view
    expect(belongsTo(chat(2, 2), room)).toBe(false);
    expect(belongsTo(mail, room)).toBe(false);
    expect(belongsTo(chat(3, 1, null), { ...room, thread: null })).toBe(true);
    expect(isUnified({ type: 'chats' })).toBe(true);
    expect(isUnified(room)).toBe(false);
  });

  it('a new message in the room shown goes in at its place', () => {
    const state: ListState = { view: { type: 'room', account: 2, room: 1, thread: 71 }, complete: true };
    const list = [chat(2, 1), chat(1, 1)];
    expect(ids(applyChange(list, { change: 'added', id: 3, kind: 'chat', title: '' }, chat(3, 1), state))).toEqual([3, 2, 1]);
    expect(ids(applyChange(list, { change: 'added', id: 4, kind: 'chat', title: '' }, chat(4, 2), state))).toEqual([2, 1]);
  });

  it('a room is the same room whatever its key', () => {
    expect(sameView({ type: 'room', account: 2, room: 1, thread: null }, { type: 'room', account: 2, room: 1, thread: 71 })).toBe(true);
    expect(sameView({ type: 'room', account: 2, room: 1, thread: 71 }, { type: 'room', account: 2, room: 2, thread: 71 })).toBe(false);
    expect(sameView({ type: 'chats' }, { type: 'chats' })).toBe(true);
    expect(sameView({ type: 'chats' }, { type: 'all' })).toBe(false);
  });
});
