// Which rows of a long list are in the document: the ones in view plus a margin around them.

/** Height of one timeline row in px; `--row-height` in app.css must say the same. */
export const ROW_HEIGHT = 76;
/** Rows kept in the document beyond each edge of the view, so fast scrolling shows no gaps. */
export const OVERSCAN = 10;
/** The view's height when the layout does not tell it (before the first layout, in tests). */
export const FALLBACK_VIEWPORT = 2000;

/** The rows `[first, last)` of `count` rows to render for a view of `height` px at `scrollTop`. */
export function visibleRange(
  count: number,
  scrollTop: number,
  height: number,
  rowHeight: number,
  overscan: number,
): { first: number; last: number } {
  if (count <= 0 || rowHeight <= 0) return { first: 0, last: 0 };
  const top = Math.max(0, scrollTop);
  const first = Math.min(count, Math.max(0, Math.floor(top / rowHeight) - overscan));
  const last = Math.min(count, Math.ceil((top + Math.max(0, height)) / rowHeight) + overscan);
  return { first, last: Math.max(first, last) };
}
