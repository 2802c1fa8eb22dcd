import { describe, expect, it } from 'vitest';
import { visibleRange } from './virtual';

describe('visibleRange', () => {
  it('keeps the rows in view and a margin around them', () => {
    // 100 000 rows of 76 px, a 760 px view scrolled to row 5 000.
    expect(visibleRange(100_000, 5_000 * 76, 760, 76, 10)).toEqual({ first: 4_990, last: 5_020 });
  });

  it('stops at both ends', () => {
    expect(visibleRange(100_000, 0, 760, 76, 10)).toEqual({ first: 0, last: 20 });
    expect(visibleRange(30, 10_000, 760, 76, 10)).toEqual({ first: 30, last: 30 });
    expect(visibleRange(5, 0, 760, 76, 10)).toEqual({ first: 0, last: 5 });
    expect(visibleRange(0, 0, 760, 76, 10)).toEqual({ first: 0, last: 0 });
  });

  it('survives odd input', () => {
    expect(visibleRange(50, -300, 760, 76, 10)).toEqual({ first: 0, last: 20 });
    expect(visibleRange(50, 0, -1, 76, 10)).toEqual({ first: 0, last: 10 });
    expect(visibleRange(50, 0, 760, 0, 10)).toEqual({ first: 0, last: 0 });
  });
});
