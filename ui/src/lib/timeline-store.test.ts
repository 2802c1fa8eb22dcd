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
});
