import { describe, expect, it } from 'vitest';
import type { Item, ViewDiffs } from '../backend';
import { makeItem } from '../test/items';
import { sameView } from './timeline';
import { applyDiffs, DiffQueue, diffRows } from './view-diff';

const item = (id: number, title = `Item ${id}`): Item => makeItem({ id, title });
const ids = (items: Item[]) => items.map((i) => i.id);
const batch = (version: number, diffs: ViewDiffs['diffs'] = []): ViewDiffs => ({ view: 1, version, diffs, complete: true });

describe('applyDiffs', () => {
  it('replays the steps in order, each on the list the ones before left', () => {
    const list = [item(3), item(2), item(1)];
    const out = applyDiffs(list, [
      { op: 'remove', index: 1 },
      { op: 'insert', index: 0, item: item(4) },
      { op: 'set', index: 2, item: item(1, 'Changed') },
    ]);
    expect(ids(out)).toEqual([4, 3, 1]);
    expect(out[2].title).toBe('Changed');
    expect(ids(list)).toEqual([3, 2, 1]); // not modified
    expect(ids(applyDiffs(list, [{ op: 'reset', items: [item(9)] }]))).toEqual([9]);
  });

  it('refuses a step past the end (out of step with the core)', () => {
    expect(() => applyDiffs([item(1)], [{ op: 'remove', index: 1 }])).toThrow();
    expect(() => applyDiffs([], [{ op: 'set', index: 0, item: item(1) }])).toThrow();
    expect(() => applyDiffs([], [{ op: 'insert', index: 1, item: item(1) }])).toThrow();
  });
});

describe('DiffQueue', () => {
  it('applies batches in version order, holds an early one, drops an old one', () => {
    const queue = new DiffQueue(0);
    expect(queue.take(batch(2)).map((b) => b.version)).toEqual([]);
    expect(queue.take(batch(1)).map((b) => b.version)).toEqual([1, 2]);
    expect(queue.take(batch(2))).toEqual([]);
    expect(queue.take(batch(3)).map((b) => b.version)).toEqual([3]);
    expect(queue.version).toBe(3);
  });
});

describe('diffRows (the fake backend playing the core)', () => {
  it('turns any list into any other, in few steps for what a timeline does', () => {
    const old = [item(3), item(2), item(1)];
    expect(diffRows(old, old)).toEqual([]);
    expect(diffRows(old, [item(4), ...old])).toEqual([{ op: 'insert', index: 0, item: item(4) }]);
    expect(diffRows(old, [item(3), item(1)])).toEqual([{ op: 'remove', index: 1 }]);
    expect(diffRows(old, [item(3), item(2, 'New'), item(1)])).toEqual([{ op: 'set', index: 1, item: item(2, 'New') }]);
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let round = 0; round < 500; round++) {
      const make = () => {
        const chosen = [...new Set(Array.from({ length: random(10) }, () => random(15)))];
        return chosen.map((id) => item(id, random(2) ? 'a' : 'b'));
      };
      const [a, b] = [make(), make()];
      expect(applyDiffs(a, diffRows(a, b))).toEqual(b);
    }
  });
});

describe('sameView', () => {
  it('a room is the same room whatever its key', () => {
    expect(sameView({ type: 'room', account: 2, room: 1, thread: null }, { type: 'room', account: 2, room: 1, thread: 71 })).toBe(true);
    expect(sameView({ type: 'room', account: 2, room: 1, thread: 71 }, { type: 'room', account: 2, room: 2, thread: 71 })).toBe(false);
    expect(sameView({ type: 'chats' }, { type: 'chats' })).toBe(true);
    expect(sameView({ type: 'chats' }, { type: 'all' })).toBe(false);
  });
});
