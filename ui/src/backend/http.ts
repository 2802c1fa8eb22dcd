// The browser's transport in development: the core's commands and events from `satu serve
// --dev` (crates/cli/src/serve.rs), reached through Vite's proxy at `/core` (vite.config.ts).
// scripts/dev-browser.sh starts both and hands the server's token to Vite (VITE_SATU_TOKEN).
import type { Backend } from './backend';
import { createCoreBackend, type CoreEvent, type Transport } from './core';
import { toApiError, type ApiError } from './types';

export interface HttpOptions {
  /** Where the server's routes are (`/core` behind Vite's proxy). */
  base: string;
  /** The token `satu serve --dev` printed: every request carries it. */
  token: string;
  fetch?: typeof fetch;
  /** Milliseconds before a lost event stream is opened again. */
  retryMs?: number;
}

type Listener = { event: CoreEvent; cb: (payload: unknown) => void; onError: (error: ApiError) => void };

/** One `event:`/`data:` block of a `text/event-stream`, or null for a comment. */
export function parseEventBlock(block: string): { event: string; data: string } | null {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':') || line === '') continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  return data.length ? { event, data: data.join('\n') } : null;
}

export function httpTransport({ base, token, fetch: get = fetch, retryMs = 1000 }: HttpOptions): Transport {
  const headers = { 'content-type': 'application/json', 'x-satu-token': token };
  const listeners = new Set<Listener>();
  let streaming: AbortController | null = null;

  const unreachable = (error: unknown): ApiError => ({
    code: 'unreachable',
    message: `The core does not answer (is \`satu serve --dev\` running?): ${toApiError(error).message}`,
  });

  async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
    let response: Response;
    try {
      response = await get(`${base}/invoke/${command}`, { method: 'POST', headers, body: JSON.stringify(args ?? {}) });
    } catch (error) {
      throw unreachable(error);
    }
    const text = await response.text();
    let value: unknown;
    try {
      value = text ? JSON.parse(text) : null;
    } catch {
      throw { code: 'internal', message: `The core answered ${command} with something not JSON: ${text.slice(0, 200)}` } satisfies ApiError;
    }
    if (!response.ok) throw toApiError(value ?? `HTTP ${response.status}`);
    return value as T;
  }

  function deliver(event: string, data: string) {
    if (event === 'lagged') {
      const error: ApiError = { code: 'internal', message: 'The window missed changes of the core; reload the page.' };
      for (const l of listeners) l.onError(error);
      return;
    }
    let payload: unknown;
    try {
      payload = JSON.parse(data);
    } catch {
      return;
    }
    for (const l of listeners) if (l.event === event) l.cb(payload);
  }

  /** Reads the event stream while anyone listens; opens it again after a loss. */
  async function stream(controller: AbortController) {
    while (!controller.signal.aborted) {
      try {
        const response = await get(`${base}/events`, { headers: { 'x-satu-token': token }, signal: controller.signal });
        if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value.replace(/\r\n/g, '\n');
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const parsed = parseEventBlock(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
            if (parsed) deliver(parsed.event, parsed.data);
          }
        }
      } catch (error) {
        if (controller.signal.aborted) return;
        for (const l of listeners) l.onError(unreachable(error));
      }
      await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
  }

  function subscribe<T>(event: CoreEvent, cb: (payload: T) => void, onError: (error: ApiError) => void): () => void {
    const listener: Listener = { event, cb: cb as (payload: unknown) => void, onError };
    listeners.add(listener);
    if (!streaming) {
      streaming = new AbortController();
      void stream(streaming);
    }
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0 && streaming) {
        streaming.abort();
        streaming = null;
      }
    };
  }

  return { call, subscribe };
}

export function createHttpBackend(options: HttpOptions): Backend {
  return createCoreBackend(httpTransport(options));
}
