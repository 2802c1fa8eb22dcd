import { describe, expect, it } from 'vitest';
import { localDay } from './due';

describe('localDay', () => {
  it('is the day in local time that the picker shows', () => {
    const midnight = new Date(2026, 11, 24, 0, 0, 0).toISOString();
    expect(localDay(midnight)).toBe('2026-12-24');
    const evening = new Date(2027, 0, 5, 23, 30, 0).toISOString();
    expect(localDay(evening)).toBe('2027-01-05');
    expect(localDay('not a time')).toBe('');
  });
});
