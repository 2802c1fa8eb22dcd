import { describe, expect, it } from 'vitest';
import type { ApiError } from '../backend';
import { createFakeBackend } from '../backend/fake';
import { PAGE_SIZE, TimelineStore } from './timeline-store.svelte';

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

function setup(seed = true) {
  const fake = createFakeBackend({ seed });
  const errors: ApiError[] = [];
  const store = new TimelineStore(fake, (e) => errors.push(e));
  fake.onChange((change) => store.handleChange(change));
  return { fake, store, errors };
}

describe('TimelineStore', () => {
  it('loads the view, then applies change events as diffs', async () => {
    const { fake, store, errors } = setup(false);
    await store.load();
    expect(store.items).toEqual([]);
    expect(store.loading).toBe(false);

    await fake.openSample();
    await tick();
    await store.handleChange({ change: 'removed', id: -1, kind: 'mail', title: '' });
    expect(store.items).toEqual(await fake.timeline({ limit: PAGE_SIZE }));
    expect(store.items[0].title).toBe('Welcome to Satu');

    const first = store.items[0];
    fake.update(first.id, { title: 'Changed' });
    fake.remove(store.items[1].id);
    await store.handleChange({ change: 'removed', id: -1, kind: 'mail', title: '' });
    expect(store.items[0]).toMatchObject({ id: first.id, title: 'Changed' });
    expect(store.items).toEqual(await fake.timeline({ limit: PAGE_SIZE }));
    expect(errors).toEqual([]);
  });

  it('pages older items with before, and keeps the unread view unread', async () => {
    const { fake, store } = setup(false);
    await fake.openSample();
    await store.load({ type: 'unread' });
    expect(store.items.length).toBeGreaterThan(0);
    expect(store.items.every((i) => i.unread)).toBe(true);
    expect(store.complete).toBe(true);

    const read = store.items[0];
    fake.update(read.id, { unread: false });
    await store.handleChange({ change: 'removed', id: -1, kind: 'mail', title: '' });
    expect(store.items.map((i) => i.id)).not.toContain(read.id);
  });

  it('shows search results and reports errors', async () => {
    const { store, errors } = setup();
    await store.load({ type: 'search', text: 'lunch' });
    expect(store.items.map((i) => i.title)).toEqual(['Lunch?']);
    await store.handleChange({ change: 'updated', id: 999, kind: 'mail', title: '' });
    expect(errors).toEqual([]); // not_found after a change = the item is gone, not an error
    store.complete = false;
    store.view = { type: 'all' };
    store.items = [{ ...store.items[0], id: 12345 }];
    await store.loadOlder();
    expect(errors).toMatchObject([{ code: 'not_found' }]);
  });

  it('grouped by conversation: one row per thread, moved up by a new reply, diffs only', async () => {
    const { fake, store, errors } = setup();
    store.threads = true;
    await store.load();
    const holiday = store.items.filter((i) => i.title.endsWith('Holiday plans'));
    expect(holiday.map((i) => [i.title, i.thread_size])).toEqual([['Re: Holiday plans', 2]]);
    let asked = 0;
    const timeline = fake.timeline.bind(fake);
    fake.timeline = (query) => {
      asked += 1;
      return timeline(query);
    };

    const reply = fake.receive('Re: Holiday plans', ['Ahmad Faiz', 'faiz@example.com']);
    await store.handleChange({ change: 'removed', id: -1, kind: 'mail', title: '' });
    expect(store.items[0]).toMatchObject({ id: reply.id, thread_size: 3, thread_unread: 1 });
    expect(store.items.filter((i) => i.title.endsWith('Holiday plans'))).toHaveLength(1);
    // One small question (that thread's head), not a reload.
    expect(asked).toBe(1);

    // The newest message goes: the conversation is shown by the one before it again.
    fake.remove(reply.id);
    await store.handleChange({ change: 'removed', id: -1, kind: 'mail', title: '' });
    expect(store.items.filter((i) => i.title.endsWith('Holiday plans')).map((i) => i.thread_size)).toEqual([2]);
    expect(store.items).toEqual(await timeline({ limit: PAGE_SIZE, threads: true }));

    // An action on a conversation row is for all of its messages in the view.
    const row = store.items.find((i) => i.title === 'Re: Holiday plans');
    expect(row).toBeDefined();
    expect((await store.members(row!)).map((i) => i.title)).toEqual(['Re: Holiday plans', 'Holiday plans']);
    store.threads = false;
    expect((await store.members(row!)).map((i) => i.id)).toEqual([row!.id]);
    expect(errors).toEqual([]);
  });

  it('a chat room: its messages only, never grouped; a sent message shows at once', async () => {
    const fake = createFakeBackend({ chat: true });
    const store = new TimelineStore(fake, () => {});
    const [team] = (await fake.chatRooms()).filter((r) => r.name === 'Harbour Museum team');
    store.threads = true;
    await store.load({ type: 'room', account: team.account, room: team.id, thread: team.thread });
    expect(store.grouped).toBe(false);
    expect(store.items).toHaveLength(5);
    expect(store.items.every((i) => i.chat?.room === team.id)).toBe(true);

    const sent = await fake.chatSend(String(team.id), 'On it', null);
    store.show(sent);
    expect(store.items[0]).toMatchObject({ id: sent.id, chat: { state: 'sent' } });
    // Its change event changes nothing more.
    await store.handleChange({ change: 'added', id: sent.id, kind: 'chat', title: sent.title });
    expect(store.items.filter((i) => i.id === sent.id)).toHaveLength(1);

    // Chats, grouped: a row per room.
    await store.load({ type: 'chats' });
    expect(store.items.map((i) => i.title).sort()).toEqual(['Harbour Museum team', 'Security team', 'Wei Ling']);
    // A room without messages asks for nothing.
    const [club] = (await fake.chatRooms()).filter((r) => r.name === 'Book club');
    await store.load({ type: 'room', account: club.account, room: club.id, thread: club.thread });
    expect(store.items).toEqual([]);
    expect(store.complete).toBe(true);
  });
});
