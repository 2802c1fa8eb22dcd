import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addMonths,
  alarmInWords,
  bounds,
  dayKey,
  eventWhen,
  eventsOn,
  layoutBars,
  layoutDay,
  monthCells,
  parseDay,
  parseRule,
  period,
  repeatOf,
  rruleOf,
  ruleInWords,
  shiftAnchor,
  span,
  utcToZoned,
  wallMinutes,
  zoneOffset,
  zonedToUtc,
  type Timed,
} from './calendar';

declare const process: { env: Record<string, string | undefined> };

// Local time is Berlin's here: its clocks go forward on 28 March 2027 and back on 31 October.
const originalTz = process.env.TZ;
beforeAll(() => {
  process.env.TZ = 'Europe/Berlin';
});
afterAll(() => {
  if (originalTz === undefined) delete process.env.TZ;
  else process.env.TZ = originalTz;
});

const timed = (start: string, end: string, rest: Record<string, unknown> = {}): Timed & { id: number } => ({
  id: 0,
  start,
  end,
  all_day: false,
  ...rest,
});
const allDay = (start: string, end: string, id = 0): Timed & { id: number } => ({ id, start, end, all_day: true });

describe('periods', () => {
  it('runs this test in Berlin time', () => {
    expect(new Date('2027-01-05T08:00:00Z').getHours()).toBe(9);
    expect(new Date('2027-07-05T08:00:00Z').getHours()).toBe(10);
  });

  it('a week starts on Monday and covers seven local days', () => {
    const week = period('week', parseDay('2027-01-07')); // a Thursday
    expect(week.days.map(dayKey)).toEqual([
      '2027-01-04',
      '2027-01-05',
      '2027-01-06',
      '2027-01-07',
      '2027-01-08',
      '2027-01-09',
      '2027-01-10',
    ]);
    expect(bounds(week)).toEqual({ from: '2027-01-03T23:00:00Z', to: '2027-01-10T23:00:00Z' });
    // A Sunday belongs to the week before.
    expect(dayKey(period('week', parseDay('2027-01-10')).start)).toBe('2027-01-04');
  });

  it('the DST week in Berlin has 7 days but 167 hours', () => {
    const week = period('week', parseDay('2027-03-25'));
    expect(week.days.map(dayKey)).toEqual([
      '2027-03-22',
      '2027-03-23',
      '2027-03-24',
      '2027-03-25',
      '2027-03-26',
      '2027-03-27',
      '2027-03-28',
    ]);
    // CET (+01:00) at the start, CEST (+02:00) at the end.
    expect(bounds(week)).toEqual({ from: '2027-03-21T23:00:00Z', to: '2027-03-28T22:00:00Z' });
    expect((week.end.getTime() - week.start.getTime()) / 3_600_000).toBe(167);
    expect(dayKey(shiftAnchor('week', week.anchor, 1))).toBe('2027-04-01');
    expect(bounds(period('week', shiftAnchor('week', week.anchor, 1))).from).toBe('2027-03-28T22:00:00Z');
  });

  it('a month shows whole weeks, Monday to Sunday', () => {
    const month = period('month', parseDay('2027-02-14'));
    // February 2027 starts on a Monday and has exactly four weeks.
    expect(dayKey(month.start)).toBe('2027-02-01');
    expect(dayKey(month.end)).toBe('2027-03-01');
    expect(month.days).toHaveLength(28);
    const march = period('month', parseDay('2027-03-31'));
    expect(dayKey(march.start)).toBe('2027-03-01');
    expect(dayKey(march.end)).toBe('2027-04-05');
    expect(march.days).toHaveLength(35);
    const may = period('month', parseDay('2027-05-01'));
    expect(dayKey(may.start)).toBe('2027-04-26');
    expect(may.days).toHaveLength(42);
  });

  it('moves by days, weeks and months (a month keeps the day, or the last one)', () => {
    expect(dayKey(shiftAnchor('day', parseDay('2027-03-27'), 1))).toBe('2027-03-28');
    expect(dayKey(shiftAnchor('day', parseDay('2027-03-28'), 1))).toBe('2027-03-29');
    expect(dayKey(shiftAnchor('week', parseDay('2027-01-07'), -1))).toBe('2026-12-31');
    expect(dayKey(addMonths(parseDay('2027-01-31'), 1))).toBe('2027-02-28');
    expect(dayKey(shiftAnchor('month', parseDay('2027-12-15'), 1))).toBe('2028-01-15');
  });
});

describe('placing events', () => {
  it('all-day events span local days; the end is exclusive', () => {
    const event = allDay('2027-03-27', '2027-03-29');
    const s = span(event);
    expect(new Date(s.start).toISOString()).toBe('2027-03-26T23:00:00.000Z');
    expect(new Date(s.end).toISOString()).toBe('2027-03-28T22:00:00.000Z');
    expect(eventsOn([event], parseDay('2027-03-26'))).toEqual([]);
    expect(eventsOn([event], parseDay('2027-03-28'))).toEqual([event]);
    expect(eventsOn([event], parseDay('2027-03-29'))).toEqual([]);
  });

  it('puts timed events at their local wall-clock time, also across the DST change', () => {
    const monday = timed('2027-03-22T08:00:00Z', '2027-03-22T09:30:00Z'); // 09:00–10:30 CET
    const sunday = timed('2027-03-28T07:00:00Z', '2027-03-28T08:00:00Z'); // 09:00–10:00 CEST
    const [m] = layoutDay([monday], parseDay('2027-03-22'));
    expect([m.top, m.height]).toEqual([9 * 60, 90]);
    const [s] = layoutDay([sunday], parseDay('2027-03-28'));
    expect([s.top, s.height]).toEqual([9 * 60, 60]);
    // Over the skipped hour: 01:30 CET to 03:30 CEST is one real hour, two on the clock.
    const night = timed('2027-03-28T00:30:00Z', '2027-03-28T01:30:00Z');
    const [n] = layoutDay([night], parseDay('2027-03-28'));
    expect([n.top, n.height]).toEqual([90, 120]);
    expect(wallMinutes(Date.parse('2027-03-28T21:59:00Z'), parseDay('2027-03-28'))).toBe(23 * 60 + 59);
  });

  it('clips events that cross midnight to each day', () => {
    const late = timed('2027-01-05T21:00:00Z', '2027-01-06T01:00:00Z'); // 22:00–02:00
    const [first] = layoutDay([late], parseDay('2027-01-05'));
    expect(first).toMatchObject({ top: 22 * 60, height: 120, startsBefore: false, endsAfter: true });
    const [second] = layoutDay([late], parseDay('2027-01-06'));
    expect(second).toMatchObject({ top: 0, height: 120, startsBefore: true, endsAfter: false });
    expect(layoutDay([late], parseDay('2027-01-07'))).toEqual([]);
  });

  it('puts overlapping events side by side, touching ones in one column', () => {
    const a = timed('2027-01-05T08:00:00Z', '2027-01-05T10:00:00Z', { id: 1 }); // 09–11
    const b = timed('2027-01-05T09:00:00Z', '2027-01-05T10:00:00Z', { id: 2 }); // 10–11
    const c = timed('2027-01-05T10:00:00Z', '2027-01-05T11:00:00Z', { id: 3 }); // 11–12, after both
    const d = timed('2027-01-05T09:30:00Z', '2027-01-05T11:00:00Z', { id: 4 }); // 10:30–12
    const e = timed('2027-01-05T14:00:00Z', '2027-01-05T15:00:00Z', { id: 5 }); // alone
    const placed = layoutDay([e, d, c, b, a], parseDay('2027-01-05'));
    const byId = Object.fromEntries(placed.map((p) => [p.event.id, [p.column, p.columns]]));
    expect(byId).toEqual({ 1: [0, 3], 2: [1, 3], 4: [2, 3], 3: [0, 3], 5: [0, 1] });
  });

  it('gives short events a minimum height, also for overlaps', () => {
    const a = timed('2027-01-05T08:00:00Z', '2027-01-05T08:05:00Z', { id: 1 });
    const b = timed('2027-01-05T08:10:00Z', '2027-01-05T08:20:00Z', { id: 2 });
    const placed = layoutDay([a, b], parseDay('2027-01-05'), 20);
    expect(placed.map((p) => [p.height, p.column, p.columns])).toEqual([
      [20, 0, 2],
      [20, 1, 2],
    ]);
    // At the end of the day it stays inside the day.
    const [last] = layoutDay([timed('2027-01-05T22:55:00Z', '2027-01-05T23:00:00Z')], parseDay('2027-01-05'), 20);
    expect(last.top + last.height).toBe(24 * 60);
  });

  it('lays all-day events out as bars over the week, in rows', () => {
    const week = period('week', parseDay('2027-03-25'));
    const long = allDay('2027-03-20', '2027-03-24', 1); // Sat before … Tue: Mon–Tue here
    const mid = allDay('2027-03-23', '2027-03-26', 2); // Tue–Thu
    const end = allDay('2027-03-27', '2027-04-02', 3); // Sat … next Thu
    const { bars, rows } = layoutBars([mid, end, long], week.days);
    expect(rows).toBe(2);
    const byId = Object.fromEntries(bars.map((b) => [b.event.id, [b.first, b.span, b.row, b.startsBefore, b.endsAfter]]));
    expect(byId).toEqual({
      1: [0, 2, 0, true, false],
      2: [1, 3, 1, false, false],
      3: [5, 2, 0, false, true],
    });
  });

  it('fills month cells with "+N more" and marks today', () => {
    const month = period('month', parseDay('2027-02-10'));
    const events = [
      allDay('2027-02-10', '2027-02-11', 1),
      timed('2027-02-10T08:00:00Z', '2027-02-10T09:00:00Z', { id: 2 }),
      timed('2027-02-10T10:00:00Z', '2027-02-10T11:00:00Z', { id: 3 }),
      timed('2027-02-10T12:00:00Z', '2027-02-10T13:00:00Z', { id: 4 }),
      timed('2027-02-11T12:00:00Z', '2027-02-11T13:00:00Z', { id: 5 }),
    ];
    const cells = monthCells(events, month, new Date('2027-02-11T12:00:00Z'), 3);
    const tenth = cells.find((c) => c.key === '2027-02-10')!;
    expect(tenth.events.map((e) => e.id)).toEqual([1, 2]);
    expect(tenth.more).toBe(2);
    const eleventh = cells.find((c) => c.key === '2027-02-11')!;
    expect(eleventh).toMatchObject({ today: true, more: 0, inMonth: true });
    expect(eleventh.events.map((e) => e.id)).toEqual([5]);
    expect(cells.filter((c) => c.today)).toHaveLength(1);
    const march = monthCells([], period('month', parseDay('2027-03-10')), new Date(), 3);
    expect(march.find((c) => c.key === '2027-04-04')?.inMonth).toBe(false);
  });
});

describe('time zones', () => {
  it('converts wall-clock times of any zone to instants and back', () => {
    expect(new Date(zonedToUtc('2027-01-05', '09:00', 'Europe/Berlin')).toISOString()).toBe('2027-01-05T08:00:00.000Z');
    expect(new Date(zonedToUtc('2027-07-05', '09:00', 'Europe/Berlin')).toISOString()).toBe('2027-07-05T07:00:00.000Z');
    expect(new Date(zonedToUtc('2027-01-05', '09:00', 'America/New_York')).toISOString()).toBe('2027-01-05T14:00:00.000Z');
    expect(new Date(zonedToUtc('2027-01-05', '09:00', 'Asia/Kuala_Lumpur')).toISOString()).toBe('2027-01-05T01:00:00.000Z');
    expect(new Date(zonedToUtc('2027-01-05', '09:00', 'UTC')).toISOString()).toBe('2027-01-05T09:00:00.000Z');
    expect(utcToZoned(Date.parse('2027-01-05T14:00:00Z'), 'America/New_York')).toEqual({ date: '2027-01-05', time: '09:00' });
    expect(utcToZoned(Date.parse('2027-01-05T23:30:00Z'), 'Europe/Berlin')).toEqual({ date: '2027-01-06', time: '00:30' });
    expect(zoneOffset(Date.parse('2027-03-28T00:59:00Z'), 'Europe/Berlin')).toBe(3_600_000);
    expect(zoneOffset(Date.parse('2027-03-28T01:00:00Z'), 'Europe/Berlin')).toBe(7_200_000);
  });

  it('moves a time the clock skips past the gap, and takes the first of a time that happens twice', () => {
    // 02:30 does not exist on 28 March 2027 in Berlin: Date makes it 03:30 CEST, and so do we.
    expect(new Date(zonedToUtc('2027-03-28', '02:30', 'Europe/Berlin')).toISOString()).toBe(
      new Date(2027, 2, 28, 2, 30).toISOString(),
    );
    expect(new Date(zonedToUtc('2027-03-28', '02:30', 'Europe/Berlin')).toISOString()).toBe('2027-03-28T01:30:00.000Z');
    // 02:30 happens twice on 31 October 2027: first in CEST.
    expect(new Date(zonedToUtc('2027-10-31', '02:30', 'Europe/Berlin')).toISOString()).toBe('2027-10-31T00:30:00.000Z');
    expect(new Date(zonedToUtc('2027-10-31', '03:30', 'Europe/Berlin')).toISOString()).toBe('2027-10-31T02:30:00.000Z');
  });
});

describe('words', () => {
  it('puts simple recurrence rules in words', () => {
    expect(ruleInWords('')).toBeNull();
    expect(ruleInWords('FREQ=DAILY')).toBe('Every day');
    expect(ruleInWords('FREQ=DAILY;INTERVAL=2')).toBe('Every 2 days');
    expect(ruleInWords('FREQ=WEEKLY')).toBe('Every week');
    expect(ruleInWords('FREQ=WEEKLY;COUNT=10')).toBe('Every week, 10 times');
    expect(ruleInWords('FREQ=WEEKLY;BYDAY=WE,MO')).toBe('Every week on Monday and Wednesday');
    expect(ruleInWords('FREQ=WEEKLY;INTERVAL=2;BYDAY=FR')).toBe('Every 2 weeks on Friday');
    expect(ruleInWords('FREQ=MONTHLY')).toBe('Every month');
    expect(ruleInWords('RRULE:FREQ=YEARLY;INTERVAL=1')).toBe('Every year');
    expect(ruleInWords('FREQ=MONTHLY;UNTIL=20270301T000000Z')).toBe('Every month, until March 1, 2027');
    expect(ruleInWords('FREQ=DAILY;COUNT=1')).toBe('Every day, once');
    // Beyond words: the view shows the rule as it is.
    expect(ruleInWords('FREQ=MONTHLY;BYDAY=1MO')).toBeNull();
    expect(ruleInWords('FREQ=MONTHLY;BYMONTHDAY=15')).toBeNull();
    expect(ruleInWords('FREQ=HOURLY')).toBeNull();
    expect(parseRule('FREQ=WEEKLY;WKST=MO;BYDAY=TU')).toEqual({ freq: 'WEEKLY', interval: 1, count: null, until: null, byday: ['TU'] });
  });

  it('maps the editor\'s repeat choice to and from RRULEs', () => {
    expect(repeatOf('')).toBe('none');
    expect(repeatOf('FREQ=WEEKLY')).toBe('weekly');
    expect(repeatOf('FREQ=YEARLY;INTERVAL=1')).toBe('yearly');
    expect(repeatOf('FREQ=WEEKLY;COUNT=10')).toBe('custom');
    expect(repeatOf('FREQ=MONTHLY;BYMONTHDAY=15')).toBe('custom');
    expect(rruleOf('none')).toBe('');
    expect(rruleOf('daily')).toBe('FREQ=DAILY');
    expect(rruleOf('monthly')).toBe('FREQ=MONTHLY');
    expect(rruleOf('custom', 'FREQ=WEEKLY;COUNT=10')).toBe('FREQ=WEEKLY;COUNT=10');
  });

  it('says when an event is, in local time', () => {
    expect(eventWhen(timed('2027-01-05T08:00:00Z', '2027-01-05T09:30:00Z'))).toBe('Tue, Jan 5, 2027, 09:00 – 10:30');
    expect(eventWhen(allDay('2027-01-05', '2027-01-06'))).toBe('Tue, Jan 5, 2027');
    expect(eventWhen(allDay('2027-01-05', '2027-01-08'))).toMatch(/^Jan 5\s*–\s*7, 2027$/);
    expect(eventWhen(timed('2027-01-05T21:00:00Z', '2027-01-06T01:00:00Z'))).toBe('Tue, Jan 5, 2027, 22:00 – Wed, Jan 6, 2027, 02:00');
  });

  it('puts alarms in words', () => {
    expect(alarmInWords(0)).toBe('At the start');
    expect(alarmInWords(15)).toBe('15 minutes before');
    expect(alarmInWords(60)).toBe('1 hour before');
    expect(alarmInWords(120)).toBe('2 hours before');
    expect(alarmInWords(1440)).toBe('1 day before');
    expect(alarmInWords(-5)).toBe('5 minutes after the start');
  });
});
