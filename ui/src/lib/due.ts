// Due dates as the window's date picker shows them: a day in the user's time zone.

/** The local day (`2026-12-24`) of an RFC 3339 time. */
export function localDay(time: string): string {
  const date = new Date(time);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}
