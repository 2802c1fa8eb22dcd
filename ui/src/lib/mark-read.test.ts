import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MARK_READ_DELAY_MS, ReadTimer } from './mark-read';

describe('ReadTimer', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('fires once the delay has passed', () => {
    const fired: number[] = [];
    const timer = new ReadTimer((id) => fired.push(id));
    timer.schedule(7);
    vi.advanceTimersByTime(MARK_READ_DELAY_MS - 1);
    expect(fired).toEqual([]);
    expect(timer.pending).toBe(7);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual([7]);
    expect(timer.pending).toBeNull();
  });

  it('a new item replaces the pending one; cancel drops it', () => {
    const fired: number[] = [];
    const timer = new ReadTimer((id) => fired.push(id), 1000);
    timer.schedule(1);
    vi.advanceTimersByTime(900);
    timer.schedule(2);
    vi.advanceTimersByTime(900);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(100);
    expect(fired).toEqual([2]);

    timer.schedule(3);
    timer.cancel(4); // another item: no effect
    expect(timer.pending).toBe(3);
    timer.cancel(3);
    timer.schedule(5);
    timer.cancel();
    vi.advanceTimersByTime(5000);
    expect(fired).toEqual([2]);
  });
});
