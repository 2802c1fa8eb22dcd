// The document shown in the mail body's sandboxed frame.

/** Allows nothing but inline styles and inline images; first in <head>, before any content. */
export const FRAME_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";
/** The same, with remote images: only once the user loaded remote content for the message. */
export const FRAME_CSP_REMOTE = "default-src 'none'; style-src 'unsafe-inline'; img-src data: https: http:";

const FRAME_STYLE = `
:root { color-scheme: light; }
body {
  margin: 0;
  padding: 16px;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
  color: #1f2328;
  background: #fff;
  overflow-wrap: anywhere;
}
img { max-inline-size: 100%; block-size: auto; }
pre { white-space: pre-wrap; }
table { max-inline-size: 100%; }
a { color: #0b57d0; }
`;

/** A mail that failed its sender's checks (guarded): its links are text, nothing follows them. */
const LINKS_OFF_STYLE = `
a[href] { pointer-events: none; cursor: text; color: inherit; text-decoration: underline dotted; }
`;

/**
 * A complete HTML document for `<iframe sandbox="allow-popups" srcdoc=…>` (MessageBody.svelte)
 * holding the (already sanitized) mail HTML. It is returned as a plain string: it becomes an
 * attribute value, which Svelte escapes, so markup in the mail (`</iframe>`, `<script>`) cannot
 * leave the frame; and the sandbox forbids scripts, forms, plugins, top navigation and
 * same-origin access in any case (`allow-popups` only lets a link ask for a new window, which
 * the app refuses and opens in the browser instead).
 */
export function buildSrcdoc(bodyHtml: string, lang: string, remote = false, linksOff = false): string {
  return (
    '<!doctype html><html lang="' +
    lang.replace(/[^A-Za-z0-9-]/g, '') +
    '"><head>' +
    `<meta http-equiv="Content-Security-Policy" content="${remote ? FRAME_CSP_REMOTE : FRAME_CSP}">` +
    `<style>${FRAME_STYLE}${linksOff ? LINKS_OFF_STYLE : ''}</style>` +
    '</head><body>' +
    bodyHtml +
    '</body></html>'
  );
}
