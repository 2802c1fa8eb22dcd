// Prepares the (already sanitized) mail HTML for its frame: remote images made inert until the
// user loads them, links made to leave the frame (the app hands them to the system browser).

export interface PreparedHtml {
  html: string;
  /** Remote images in the message (blocked unless `loadRemote`). */
  remote: number;
}

const REMOTE = /^\s*https?:/i;

/**
 * Remote `img` sources move to `data-satu-src` (nothing fetches them) unless `loadRemote`;
 * `srcset` goes (it could name more remote images); links get `target="_blank"`, so a click asks
 * the app for a new window, which the app refuses and opens the link in the system browser
 * instead, and their real destination as their `title` (shown on hover; a title the sender
 * wrote could say anything). Parsing happens in an inert document: nothing loads or runs.
 */
export function prepareMailHtml(html: string, loadRemote: boolean): PreparedHtml {
  const doc = new DOMParser().parseFromString(`<!doctype html><body>${html}`, 'text/html');
  let remote = 0;
  for (const img of Array.from(doc.querySelectorAll('img'))) {
    img.removeAttribute('srcset');
    const src = img.getAttribute('src');
    if (src === null || !REMOTE.test(src)) continue;
    remote += 1;
    if (!loadRemote) {
      img.setAttribute('data-satu-src', src);
      img.removeAttribute('src');
    }
  }
  for (const link of Array.from(doc.querySelectorAll('a[href]'))) {
    link.setAttribute('target', '_blank');
    link.setAttribute('rel', 'noopener noreferrer');
    link.setAttribute('title', link.getAttribute('href') ?? '');
  }
  return { html: doc.body.innerHTML, remote };
}
