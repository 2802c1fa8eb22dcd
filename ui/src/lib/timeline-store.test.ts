import { describe, expect, it } from 'vitest';
import type { ApiError } from '../backend';
import { createFakeBackend } from '../test/fake-backend';
import { PAGE_SIZE, TimelineStore } from './timeline-store.svelte';

/** Lets the backend read its open views again and send their diffs. */
const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
};

function setup(seed = true) {
  const fake = createFakeBackend({ seed });
  const errors: ApiError[] = [];
  const store = new TimelineStore(fake, (e) => errors.push(e));
  return { fake, store, errors };
}

describe('TimelineStore', () => {
  it('opens the view, then replays the diffs the core sends', async () => {
    const { fake, store, errors } = setup(false);
    await store.load();
    expect(store.items).toEqual([]);
    expect(store.loading).toBe(false);

    await fake.openSample();
    await settle();
    expect(store.items).toEqual(await fake.timeline({ limit: PAGE_SIZE }));
    expect(store.items[0].title).toBe('Welcome to Satu');

    const first = store.items[0];
    fake.update(first.id, { title: 'Changed' });
    fake.remove(store.items[1].id);
    await settle();
    expect(store.items[0]).toMatchObject({ id: first.id, title: 'Changed' });
    expect(store.items).toEqual(await fake.timeline({ limit: PAGE_SIZE }));
    expect(errors).toEqual([]);
  });

  it('pages older items through the view, and keeps the unread view unread', async () => {
    const { fake, store } = setup(false);
    await fake.openSample();
    await store.load({ type: 'unread' });
    expect(store.items.length).toBeGreaterThan(0);
    expect(store.items.every((i) => i.unread)).toBe(true);
    expect(store.complete).toBe(true);

    const read = store.items[0];
    fake.update(read.id, { unread: false });
    await settle();
    expect(store.items.map((i) => i.id)).not.toContain(read.id);

    // Older pages: the view grows by a page at a time until complete.
    for (let i = 0; i < 60; i++) fake.receive(`Old ${i}`, ['Someone', 'someone@example.com']);
    await store.load({ type: 'all' });
    expect(store.items).toHaveLength(PAGE_SIZE);
    expect(store.complete).toBe(false);
    await store.loadOlder();
    expect(store.items).toEqual(await fake.timeline({ limit: 1000 }));
    expect(store.complete).toBe(true);
  });

  it('shows search results, which follow the store too, and reports errors', async () => {
    const { fake, store, errors } = setup();
    await store.load({ type: 'search', text: 'lunch' });
    expect(store.items.map((i) => i.title)).toEqual(['Lunch?']);
    fake.receive('Lunch on Friday', ['Wei Ling', 'weiling@example.com']);
    await settle();
    expect(store.items.map((i) => i.title)).toEqual(['Lunch on Friday', 'Lunch?']);
    expect(errors).toEqual([]);
    await store.load({ type: 'account', account: 999 });
    expect(errors).toMatchObject([{ code: 'not_found' }]);
  });

  it('grouped by conversation: one row per thread, moved up by a new reply', async () => {
    const { fake, store, errors } = setup();
    store.threads = true;
    await store.load();
    const holiday = store.items.filter((i) => i.title.endsWith('Holiday plans'));
    expect(holiday.map((i) => [i.title, i.thread_size])).toEqual([['Re: Holiday plans', 2]]);

    const reply = fake.receive('Re: Holiday plans', ['Ahmad Faiz', 'faiz@example.com']);
    await settle();
    expect(store.items[0]).toMatchObject({ id: reply.id, thread_size: 3, thread_unread: 1 });
    expect(store.items.filter((i) => i.title.endsWith('Holiday plans'))).toHaveLength(1);

    // The newest message goes: the conversation is shown by the one before it again.
    fake.remove(reply.id);
    await settle();
    expect(store.items.filter((i) => i.title.endsWith('Holiday plans')).map((i) => i.thread_size)).toEqual([2]);
    expect(store.items).toEqual(await fake.timeline({ limit: PAGE_SIZE, threads: true }));

    // An action on a conversation row is for all of its messages in the view.
    const row = store.items.find((i) => i.title === 'Re: Holiday plans');
    expect(row).toBeDefined();
    expect((await store.members(row!)).map((i) => i.title)).toEqual(['Re: Holiday plans', 'Holiday plans']);
    store.threads = false;
    expect((await store.members(row!)).map((i) => i.id)).toEqual([row!.id]);
    expect(errors).toEqual([]);
  });

  it('a chat room: its messages only, never grouped; a sent message shows, once', async () => {
    const fake = createFakeBackend({ chat: true });
    const store = new TimelineStore(fake, () => {});
    const [team] = (await fake.chatRooms()).filter((r) => r.name === 'Harbour Museum team');
    store.threads = true;
    await store.load({ type: 'room', account: team.account, room: team.id, thread: team.thread });
    expect(store.grouped).toBe(false);
    expect(store.items).toHaveLength(5);
    expect(store.items.every((i) => i.chat?.room === team.id)).toBe(true);

    const sent = await fake.chatSend(String(team.id), 'On it', null);
    await settle();
    expect(store.items[0]).toMatchObject({ id: sent.id, chat: { state: 'sent' } });
    expect(store.items.filter((i) => i.id === sent.id)).toHaveLength(1);

    // Chats, grouped: a row per room.
    await store.load({ type: 'chats' });
    expect(store.items.map((i) => i.title).sort()).toEqual(['Harbour Museum team', 'Security team', 'Wei Ling']);
    // A room without messages is empty, and complete; its first message comes in.
    const [club] = (await fake.chatRooms()).filter((r) => r.name === 'Book club');
    await store.load({ type: 'room', account: club.account, room: club.id, thread: club.thread });
    expect(store.items).toEqual([]);
    expect(store.complete).toBe(true);
  });
});
