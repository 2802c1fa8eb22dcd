// Calendar date math, pure: the periods the Calendar view shows, where events go in them (hour
// positions, overlap columns, all-day bars, month cells), time zones, and recurrence rules and
// alarms in words. "Local" is the computer's time zone (Date's local methods); other zones go
// through Intl. Days are `YYYY-MM-DD` strings or Dates at local midnight.
import { clockTime, listOf, locale, t } from '../i18n/index.svelte';

export type CalendarMode = 'day' | 'week' | 'month';

/** Weeks start on Monday (0 = Sunday … 6 = Saturday). */
export const WEEK_START = 1;

export const DAY_MINUTES = 24 * 60;
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The local day of `date` as `YYYY-MM-DD`. */
export function dayKey(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** Local midnight of the day `YYYY-MM-DD`. */
export function parseDay(key: string): Date {
  const [year, month, day] = key.split('-').map(Number);
  return new Date(year, month - 1, day);
}

/** Local midnight of the day of `date`. */
export function startOfDay(date: Date): Date {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate());
}

/** Local midnight `n` days after the day of `date` (calendar days: a DST day is still one day). */
export function addDays(date: Date, n: number): Date {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate() + n);
}

/** The same day of the month `n` months later, or that month's last day if it is shorter. */
export function addMonths(date: Date, n: number): Date {
  const last = new Date(date.getFullYear(), date.getMonth() + n + 1, 0).getDate();
  return new Date(date.getFullYear(), date.getMonth() + n, Math.min(date.getDate(), last));
}

/** Local midnight of the first day of the week of `date`. */
export function startOfWeek(date: Date, weekStart = WEEK_START): Date {
  return addDays(date, -((date.getDay() - weekStart + 7) % 7));
}

/** What the view shows: local midnights from `start` (inclusive) to `end` (exclusive). */
export interface Period {
  mode: CalendarMode;
  /** The day the period was asked for (the month of a month view). */
  anchor: Date;
  start: Date;
  end: Date;
  days: Date[];
}

/** The day, the week, or the month (as whole weeks) around `anchor`. */
export function period(mode: CalendarMode, anchor: Date, weekStart = WEEK_START): Period {
  let start: Date;
  let end: Date;
  if (mode === 'day') {
    start = startOfDay(anchor);
    end = addDays(start, 1);
  } else if (mode === 'week') {
    start = startOfWeek(anchor, weekStart);
    end = addDays(start, 7);
  } else {
    start = startOfWeek(new Date(anchor.getFullYear(), anchor.getMonth(), 1), weekStart);
    end = addDays(startOfWeek(new Date(anchor.getFullYear(), anchor.getMonth() + 1, 0), weekStart), 7);
  }
  const days: Date[] = [];
  for (let day = start; day < end; day = addDays(day, 1)) days.push(day);
  return { mode, anchor: startOfDay(anchor), start, end, days };
}

/** The anchor `delta` periods later (earlier when negative). */
export function shiftAnchor(mode: CalendarMode, anchor: Date, delta: number): Date {
  if (mode === 'day') return addDays(anchor, delta);
  if (mode === 'week') return addDays(anchor, 7 * delta);
  return addMonths(anchor, delta);
}

/** RFC 3339 UTC without fractions, e.g. `2027-01-05T08:00:00Z`. */
export function isoUtc(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** The RFC 3339 bounds of a period, for `calendarEvents(from, to)`. */
export function bounds(p: Pick<Period, 'start' | 'end'>): { from: string; to: string } {
  return { from: isoUtc(p.start.getTime()), to: isoUtc(p.end.getTime()) };
}

/** What the layout needs of an event. */
export interface Timed {
  start: string;
  end: string;
  all_day: boolean;
}

/** An event's time in ms since the epoch; all-day ones from local midnight to local midnight. */
export function span(event: Timed): { start: number; end: number } {
  if (event.all_day) {
    const start = parseDay(event.start.slice(0, 10)).getTime();
    const end = parseDay(event.end.slice(0, 10)).getTime();
    return { start, end: end > start ? end : addDays(new Date(start), 1).getTime() };
  }
  const start = Date.parse(event.start);
  const end = Date.parse(event.end);
  return { start, end: end > start ? end : start };
}

/** Whether an event shows in [from, to) (ms); one of no length shows where it starts. */
export function overlaps(event: Timed, from: number, to: number): boolean {
  const s = span(event);
  return s.end > s.start ? s.start < to && s.end > from : s.start >= from && s.start < to;
}

/** All-day first, then by start, then longer first. */
export function compareEvents(a: Timed, b: Timed): number {
  if (a.all_day !== b.all_day) return a.all_day ? -1 : 1;
  const sa = span(a);
  const sb = span(b);
  return sa.start - sb.start || sb.end - sa.end;
}

/** The events that show on the local day `day`, in the order a day lists them. */
export function eventsOn<T extends Timed>(events: T[], day: Date): T[] {
  const from = startOfDay(day).getTime();
  const to = addDays(day, 1).getTime();
  return events.filter((event) => overlaps(event, from, to)).sort(compareEvents);
}

/** Minutes on the wall clock of the local day `day` at `ms` (0 before it, 1440 after it). */
export function wallMinutes(ms: number, day: Date): number {
  if (ms <= startOfDay(day).getTime()) return 0;
  if (ms >= addDays(day, 1).getTime()) return DAY_MINUTES;
  const at = new Date(ms);
  return at.getHours() * 60 + at.getMinutes() + at.getSeconds() / 60;
}

/** A timed event placed in a day column of the hour grid. */
export interface Placed<T> {
  event: T;
  /** Minutes from the day's midnight (wall clock). */
  top: number;
  /** Minutes (at least the minimum height). */
  height: number;
  /** Its column among the events it overlaps, and how many columns they need. */
  column: number;
  columns: number;
  /** It began the day before / goes on the day after. */
  startsBefore: boolean;
  endsAfter: boolean;
}

/**
 * The timed events of the local day `day`, placed by wall-clock time (on a DST day the hours
 * are the clock's: an hour the clock skips takes no room), side by side where they overlap.
 * Events that touch (one ends when the next starts) share a column. `minHeight` keeps short
 * events readable; it counts for overlaps too.
 */
export function layoutDay<T extends Timed>(events: T[], day: Date, minHeight = 20): Placed<T>[] {
  const from = startOfDay(day).getTime();
  const to = addDays(day, 1).getTime();
  const placed: Placed<T>[] = events
    .filter((event) => !event.all_day && overlaps(event, from, to))
    .map((event) => {
      const s = span(event);
      let top = wallMinutes(s.start, day);
      const bottom = s.end >= to ? DAY_MINUTES : wallMinutes(s.end, day);
      const height = Math.max(bottom - top, minHeight);
      if (top + height > DAY_MINUTES) top = Math.max(0, DAY_MINUTES - height);
      return { event, top, height, column: 0, columns: 1, startsBefore: s.start < from, endsAfter: s.end > to };
    })
    .sort((a, b) => a.top - b.top || b.height - a.height);

  // Clusters of events that overlap one another (directly or through others) share a width.
  let cluster: Placed<T>[] = [];
  let columnEnds: number[] = [];
  let clusterEnd = -1;
  const close = () => {
    for (const p of cluster) p.columns = columnEnds.length;
    cluster = [];
    columnEnds = [];
  };
  for (const p of placed) {
    if (p.top >= clusterEnd) close();
    let column = columnEnds.findIndex((end) => end <= p.top);
    if (column < 0) column = columnEnds.push(0) - 1;
    columnEnds[column] = p.top + p.height;
    p.column = column;
    cluster.push(p);
    clusterEnd = Math.max(clusterEnd, p.top + p.height);
  }
  close();
  return placed;
}

/** An event in the all-day strip of a day or week: a bar over its days. */
export interface Bar<T> {
  event: T;
  /** Index of its first day in the period's days, and how many days it covers there. */
  first: number;
  span: number;
  /** Its row in the strip (0 at the top). */
  row: number;
  startsBefore: boolean;
  endsAfter: boolean;
}

/** The all-day events over `days` as bars, each in the first row where it fits. */
export function layoutBars<T extends Timed>(events: T[], days: Date[]): { bars: Bar<T>[]; rows: number } {
  if (days.length === 0) return { bars: [], rows: 0 };
  const from = days[0].getTime();
  const to = addDays(days[days.length - 1], 1).getTime();
  const bars: Bar<T>[] = [];
  for (const event of events) {
    if (!event.all_day || !overlaps(event, from, to)) continue;
    const s = span(event);
    const covered = days.map((day, i) => (overlaps(event, day.getTime(), addDays(day, 1).getTime()) ? i : -1)).filter((i) => i >= 0);
    bars.push({
      event,
      first: covered[0],
      span: covered.length,
      row: 0,
      startsBefore: s.start < from,
      endsAfter: s.end > to,
    });
  }
  bars.sort((a, b) => a.first - b.first || b.span - a.span || compareEvents(a.event, b.event));
  const rowEnds: number[] = [];
  for (const bar of bars) {
    let row = rowEnds.findIndex((end) => end <= bar.first);
    if (row < 0) row = rowEnds.push(0) - 1;
    rowEnds[row] = bar.first + bar.span;
    bar.row = row;
  }
  return { bars, rows: rowEnds.length };
}

/** A day of the month grid. */
export interface MonthCell<T> {
  day: Date;
  key: string;
  /** Of the month shown (not of the weeks around it). */
  inMonth: boolean;
  today: boolean;
  /** The events listed in the cell; `more` are left out ("+N more"). */
  events: T[];
  more: number;
}

/** The month grid's cells: at most `max` lines each, the last one "+N more" when needed. */
export function monthCells<T extends Timed>(events: T[], p: Period, now: Date, max = 3): MonthCell<T>[] {
  const today = dayKey(now);
  return p.days.map((day) => {
    const all = eventsOn(events, day);
    const shown = all.length > max ? all.slice(0, max - 1) : all;
    return {
      day,
      key: dayKey(day),
      inMonth: day.getMonth() === p.anchor.getMonth(),
      today: dayKey(day) === today,
      events: shown,
      more: all.length - shown.length,
    };
  });
}

// Time zones.

/** The computer's time zone (IANA name). */
export function localZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Every time zone the system knows (the local one and UTC at least). */
export function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  const known = intl.supportedValuesOf?.('timeZone') ?? [];
  return [...new Set([localZone(), 'UTC', ...known])];
}

/** Whether `zone` is a time zone Intl knows. */
export function isZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();

function wallParts(ms: number, zone: string) {
  let format = zoneFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    zoneFormats.set(zone, format);
  }
  const parts: Record<string, number> = {};
  for (const part of format.formatToParts(new Date(ms))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return parts as { year: number; month: number; day: number; hour: number; minute: number; second: number };
}

/** The offset of `zone` from UTC at `ms`, in ms (Berlin in winter: +3 600 000). */
export function zoneOffset(ms: number, zone: string): number {
  const p = wallParts(ms, zone);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour % 24, p.minute, p.second);
  return wall - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant (ms) of wall-clock `date` (`YYYY-MM-DD`) `time` (`HH:MM`) in `zone`. A time the
 * clock skips (spring forward) moves on by the gap, as Date does; a time that happens twice
 * (fall back) is the first.
 */
export function zonedToUtc(date: string, time: string, zone: string): number {
  const [year, month, day] = date.split('-').map(Number);
  const [hour, minute] = time.split(':').map(Number);
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  // The zone's offsets a day either side: the answer uses one of them.
  const offsets = [...new Set([zoneOffset(wall - DAY, zone), zoneOffset(wall + DAY, zone)])].sort((a, b) => b - a);
  const fits = offsets.map((offset) => wall - offset).filter((ms) => ms + zoneOffset(ms, zone) === wall);
  if (fits.length > 0) return Math.min(...fits);
  // In a gap: the wall time with the offset from before it, which lands after the gap.
  return wall - Math.min(...offsets);
}

/** The wall-clock day and time of `ms` in `zone`. */
export function utcToZoned(ms: number, zone: string): { date: string; time: string } {
  const p = wallParts(ms, zone);
  return { date: `${p.year}-${pad(p.month)}-${pad(p.day)}`, time: `${pad(p.hour % 24)}:${pad(p.minute)}` };
}

// Words.

/** The period's heading: "Tuesday, 5 January 2027", "4 – 10 January 2027", "January 2027". */
export function periodTitle(p: Period): string {
  const tag = locale();
  if (p.mode === 'day') return new Intl.DateTimeFormat(tag, { dateStyle: 'full' }).format(p.start);
  if (p.mode === 'month') return new Intl.DateTimeFormat(tag, { month: 'long', year: 'numeric' }).format(p.anchor);
  return new Intl.DateTimeFormat(tag, { day: 'numeric', month: 'long', year: 'numeric' }).formatRange(
    p.start,
    addDays(p.end, -1),
  );
}

/** A column's heading: "Mon 5". */
export function dayHeading(day: Date): { weekday: string; day: string } {
  const tag = locale();
  return {
    weekday: new Intl.DateTimeFormat(tag, { weekday: 'short' }).format(day),
    day: new Intl.DateTimeFormat(tag, { day: 'numeric' }).format(day),
  };
}

/** The weekday names of a week, from its first day (for the month grid's heading). */
export function weekdayNames(weekStart = WEEK_START): string[] {
  const format = new Intl.DateTimeFormat(locale(), { weekday: 'short' });
  // 2024-01-07 was a Sunday.
  return Array.from({ length: 7 }, (_, i) => format.format(new Date(2024, 0, 7 + ((weekStart + i) % 7))));
}

/** An hour of the grid's margin: "09:00". */
export function hourLabel(hour: number): string {
  return clockTime(new Date(2024, 0, 1, hour).toISOString());
}

/**
 * When an event is, in words: "Tue, 5 Jan 2027, 09:00 – 10:00", "Tue, 5 Jan 2027" (all day),
 * "5 – 7 Jan 2027" (all-day days, the last included). Times are local.
 */
export function eventWhen(event: Timed): string {
  const tag = locale();
  const s = span(event);
  const dayFormat = new Intl.DateTimeFormat(tag, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' });
  if (event.all_day) {
    const last = addDays(new Date(s.end), -1);
    if (dayKey(last) === dayKey(new Date(s.start))) return dayFormat.format(new Date(s.start));
    return new Intl.DateTimeFormat(tag, { day: 'numeric', month: 'short', year: 'numeric' }).formatRange(
      new Date(s.start),
      last,
    );
  }
  const start = new Date(s.start);
  const end = new Date(s.end);
  if (dayKey(start) === dayKey(end) || s.end === addDays(start, 1).getTime()) {
    return `${dayFormat.format(start)}, ${clockTime(event.start)} – ${clockTime(event.end)}`;
  }
  return `${dayFormat.format(start)}, ${clockTime(event.start)} – ${dayFormat.format(end)}, ${clockTime(event.end)}`;
}

/** A recurrence rule, as far as the window puts it in words. */
export interface Rule {
  freq: 'DAILY' | 'WEEKLY' | 'MONTHLY' | 'YEARLY';
  interval: number;
  count: number | null;
  /** UNTIL as written (`20270301` or `20270301T000000Z`). */
  until: string | null;
  /** BYDAY of a weekly rule: `MO`, `TU`, … */
  byday: string[];
}

const WEEKDAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];

/** The rule, or null when it says more than the window can put in words (BYMONTHDAY, …). */
export function parseRule(rrule: string): Rule | null {
  const parts = new Map<string, string>();
  for (const part of rrule.replace(/^RRULE:/i, '').split(';')) {
    if (!part.trim()) continue;
    const [key, value] = part.split('=');
    if (value === undefined) return null;
    parts.set(key.trim().toUpperCase(), value.trim().toUpperCase());
  }
  const freq = parts.get('FREQ');
  if (freq !== 'DAILY' && freq !== 'WEEKLY' && freq !== 'MONTHLY' && freq !== 'YEARLY') return null;
  const rule: Rule = { freq, interval: 1, count: null, until: null, byday: [] };
  for (const [key, value] of parts) {
    if (key === 'FREQ' || key === 'WKST') continue;
    if (key === 'INTERVAL' && /^\d+$/.test(value) && Number(value) > 0) rule.interval = Number(value);
    else if (key === 'COUNT' && /^\d+$/.test(value) && Number(value) > 0) rule.count = Number(value);
    else if (key === 'UNTIL' && /^\d{8}(T\d{6}Z?)?$/.test(value)) rule.until = value;
    else if (key === 'BYDAY' && freq === 'WEEKLY' && value.split(',').every((d) => WEEKDAYS.includes(d))) {
      rule.byday = value.split(',');
    } else return null;
  }
  return rule;
}

/** UNTIL as an instant: a date means the end of that day (local), a time is UTC or floating. */
export function untilMs(until: string): number {
  const date = `${until.slice(0, 4)}-${until.slice(4, 6)}-${until.slice(6, 8)}`;
  if (until.length === 8) return addDays(parseDay(date), 1).getTime() - 1;
  const time = `${until.slice(9, 11)}:${until.slice(11, 13)}:${until.slice(13, 15)}`;
  return until.endsWith('Z') ? Date.parse(`${date}T${time}Z`) : new Date(`${date}T${time}`).getTime();
}

/** "Every week on Monday and Wednesday, 10 times"; null for '' and for rules beyond words. */
export function ruleInWords(rrule: string): string | null {
  if (!rrule.trim()) return null;
  const rule = parseRule(rrule);
  if (!rule) return null;
  const interval = rule.interval;
  let words: string;
  switch (rule.freq) {
    case 'DAILY':
      words = t('repeat-daily', { interval });
      break;
    case 'WEEKLY':
      if (rule.byday.length > 0) {
        const format = new Intl.DateTimeFormat(locale(), { weekday: 'long' });
        // Monday first, whatever order the rule names them in; 2024-01-07 was a Sunday.
        const order = (d: string) => (WEEKDAYS.indexOf(d) + 6) % 7;
        const days = [...rule.byday].sort((a, b) => order(a) - order(b)).map((d) => format.format(new Date(2024, 0, 7 + WEEKDAYS.indexOf(d))));
        words = t('repeat-weekly-on', { interval, days: listOf(days) });
      } else words = t('repeat-weekly', { interval });
      break;
    case 'MONTHLY':
      words = t('repeat-monthly', { interval });
      break;
    case 'YEARLY':
      words = t('repeat-yearly', { interval });
      break;
  }
  if (rule.count !== null) return t('repeat-count', { rule: words, count: rule.count });
  if (rule.until !== null) {
    const date = new Intl.DateTimeFormat(locale(), { dateStyle: 'long' }).format(new Date(untilMs(rule.until)));
    return t('repeat-until', { rule: words, date });
  }
  return words;
}

/** The editor's choice of repetition. */
export type Repeat = 'none' | 'daily' | 'weekly' | 'monthly' | 'yearly' | 'custom';

/** Which choice an RRULE is: `custom` when it says more than its frequency. */
export function repeatOf(rrule: string): Repeat {
  if (!rrule.trim()) return 'none';
  const rule = parseRule(rrule);
  if (!rule || rule.interval !== 1 || rule.count !== null || rule.until !== null || rule.byday.length > 0) return 'custom';
  return rule.freq.toLowerCase() as Repeat;
}

/** The RRULE of a choice (`custom`: the rule as it was). */
export function rruleOf(repeat: Repeat, custom = ''): string {
  return repeat === 'none' ? '' : repeat === 'custom' ? custom : `FREQ=${repeat.toUpperCase()}`;
}

/** An alarm in words: "15 minutes before", "1 hour before", "At the start". */
export function alarmInWords(minutes: number): string {
  if (minutes === 0) return t('alarm-at-start');
  const before = minutes > 0;
  const m = Math.abs(minutes);
  const amount =
    m % DAY_MINUTES === 0
      ? t('duration-days', { count: m / DAY_MINUTES })
      : m % 60 === 0
        ? t('duration-hours', { count: m / 60 })
        : t('duration-minutes', { count: m });
  return before ? t('alarm-before', { amount }) : t('alarm-after', { amount });
}
