import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setLocale } from '../i18n/index.svelte';
import { makeChatItem, makeRoom } from '../test/items';
import ChatConversation from './ChatConversation.svelte';
import ReadingPane from './ReadingPane.svelte';

afterEach(() => {
  cleanup();
  setLocale('en');
});

const box = () => screen.getByTestId('chat-reply') as HTMLTextAreaElement;
const bubbles = () => screen.getAllByTestId('chat-message');

/** Bob's question, the user's answer, Bob's reply to it (quoted), an encrypted and a deleted one. */
const messages = [
  makeChatItem({ id: 1, snippet: 'Lunch?', body_text: 'Lunch?', time: '2026-01-01T10:00:00Z' }),
  makeChatItem(
    { id: 2, sender: { name: 'Me', address: '@me:example.org' }, snippet: 'Sure', body_text: 'Sure', time: '2026-01-01T10:01:00Z' },
    { sender_id: '@me:example.org', event_id: '$2' },
  ),
  makeChatItem(
    {
      id: 3,
      snippet: 'Great, at noon',
      body_text: 'Great, at noon',
      time: '2026-01-01T10:02:00Z',
      unread: true,
      reply_to: { item: 2, sender: 'Me', snippet: 'Sure' },
    },
    { event_id: '$3', reply_to: '$2', edited: true },
  ),
  makeChatItem({ id: 4, snippet: '', body_text: null, time: '2026-01-01T10:03:00Z' }, { event_id: '$4', encrypted: true }),
  makeChatItem({ id: 5, snippet: '', body_text: null, time: '2026-01-01T10:04:00Z' }, { event_id: '$5', redacted: true }),
];

function show(props: Partial<Parameters<typeof render<typeof ChatConversation>>[1] & object> = {}) {
  const onsend = vi.fn(async (_text: string, _replyTo: number | null) => {});
  const result = render(ChatConversation, { messages, opened: 3, room: makeRoom(), me: '@me:example.org', onsend, ...props });
  return { ...result, onsend };
}

describe('the chat conversation', () => {
  it('shows the messages oldest first as bubbles: sender, time, quote, edited, encrypted and deleted marks', () => {
    show();
    const [question, answer, reply, encrypted, deleted] = bubbles();
    expect(question.textContent).toContain('Bob');
    expect(question.textContent).toContain('Lunch?');
    expect(question.querySelector('time')?.getAttribute('datetime')).toBe('2026-01-01T10:00:00Z');
    expect(answer.classList.contains('mine')).toBe(true);
    expect(question.classList.contains('mine')).toBe(false);
    expect(reply.classList.contains('opened')).toBe(true);
    expect(reply.classList.contains('unread')).toBe(true);
    expect(within(reply).getByTestId('chat-quote').textContent).toMatch(/Me\s*Sure/);
    expect(within(reply).getByTestId('chat-edited').textContent).toBe('edited');
    expect(within(encrypted).getByTestId('chat-encrypted').textContent).toBe('Encrypted message — Satu cannot read it yet');
    expect(within(deleted).getByTestId('chat-redacted').textContent).toBe('Message deleted');
    expect(within(deleted).queryByTestId('chat-reply-to')).toBeNull();
    expect(screen.getAllByTestId('chat-reply-to')).toHaveLength(4);
  });

  it('Enter sends and empties the box; Shift+Enter does not; Ctrl+Enter sends too', async () => {
    const { onsend } = show();
    await fireEvent.input(box(), { target: { value: 'First line' } });
    await fireEvent.keyDown(box(), { key: 'Enter', shiftKey: true });
    expect(onsend).not.toHaveBeenCalled();
    await fireEvent.keyDown(box(), { key: 'Enter' });
    expect(onsend).toHaveBeenCalledWith('First line', null);
    await waitFor(() => expect(box().value).toBe(''));
    // An empty box sends nothing.
    await fireEvent.keyDown(box(), { key: 'Enter' });
    expect(onsend).toHaveBeenCalledTimes(1);
    await fireEvent.input(box(), { target: { value: 'Second' } });
    await fireEvent.keyDown(box(), { key: 'Enter', ctrlKey: true });
    expect(onsend).toHaveBeenLastCalledWith('Second', null);
    // While an IME composes, Enter is the IME's.
    await fireEvent.input(box(), { target: { value: 'にほ' } });
    await fireEvent.keyDown(box(), { key: 'Enter', isComposing: true });
    expect(onsend).toHaveBeenCalledTimes(2);
  });

  it('Reply on a message answers it: "Replying to", sent with its id, cleared after; Cancel drops it', async () => {
    const { onsend } = show();
    await fireEvent.click(within(bubbles()[0]).getByTestId('chat-reply-to'));
    expect(screen.getByTestId('chat-replying').textContent).toContain('Replying to Bob: Lunch?');
    expect(document.activeElement).toBe(box());
    await fireEvent.click(screen.getByTestId('chat-reply-cancel'));
    expect(screen.queryByTestId('chat-replying')).toBeNull();

    await fireEvent.click(within(bubbles()[2]).getByTestId('chat-reply-to'));
    await fireEvent.input(box(), { target: { value: 'Noon it is' } });
    await fireEvent.click(screen.getByTestId('chat-send'));
    expect(onsend).toHaveBeenCalledWith('Noon it is', 3);
    await waitFor(() => expect(screen.queryByTestId('chat-replying')).toBeNull());
    expect(box().value).toBe('');
  });

  it('a refusal shows under the box and keeps the text and the reply', async () => {
    const onsend = vi.fn(async () => {
      throw { code: 'invalid_input', message: 'Item 3 is not sent yet: answer it once it is', field: 'reply_to' };
    });
    show({ onsend });
    await fireEvent.click(within(bubbles()[2]).getByTestId('chat-reply-to'));
    await fireEvent.input(box(), { target: { value: 'Hm' } });
    await fireEvent.keyDown(box(), { key: 'Enter' });
    const error = await screen.findByTestId('chat-error');
    expect(error.textContent).toBe('Item 3 is not sent yet: answer it once it is');
    expect(box().getAttribute('aria-describedby')).toBe('chat-error');
    expect(box().value).toBe('Hm');
    expect(screen.getByTestId('chat-replying')).toBeTruthy();
  });

  it('Escape leaves the box and goes no further', async () => {
    const outside = vi.fn();
    window.addEventListener('keydown', outside);
    try {
      show();
      box().focus();
      await fireEvent.keyDown(box(), { key: 'Escape' });
      expect(document.activeElement).not.toBe(box());
      expect(outside).not.toHaveBeenCalled();
    } finally {
      window.removeEventListener('keydown', outside);
    }
  });

  it('Sending… and Not sent with Retry', async () => {
    const onretry = vi.fn();
    show({
      messages: [
        makeChatItem({ id: 8, snippet: 'Wait', body_text: 'Wait' }, { state: 'queued', event_id: null }),
        makeChatItem({ id: 9, snippet: 'Gone', body_text: 'Gone' }, { state: 'failed', event_id: null, error: 'Timed out' }),
      ],
      opened: 9,
      onretry,
    });
    const [queued, failed] = bubbles();
    expect(within(queued).getByTestId('chat-queued').textContent).toBe('Sending…');
    // Not on the server yet: nothing to answer.
    expect(within(queued).queryByTestId('chat-reply-to')).toBeNull();
    expect(within(failed).getByTestId('chat-failed').textContent).toBe('Not sent: Timed out');
    await fireEvent.click(within(failed).getByTestId('chat-retry'));
    expect(onretry).toHaveBeenCalledWith(9);
  });

  it('an invitation offers Join instead of the box; more history offers Load older messages', async () => {
    const onjoin = vi.fn(async () => {});
    const onhistory = vi.fn(async () => {});
    const { rerender } = show({ room: makeRoom({ membership: 'invite', name: 'Book club' }), onjoin, onhistory });
    expect(screen.queryByTestId('chat-reply')).toBeNull();
    expect(screen.getByTestId('chat-invite').textContent).toContain('You are invited to Book club.');
    await fireEvent.click(screen.getByTestId('chat-join'));
    expect(onjoin).toHaveBeenCalled();
    expect(screen.queryByTestId('chat-load-older')).toBeNull();

    await rerender({ room: makeRoom({ more_history: true }) });
    await fireEvent.click(screen.getByTestId('chat-load-older'));
    expect(onhistory).toHaveBeenCalled();
    expect(screen.getByTestId('chat-reply')).toBeTruthy();
  });

  it('focus puts the keyboard in the box, once', async () => {
    const onfocused = vi.fn();
    show({ focus: true, onfocused });
    await waitFor(() => expect(document.activeElement).toBe(box()));
    expect(onfocused).toHaveBeenCalledTimes(1);
  });

  it('in Malay', () => {
    setLocale('ms');
    show();
    expect(within(bubbles()[3]).getByTestId('chat-encrypted').textContent).toBe('Mesej disulitkan — Satu belum dapat membacanya');
    expect(screen.getByTestId('chat-send').textContent?.trim()).toBe('Hantar');
  });
});

describe('the reading pane of a chat', () => {
  it('a chat message: the room as the heading, its conversation, the reply box sending to its room', async () => {
    const onchatsend = vi.fn(async () => {});
    render(ReadingPane, {
      loading: false,
      detail: messages[2],
      conversation: messages,
      room: makeRoom({ topic: 'Lunch plans' }),
      me: '@me:example.org',
      onchatsend,
    });
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Team');
    expect(screen.getByTestId('pane-room-topic').textContent).toBe('Lunch plans');
    expect(bubbles()).toHaveLength(5);
    await fireEvent.input(box(), { target: { value: 'Noon' } });
    await fireEvent.keyDown(box(), { key: 'Enter' });
    expect(onchatsend).toHaveBeenCalledWith(1, 'Noon', null);
  });

  it('a room with no message shown: its name and the box for a first message, or Join for an invitation', async () => {
    const onchatsend = vi.fn(async () => {});
    const onchatjoin = vi.fn(async () => {});
    const { rerender } = render(ReadingPane, { loading: false, detail: null, room: makeRoom({ id: 7, messages: 0, thread: null, last: null }), onchatsend, onchatjoin });
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Team');
    expect(screen.queryAllByTestId('chat-message')).toHaveLength(0);
    await fireEvent.input(box(), { target: { value: 'Hello, room' } });
    await fireEvent.click(screen.getByTestId('chat-send'));
    expect(onchatsend).toHaveBeenCalledWith(7, 'Hello, room', null);
    await rerender({ room: makeRoom({ id: 7, membership: 'invite' }) });
    await fireEvent.click(screen.getByTestId('chat-join'));
    expect(onchatjoin).toHaveBeenCalledWith(7);
  });
});

