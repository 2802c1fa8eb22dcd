// Applying the diffs of a view that the core sends (crates/core/src/timeline/diff.rs): the window
// never decides which item belongs where; it only replays the steps, in version order.
import type { Diff as Step, Item, ViewDiffs } from '../backend';

/** `items` after `diffs` (a new array; `items` is not changed). Throws on a step past the end. */
export function applyDiffs(items: readonly Item[], diffs: readonly Step<Item>[]): Item[] {
  const list = [...items];
  for (const step of diffs) {
    switch (step.op) {
      case 'reset':
        list.splice(0, list.length, ...step.items);
        break;
      case 'insert':
        if (step.index > list.length) throw new Error(`insert at ${step.index} of ${list.length} rows`);
        list.splice(step.index, 0, step.item);
        break;
      case 'set':
        if (step.index >= list.length) throw new Error(`set at ${step.index} of ${list.length} rows`);
        list[step.index] = step.item;
        break;
      case 'remove':
        if (step.index >= list.length) throw new Error(`remove at ${step.index} of ${list.length} rows`);
        list.splice(step.index, 1);
        break;
    }
  }
  return list;
}

/**
 * Puts batches of a view's diffs in version order: a batch applies on top of the version before
 * it; one that comes early (a `view_more` answer and a change's diffs cross) waits for the ones
 * before it; one from before the current version is dropped.
 */
export class DiffQueue {
  private waiting = new Map<number, ViewDiffs>();

  constructor(public version: number) {}

  /** The batches that can be applied now, in order (possibly none). */
  take(batch: ViewDiffs): ViewDiffs[] {
    if (batch.version <= this.version) return [];
    this.waiting.set(batch.version, batch);
    const ready: ViewDiffs[] = [];
    for (let next = this.waiting.get(this.version + 1); next; next = this.waiting.get(this.version + 1)) {
      this.waiting.delete(next.version);
      this.version = next.version;
      ready.push(next);
    }
    return ready;
  }
}

/**
 * The steps that turn `old` into `now` (the same rules as the core's `diff`): used by the tests'
 * fake backend (src/test/fake-backend.ts) to play the core.
 */
export function diffRows(old: readonly Item[], now: readonly Item[]): Step<Item>[] {
  const wanted = new Set(now.map((item) => item.id));
  const list = [...old];
  const steps: Step<Item>[] = [];
  for (let index = list.length - 1; index >= 0; index--) {
    if (!wanted.has(list[index].id)) {
      list.splice(index, 1);
      steps.push({ op: 'remove', index });
    }
  }
  now.forEach((item, index) => {
    if (list[index]?.id === item.id) {
      if (JSON.stringify(list[index]) !== JSON.stringify(item)) {
        list[index] = item;
        steps.push({ op: 'set', index, item });
      }
      return;
    }
    const at = list.findIndex((row, i) => i >= index && row.id === item.id);
    if (at >= 0) {
      list.splice(at, 1);
      steps.push({ op: 'remove', index: at });
    }
    list.splice(index, 0, item);
    steps.push({ op: 'insert', index, item });
  });
  while (list.length > now.length) {
    list.pop();
    steps.push({ op: 'remove', index: list.length });
  }
  return steps.length > Math.max(now.length, 1) ? [{ op: 'reset', items: [...now] }] : steps;
}
