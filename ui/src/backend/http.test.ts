// The browser's transport to `satu serve --dev` (http.ts): requests as the server reads them,
// errors as ApiErrors, and the event stream cut anywhere.
import { describe, expect, it, vi } from 'vitest';
import { httpTransport, parseEventBlock } from './http';

function json(status: number, value: unknown): Response {
  return new Response(JSON.stringify(value), { status, headers: { 'content-type': 'application/json' } });
}

/** A response whose body arrives in the given pieces, then stays open until aborted. */
function streamed(pieces: string[], signal?: AbortSignal | null): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const piece of pieces) controller.enqueue(encoder.encode(piece));
      signal?.addEventListener('abort', () => controller.error(new DOMException('aborted', 'AbortError')));
    },
  });
  return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
}

describe('the HTTP transport to the core', () => {
  it('posts a command with its arguments and the token, and gives back the answer', async () => {
    const fetch = vi.fn(async () => json(200, [{ id: 1 }]));
    const { call } = httpTransport({ base: '/core', token: 'T', fetch });
    await expect(call('timeline', { query: { limit: 3 } })).resolves.toEqual([{ id: 1 }]);
    expect(fetch).toHaveBeenCalledWith('/core/invoke/timeline', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-satu-token': 'T' },
      body: '{"query":{"limit":3}}',
    });
    await call('accounts');
    expect(fetch).toHaveBeenLastCalledWith('/core/invoke/accounts', expect.objectContaining({ body: '{}' }));
  });

  it('rejects with the core ApiError, its field kept; and says when the core is away', async () => {
    const error = { code: 'invalid_input', message: 'Not an address', field: 'email' };
    const { call } = httpTransport({ base: '/core', token: 'T', fetch: async () => json(400, error) });
    await expect(call('add_account', {})).rejects.toEqual(error);
    const away = httpTransport({ base: '/core', token: 'T', fetch: async () => Promise.reject(new TypeError('Failed to fetch')) });
    await expect(away.call('accounts')).rejects.toMatchObject({ code: 'unreachable', message: expect.stringContaining('satu serve --dev') });
    const broken = httpTransport({ base: '/core', token: 'T', fetch: async () => new Response('<html>', { status: 502 }) });
    await expect(broken.call('accounts')).rejects.toMatchObject({ code: 'internal' });
  });

  it('reads events cut anywhere, hands each to its listeners, and stops the stream with the last', async () => {
    let signal: AbortSignal | null | undefined;
    const fetch = vi.fn(async (_url: string | URL | Request, init?: RequestInit) => {
      signal = init?.signal;
      return streamed(
        [': satu\n\nevent: cha', 'nge\ndata: {"id":1,"change":"added"}\n', '\nevent: status\r\ndata: {"account":2}\r\n\r\n', ': keepalive\n\nevent: lagged\ndata: null\n\n'],
        init?.signal,
      );
    });
    const { subscribe } = httpTransport({ base: '/core', token: 'T', fetch });
    const changes: unknown[] = [];
    const statuses: unknown[] = [];
    const errors: unknown[] = [];
    const stopChanges = subscribe('change', (c) => changes.push(c), (e) => errors.push(e));
    const stopStatus = subscribe('status', (s) => statuses.push(s), (e) => errors.push(e));
    await vi.waitFor(() => expect(errors.length).toBe(2));
    expect(changes).toEqual([{ id: 1, change: 'added' }]);
    expect(statuses).toEqual([{ account: 2 }]);
    expect(errors[0]).toMatchObject({ message: expect.stringContaining('reload') });
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(fetch).toHaveBeenCalledWith('/core/events', expect.objectContaining({ headers: { 'x-satu-token': 'T' } }));
    stopChanges();
    expect(signal?.aborted).toBe(false);
    stopStatus();
    expect(signal?.aborted).toBe(true);
  });

  it('parses an event block as the standard says', () => {
    expect(parseEventBlock(': comment')).toBeNull();
    expect(parseEventBlock('data: a\ndata: b')).toEqual({ event: 'message', data: 'a\nb' });
    expect(parseEventBlock('event: view\ndata:{"v":1}')).toEqual({ event: 'view', data: '{"v":1}' });
  });
});
