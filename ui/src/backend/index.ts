import type { Backend } from './backend';
import { createTauriBackend } from './tauri';

export type { Backend } from './backend';
export * from './types';

/**
 * The Tauri backend inside the app window; in a plain browser (`npm run dev`) the in-memory fake,
 * seeded with a few items. Add `?fresh` to the address to start the fake empty (first run), and
 * `?offline` to pretend the mail servers cannot be reached (actions stay queued, the account shows
 * offline). The fake plays the live sync of its IMAP account (statuses, progress), has a CalDAV
 * account with this week's events and a Matrix account with a few rooms.
 */
export async function pickBackend(): Promise<Backend> {
  if ('__TAURI_INTERNALS__' in window) return createTauriBackend();
  // Loaded only in the browser: the app's bundle does not carry the fake data.
  const { createFakeBackend } = await import('./fake');
  const params = new URLSearchParams(window.location.search);
  return createFakeBackend({
    seed: !params.has('fresh'),
    calendar: !params.has('fresh'),
    chat: !params.has('fresh'),
    offline: params.has('offline'),
    live: true,
    delayMs: 400,
  });
}
