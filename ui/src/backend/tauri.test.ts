// The chat commands as tauri.ts calls them: names and arguments as src-tauri/src/commands.rs
// takes them (Tauri turns camelCase keys into the Rust parameters' snake_case).
import { beforeEach, describe, expect, it, vi } from 'vitest';

const invoke = vi.fn();
vi.mock('@tauri-apps/api/core', () => ({ invoke: (...args: unknown[]) => invoke(...args) }));
vi.mock('@tauri-apps/api/event', () => ({ listen: vi.fn(async () => () => {}) }));

const { createTauriBackend } = await import('./tauri');

beforeEach(() => {
  invoke.mockReset();
  invoke.mockResolvedValue(null);
});

describe('the Tauri backend: chat commands', () => {
  it('passes each command its arguments', async () => {
    const backend = createTauriBackend();
    const input = { homeserver: 'https://matrix.example.org', user: 'alice', password: 'secret' };
    await backend.addMatrixAccount(input);
    await backend.chatRooms();
    await backend.chatRooms(3);
    await backend.chatSend('7', 'Hello', 42);
    await backend.chatSend('7', 'Hello');
    await backend.chatRetry(9);
    await backend.chatHistory('7', 1);
    await backend.chatJoin('8');
    await backend.setRoomMuted('7', true);
    expect(invoke.mock.calls).toEqual([
      ['add_matrix_account', { input }],
      ['chat_rooms', { account: null }],
      ['chat_rooms', { account: 3 }],
      ['chat_send', { room: '7', text: 'Hello', replyTo: 42 }],
      ['chat_send', { room: '7', text: 'Hello', replyTo: null }],
      ['chat_retry', { id: 9 }],
      ['chat_history', { room: '7', pages: 1 }],
      ['chat_join', { room: '8' }],
      ['set_room_muted', { room: '7', muted: true }],
    ]);
  });

  it('rejects with an ApiError, its field kept', async () => {
    invoke.mockRejectedValueOnce({ code: 'invalid_input', message: 'The message is empty', field: 'text' });
    await expect(createTauriBackend().chatSend('7', ' ')).rejects.toEqual({ code: 'invalid_input', message: 'The message is empty', field: 'text' });
  });
});
