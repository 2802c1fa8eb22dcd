import type { Backend } from './backend';
import { createTauriBackend } from './tauri';

export type { Backend } from './backend';
export * from './types';

/**
 * The Tauri backend inside the app window. In a plain browser (`scripts/dev-browser.sh`) the
 * same core over loopback HTTP: `satu serve --dev` on a data dir of its own, reached through
 * Vite's proxy at `/core` with the token the script gives Vite (VITE_SATU_TOKEN). Both run the
 * real core; there is no second implementation of its rules in TypeScript.
 */
export async function pickBackend(): Promise<Backend> {
  if ('__TAURI_INTERNALS__' in window) return createTauriBackend();
  const token = import.meta.env.VITE_SATU_TOKEN as string | undefined;
  if (!token) {
    throw new Error('No core to talk to: start the browser UI with scripts/dev-browser.sh (it runs `satu serve --dev` and Vite together).');
  }
  // Loaded only in the browser: the app's bundle does not carry the HTTP transport.
  const { createHttpBackend } = await import('./http');
  return createHttpBackend({ base: '/core', token });
}
