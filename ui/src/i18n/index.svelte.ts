// Localized strings (Fluent) and formatting (Intl). Components call t() in their markup; since
// t() reads the reactive locale, switching the language re-renders every string.
import { FluentBundle, FluentResource, type FluentVariable } from '@fluent/bundle';
import en from './en.ftl?raw';
import ms from './ms.ftl?raw';

export const LOCALES = ['en', 'ms'] as const;
export type Locale = (typeof LOCALES)[number];

const SOURCES: Record<Locale, string> = { en, ms };

function makeBundle(locale: Locale): FluentBundle {
  // No Unicode isolation marks around placeables: the UI's layout handles direction.
  const bundle = new FluentBundle(locale, { useIsolating: false });
  const errors = bundle.addResource(new FluentResource(SOURCES[locale]));
  for (const error of errors) console.error(`${locale}.ftl:`, error);
  return bundle;
}

const bundles: Record<Locale, FluentBundle> = { en: makeBundle('en'), ms: makeBundle('ms') };

/** `ms`, `ms-MY`, … → Malay; anything else → English. */
export function pickLocale(language: string | undefined): Locale {
  return language?.toLowerCase().startsWith('ms') ? 'ms' : 'en';
}

const state = $state<{ locale: Locale }>({ locale: pickLocale(globalThis.navigator?.language) });

export function locale(): Locale {
  return state.locale;
}

export function setLocale(next: Locale): void {
  state.locale = next;
  if (typeof document !== 'undefined') document.documentElement.lang = next;
}

/** The message `id` in the current locale (English if missing there; the id if missing in both). */
export function t(id: string, args?: Record<string, FluentVariable>): string {
  for (const bundle of [bundles[state.locale], bundles.en]) {
    const message = bundle.getMessage(id);
    if (message?.value) {
      const errors: Error[] = [];
      const text = bundle.formatPattern(message.value, args, errors);
      for (const error of errors) console.error(`t(${id}):`, error);
      return text;
    }
  }
  console.error(`t(${id}): no such message`);
  return id;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * A timeline time: "just now", "5 minutes ago", today's time, this week's weekday, this year's
 * day and month, or the full date.
 */
export function shortTime(time: string, now: number = Date.now()): string {
  const at = Date.parse(time);
  const age = now - at;
  const tag = state.locale;
  if (age >= 0 && age < MINUTE) return t('time-now');
  if (age >= 0 && age < HOUR) {
    return new Intl.RelativeTimeFormat(tag, { numeric: 'auto' }).format(-Math.floor(age / MINUTE), 'minute');
  }
  const date = new Date(at);
  const today = new Date(now);
  if (date.toDateString() === today.toDateString()) {
    return new Intl.DateTimeFormat(tag, { hour: 'numeric', minute: '2-digit' }).format(date);
  }
  if (age >= 0 && age < 6 * DAY) return new Intl.DateTimeFormat(tag, { weekday: 'short' }).format(date);
  if (date.getFullYear() === today.getFullYear()) {
    return new Intl.DateTimeFormat(tag, { day: 'numeric', month: 'short' }).format(date);
  }
  return new Intl.DateTimeFormat(tag, { dateStyle: 'medium' }).format(date);
}

/** The full date and time, e.g. for the reading pane and tooltips. */
export function longTime(time: string): string {
  return new Intl.DateTimeFormat(state.locale, { dateStyle: 'full', timeStyle: 'short' }).format(new Date(time));
}

/** A clock time in the locale, 24-hour, e.g. "14:05" (the computer's time zone). */
export function clockTime(time: string): string {
  return new Intl.DateTimeFormat(state.locale, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(
    new Date(time),
  );
}

/** "A", "A and B", "A, B and C" in the locale. */
export function listOf(items: string[]): string {
  return new Intl.ListFormat(state.locale, { type: 'conjunction' }).format(items);
}

/** A file size in B, kB or MB. */
export function fileSize(bytes: number): string {
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const;
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return new Intl.NumberFormat(state.locale, {
    style: 'unit',
    unit: units[unit],
    unitDisplay: 'short',
    maximumFractionDigits: unit === 0 ? 0 : 1,
  }).format(value);
}
