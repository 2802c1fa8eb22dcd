import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ApiError } from '../backend';
import { createFakeBackend, WEDGED_AFTER } from '../test/fake-backend';
import { PENDING_POLL_MS, PendingStore } from './pending.svelte';

afterEach(() => vi.useRealTimers());

describe('PendingStore', () => {
  it('counts the queue and polls while it is not empty', async () => {
    vi.useFakeTimers();
    const fake = createFakeBackend({ offline: true });
    const errors: ApiError[] = [];
    const pending = new PendingStore(fake, (e) => errors.push(e));
    await pending.refresh();
    expect(pending.count).toBe(0);

    const [first] = await fake.timeline({});
    await fake.mark(first.id, { flagged: false });
    const ops = vi.spyOn(fake, 'ops');
    // Not polling while empty.
    await vi.advanceTimersByTimeAsync(PENDING_POLL_MS * 2);
    expect(ops).not.toHaveBeenCalled();

    await pending.refresh();
    expect(pending.count).toBe(1);
    await vi.advanceTimersByTimeAsync(PENDING_POLL_MS);
    expect(ops).toHaveBeenCalledTimes(2);

    fake.setOffline(false);
    await vi.advanceTimersByTimeAsync(PENDING_POLL_MS);
    expect(pending.count).toBe(0);
    await vi.advanceTimersByTimeAsync(PENDING_POLL_MS * 3);
    expect(ops).toHaveBeenCalledTimes(3);
    pending.stop();
    expect(errors).toEqual([]);
  });

  it('retries a wedged op and refreshes', async () => {
    const fake = createFakeBackend({ offline: true });
    const pending = new PendingStore(fake, () => {});
    const [first] = await fake.timeline({});
    await fake.mark(first.id, { unread: false });
    for (let i = 0; i < WEDGED_AFTER; i++) await pending.refresh();
    expect(pending.ops).toMatchObject([{ state: 'wedged', attempts: WEDGED_AFTER }]);

    // Still offline: pending again, one fresh failed attempt.
    await pending.retry(pending.ops[0].id);
    expect(pending.ops).toMatchObject([{ state: 'pending', attempts: 1 }]);
    expect(pending.retrying).toEqual([]);

    fake.setOffline(false);
    await pending.refresh();
    expect(pending.count).toBe(0);
    pending.stop();
  });

  it('reports a failed retry', async () => {
    const fake = createFakeBackend();
    const errors: ApiError[] = [];
    const pending = new PendingStore(fake, (e) => errors.push(e));
    await pending.retry(42);
    expect(errors).toMatchObject([{ code: 'not_found' }]);
  });
});
