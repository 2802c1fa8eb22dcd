// The window's per-domain stores (reading, send, sources, notices) on small fixtures: a stub
// backend with only the calls each test needs.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Backend, ItemDetail, OutboxEntry } from '../backend';
import { makeDetail, makeRoom, makeTodo } from '../test/items';
import { Notices } from './notices.svelte';
import { Reading } from './reading.svelte';
import { SendStore } from './send.svelte';
import { Sources } from './sources.svelte';

function stub(calls: Partial<Backend>): Backend {
  return calls as Backend;
}

/** A promise and the functions that settle it. */
function later<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

afterEach(() => vi.useRealTimers());

describe('Reading', () => {
  it('shows a task with the mail it was made from, and a thread as its conversation', async () => {
    const mail = makeDetail({ id: 1, title: 'Budget', thread_size: 2, thread: 1 });
    const task = makeDetail({ id: 2, kind: 'task', title: 'Budget', todo: makeTodo({ mail: 1 }) });
    const reply = makeDetail({ id: 3, thread: 1 });
    const shown: Record<number, ItemDetail> = { 1: mail, 2: task };
    const backend = stub({ show: async (id) => shown[id], thread: async () => [mail, reply] });
    const reading = new Reading(backend, () => {}, new Sources(backend, () => {}));
    reading.open(2);
    expect([reading.selected, reading.opened, reading.detail]).toEqual([2, 2, null]);
    await vi.waitFor(() => expect(reading.detail?.id).toBe(2));
    expect(reading.linked?.id).toBe(1);
    expect(reading.conversation).toBeNull();
    reading.open(1);
    await vi.waitFor(() => expect(reading.conversation?.map((m) => m.id)).toEqual([1, 3]));
    expect(reading.linked).toBeNull();
    expect(reading.loading).toBe(false);
  });

  it('drops the answer for an item no longer open, and its error', async () => {
    const slow = later<ItemDetail>();
    const report = vi.fn();
    const backend = stub({
      show: (id) => (id === 1 ? slow.promise : id === 2 ? Promise.resolve(makeDetail({ id: 2 })) : Promise.reject({ code: 'not_found', message: 'gone' })),
    });
    const reading = new Reading(backend, report, new Sources(backend, () => {}));
    reading.open(1);
    reading.open(2);
    await vi.waitFor(() => expect(reading.detail?.id).toBe(2));
    slow.resolve(makeDetail({ id: 1 }));
    await Promise.resolve();
    expect(reading.detail?.id).toBe(2);
    reading.open(3);
    reading.close();
    await new Promise((r) => setTimeout(r, 0));
    expect(report).not.toHaveBeenCalled();
    expect([reading.opened, reading.detail, reading.selected]).toEqual([null, null, 3]);
  });
});

describe('SendStore', () => {
  const entry = (patch: Partial<OutboxEntry>): OutboxEntry => ({ id: 7, state: 'queued', error: null, can_cancel: true, send_at: null, ...patch }) as OutboxEntry;

  it('with no account to send from says so instead of opening an empty window', () => {
    const notices = new Notices();
    const send = new SendStore(stub({}), notices);
    send.compose([]);
    expect(send.composing).toBeNull();
    expect(notices.list).toHaveLength(1);
  });

  it('a queued send can be undone: the text comes back in the compose window', async () => {
    vi.useFakeTimers();
    const notices = new Notices();
    const cancelSend = vi.fn(async () => entry({ state: 'cancelled' }));
    const backend = stub({
      send: async () => entry({ send_at: new Date(Date.now() + 10_000).toISOString() }),
      outbox: async () => [],
      cancelSend,
    });
    const send = new SendStore(backend, notices);
    send.composing = { id: 4, account: 1, to: ['a@example.org'], cc: [], subject: 'Hi', body: 'x', reply_to_item: null, forward_of: null };
    await send.send({ account: 1, to: ['b@example.org'], subject: 'Hello', body: 'Text' });
    expect(send.composing).toBeNull();
    const notice = notices.list[notices.list.length - 1];
    expect(notice?.kind === 'info' && notice.action).toBeTruthy();
    if (notice?.kind !== 'info' || !notice.action) return;
    notice.action.run();
    await vi.waitFor(() => expect(send.composing).not.toBeNull());
    expect(cancelSend).toHaveBeenCalledWith(7);
    expect(send.composing).toMatchObject({ id: null, to: ['b@example.org'], subject: 'Hello', body: 'Text' });
  });
});

describe('Sources', () => {
  it('keeps the latest answer when two arrive out of order, and counts unread chat of shown accounts', async () => {
    const first = later<Awaited<ReturnType<Backend['chatRooms']>>>();
    const second = later<Awaited<ReturnType<Backend['chatRooms']>>>();
    const answers = [first.promise, second.promise];
    const backend = stub({ chatRooms: () => answers.shift() ?? Promise.resolve([]) });
    const sources = new Sources(backend, () => {});
    sources.accounts = [
      { id: 1, kind: 'matrix', in_timeline: true } as never,
      { id: 2, kind: 'matrix', in_timeline: false } as never,
    ];
    const a = sources.loadRooms();
    const b = sources.loadRooms();
    second.resolve([makeRoom({ id: 1, account: 1, unread: 2, membership: 'join' }), makeRoom({ id: 2, account: 2, unread: 5, membership: 'join' })]);
    first.resolve([]);
    await Promise.all([a, b]);
    expect(sources.rooms.map((r) => r.id)).toEqual([1, 2]);
    expect(sources.chatsUnread).toBe(2);
  });
});
