import { describe, expect, it } from 'vitest';
import { priorityLevel } from './priority';

describe('priorityLevel', () => {
  it('puts 1–4 high, 5 medium, 6–9 low, and nothing else anywhere', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].map(priorityLevel)).toEqual([
      'high',
      'high',
      'high',
      'high',
      'medium',
      'low',
      'low',
      'low',
      'low',
    ]);
    expect(priorityLevel(null)).toBeNull();
    expect(priorityLevel(undefined)).toBeNull();
    expect(priorityLevel(0)).toBeNull();
    expect(priorityLevel(10)).toBeNull();
    expect(priorityLevel(2.5)).toBeNull();
  });
});
