import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import App from './App.svelte';
import { createFakeBackend } from './test/fake-backend';
import { MARK_READ_DELAY_MS } from './lib/mark-read';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

const key = (key: string, init: KeyboardEventInit = {}) => fireEvent.keyDown(window, { key, ...init });
const rows = () => screen.getAllByTestId('timeline-item');
const row = (text: string) => rows().find((r) => r.textContent?.includes(text));
const bubbles = () => screen.queryAllByTestId('chat-message');
const bubble = (text: string) => bubbles().find((b) => b.textContent?.includes(text));
const box = () => screen.getByTestId('chat-reply') as HTMLTextAreaElement;
const paneTitle = () => screen.getByTestId('reading-pane').querySelector('h1')?.textContent ?? null;

/** The window on the fake with its Matrix account (rooms 1 Wei Ling, 2 Harbour Museum team, 3 Security team, 4 Book club). */
async function start() {
  const fake = createFakeBackend({ chat: true });
  render(App, { backend: fake });
  await screen.findAllByTestId('timeline-item');
  return fake;
}

/** Opens the chat message whose row shows `text` and waits for its room's conversation. */
async function openChat(text: string) {
  await fireEvent.click(row(text)!);
  await waitFor(() => expect(bubble(text)).toBeTruthy());
}

describe('chat in the window', () => {
  it('the Chats view lists only chat messages, with the room, the sender, the text and their marks', async () => {
    const fake = await start();
    const chats = screen.getByTestId('view-chats');
    expect(chats.getAttribute('aria-keyshortcuts')).toBe('g h');
    // Unread chat messages: Wei Ling's and Daniel's.
    await waitFor(() => expect(screen.getByTestId('count-chats').textContent).toBe('2'));
    await fireEvent.click(chats);
    const count = (await fake.timeline({ kind: 'chat' })).length;
    await waitFor(() => expect(rows()).toHaveLength(count));
    expect(rows().every((r) => r.dataset.kind === 'chat')).toBe(true);
    expect(chats.getAttribute('aria-current')).toBe('page');

    const lunch = row('Nasi lemak')!;
    expect(lunch.textContent).toContain('Wei Ling'); // the sender, and the room (a direct chat)
    expect(lunch.classList.contains('unread')).toBe(true);
    const edited = row('photos from the archive')!;
    expect(edited.textContent).toContain('Daniel Tan');
    expect(edited.textContent).toContain('Harbour Museum team');
    expect(within(edited).getByTestId('chat-edited').textContent).toBe('edited');
    expect(within(row('Message deleted')!).getByTestId('chat-redacted')).toBeTruthy();
    const encrypted = within(row('Security team')!).getByTestId('chat-encrypted');
    expect(encrypted.textContent).toBe('Encrypted message — Satu cannot read it yet');
    const failed = row('ten minutes late')!;
    expect(within(failed).getByTestId('chat-failed').textContent).toContain('Not sent: The homeserver refused the message');
    expect(failed.parentElement!.querySelector('[data-testid="chat-row-retry"]')).toBeTruthy();

    // g a and g h go back and forth.
    await key('g');
    await key('a');
    await waitFor(() => expect(rows().some((r) => r.dataset.kind === 'mail')).toBe(true));
    await key('g');
    await key('h');
    await waitFor(() => expect(rows().every((r) => r.dataset.kind === 'chat')).toBe(true));
  });

  it('opening a chat message shows its room oldest first, with the message it answers; the reply box sends on Enter', async () => {
    const fake = await start();
    const send = vi.spyOn(fake, 'chatSend');
    await openChat('Nasi lemak');
    expect(paneTitle()).toBe('Wei Ling');
    expect(bubbles().map((b) => b.textContent?.includes('Nasi lemak'))).toEqual([false, false, true, false]);
    expect(within(bubble('Nasi lemak')!).getByTestId('chat-quote').textContent).toMatch(/Aisha \(Matrix\)\s*Yes! Where shall we go\?/);

    // Shift+Enter is a new line; Enter sends to the room, and the box is empty again.
    await fireEvent.input(box(), { target: { value: 'See you there' } });
    await fireEvent.keyDown(box(), { key: 'Enter', shiftKey: true });
    expect(send).not.toHaveBeenCalled();
    await fireEvent.keyDown(box(), { key: 'Enter' });
    expect(send).toHaveBeenCalledWith('1', 'See you there', null);
    await waitFor(() => expect(box().value).toBe(''));
    await waitFor(() => expect(bubble('See you there')).toBeTruthy());
    expect(bubble('See you there')!.classList.contains('mine')).toBe(true);
    // In the timeline at once.
    expect(rows()[0].textContent).toContain('See you there');

    // Reply on a message answers it: shown above the box, with a cancel.
    await fireEvent.click(within(bubble('Are you free for lunch')!).getByTestId('chat-reply-to'));
    expect(screen.getByTestId('chat-replying').textContent).toContain('Replying to Wei Ling: Are you free for lunch today?');
    expect(document.activeElement).toBe(box());
    await fireEvent.click(screen.getByTestId('chat-reply-cancel'));
    expect(screen.queryByTestId('chat-replying')).toBeNull();
    await fireEvent.click(within(bubble('Nasi lemak')!).getByTestId('chat-reply-to'));
    await fireEvent.input(box(), { target: { value: 'Perfect' } });
    await fireEvent.keyDown(box(), { key: 'Enter', ctrlKey: true });
    const [nasiLemak] = await fake.search({ text: 'nasi lemak' });
    expect(send).toHaveBeenLastCalledWith('1', 'Perfect', nasiLemak.id);
    await waitFor(() => expect(within(bubble('Perfect')!).getByTestId('chat-quote').textContent).toContain('Nasi lemak'));
    expect(screen.queryByTestId('chat-replying')).toBeNull();
    expect(box().value).toBe('');
  });

  it('the send button sends too; an error shows under the box and keeps the text', async () => {
    const fake = await start();
    await openChat('Nasi lemak');
    const send = screen.getByTestId('chat-send') as HTMLButtonElement;
    expect(send.disabled).toBe(true);
    vi.spyOn(fake, 'chatSend').mockRejectedValueOnce({ code: 'unreachable', message: 'Cannot reach matrix.example.org', field: 'room' });
    await fireEvent.input(box(), { target: { value: 'Hello?' } });
    await fireEvent.click(send);
    expect((await screen.findByTestId('chat-error')).textContent).toBe('Cannot reach matrix.example.org');
    expect(box().value).toBe('Hello?');
    expect(box().getAttribute('aria-invalid')).toBe('true');
    await fireEvent.click(send);
    await waitFor(() => expect(box().value).toBe(''));
    expect(screen.queryByTestId('chat-error')).toBeNull();
  });

  it('a message that failed shows the error and Retry, in the conversation and on its row; Retry sends it', async () => {
    const fake = await start();
    const retry = vi.spyOn(fake, 'chatRetry');
    await openChat('ten minutes late');
    const failed = bubble('ten minutes late')!;
    expect(within(failed).getByTestId('chat-failed').textContent).toBe(
      'Not sent: The homeserver refused the message: M_LIMIT_EXCEEDED (too many requests).',
    );
    await fireEvent.click(within(failed).getByTestId('chat-retry'));
    expect(retry).toHaveBeenCalledWith(Number(failed.dataset.id));
    await waitFor(() => expect(within(bubble('ten minutes late')!).queryByTestId('chat-failed')).toBeNull());
    await waitFor(() => expect(screen.queryByTestId('chat-row-retry')).toBeNull());

    // From the row, for one that fails later.
    fake.failChat(Number(failed.dataset.id), 'Timed out');
    const rowRetry = await screen.findByTestId('chat-row-retry');
    await fireEvent.click(rowRetry);
    expect(retry).toHaveBeenCalledTimes(2);
    await waitFor(() => expect(screen.queryByTestId('chat-row-retry')).toBeNull());
  });

  it('encrypted and deleted messages say so in their bubble', async () => {
    await start();
    await fireEvent.click(row('Security team')!);
    await waitFor(() => expect(paneTitle()).toBe('Security team'));
    // Once the rooms are known (they come with the counts).
    await screen.findByTestId('pane-room-encrypted');
    expect(within(bubbles()[0]).getByTestId('chat-encrypted').textContent).toBe('Encrypted message — Satu cannot read it yet');
    await openChat('Message deleted');
    const deleted = bubble('Message deleted')!;
    expect(within(deleted).getByTestId('chat-redacted')).toBeTruthy();
    // Nothing to answer there; the others can be.
    expect(within(deleted).queryByTestId('chat-reply-to')).toBeNull();
    expect(within(bubble('photos from the archive')!).getByTestId('chat-edited')).toBeTruthy();
    expect(within(bubble('photos from the archive')!).getByTestId('chat-reply-to')).toBeTruthy();
  });

  it('r on a chat message puts the keyboard in the reply box (opening it first); Escape leaves the box', async () => {
    await start();
    await fireEvent.click(screen.getByTestId('view-chats'));
    await waitFor(() => expect(rows().every((r) => r.dataset.kind === 'chat')).toBe(true));
    await key('j');
    await key('r');
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('chat-reply')));
    expect(bubbles().length).toBeGreaterThan(0);
    // Typing r there is text, not a shortcut.
    await fireEvent.keyDown(box(), { key: 'r' });
    expect(screen.queryByTestId('compose')).toBeNull();
    await fireEvent.keyDown(box(), { key: 'Escape' });
    expect(document.activeElement).not.toBe(box());
    // The reading pane's Reply does the same.
    await fireEvent.click(screen.getByTestId('action-reply'));
    await waitFor(() => expect(document.activeElement).toBe(box()));
  });

  it('t on a chat message makes its task, and the message then links to it', async () => {
    const fake = await start();
    const made = vi.spyOn(fake, 'taskFromMail');
    await openChat('Nasi lemak');
    expect(screen.getByTestId('action-make-task').textContent).toContain('Make task');
    await key('t');
    const [message] = await fake.search({ text: 'nasi lemak' });
    expect(made).toHaveBeenCalledWith(message.id);
    await waitFor(() => expect(screen.getByTestId('pane-open-task')).toBeTruthy());
    expect(screen.getByTestId('notice-info').textContent).toContain('Task made: Nasi lemak at the usual place at 12:30?');
    await fireEvent.click(screen.getByTestId('pane-open-task'));
    await waitFor(() => expect(paneTitle()).toBe('Nasi lemak at the usual place at 12:30?'));
    expect(screen.getByTestId('pane-open-mail').textContent).toBe('Open the message');
  });

  it('opening a chat message reads its room after the same delay as mail', async () => {
    const fake = await start();
    const mark = vi.spyOn(fake, 'mark');
    vi.useFakeTimers();
    await fireEvent.click(row('Malay wording')!);
    await vi.advanceTimersByTimeAsync(MARK_READ_DELAY_MS - 100);
    expect(mark).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(200);
    const [daniel] = await fake.search({ text: 'malay wording' });
    expect(mark).toHaveBeenCalledWith(daniel.id, { unread: false });
    expect((await fake.chatRooms()).find((r) => r.name === 'Harbour Museum team')?.unread).toBe(0);
    expect(row('Malay wording')!.classList.contains('unread')).toBe(false);
  });

  it('a message arriving in the room shown joins its conversation', async () => {
    const fake = await start();
    await openChat('Nasi lemak');
    fake.receiveChat(1, 'Booked a table!', ['Wei Ling', '@weiling:example.org']);
    await waitFor(() => expect(bubble('Booked a table!')).toBeTruthy());
    expect(bubbles()[bubbles().length - 1].textContent).toContain('Booked a table!');
  });
});

describe('chat rooms in the sidebar', () => {
  it('lists the rooms under the Matrix account with unread, muted and invited marks; a room shows its messages', async () => {
    const fake = await start();
    const roomList = await screen.findByRole('list', { name: 'Rooms of Aisha (Matrix)' });
    const entries = within(roomList).getAllByTestId('room');
    expect(entries.map((e) => e.querySelector('.label')?.textContent)).toEqual(['Harbour Museum team', 'Wei Ling', 'Security team', 'Book club']);
    const [team, weiling, security, club] = entries;
    expect(within(team).getByTestId('room-unread').textContent).toBe('1');
    expect(within(weiling).getByTestId('room-unread').textContent).toBe('1');
    expect(within(security).getByTestId('room-muted').textContent).toContain('Muted');
    expect(within(club).getByTestId('room-invited').textContent).toBe('Invited');
    expect(screen.getByText('@aisha:example.org')).toBeTruthy();

    await fireEvent.click(team);
    await waitFor(() => expect(rows()).toHaveLength(5));
    expect(rows().every((r) => r.textContent?.includes('Harbour Museum team'))).toBe(true);
    expect(team.getAttribute('aria-current')).toBe('page');
    // The room opens at its newest message.
    await waitFor(() => expect(paneTitle()).toBe('Harbour Museum team'));
    expect(screen.getByTestId('pane-room-topic').textContent).toBe('The new website: launch in March');
    expect(bubbles()).toHaveLength(5);

    // Older messages from the server, at the top of the conversation.
    const history = vi.spyOn(fake, 'chatHistory');
    await fireEvent.click(screen.getByTestId('chat-load-older'));
    expect(history).toHaveBeenCalledWith('2', 1);
    await waitFor(() => expect(bubbles()).toHaveLength(7));
    expect(bubbles()[0].textContent).toContain('Welcome to the project room');
    await waitFor(() => expect(screen.queryByTestId('chat-load-older')).toBeNull());
  });

  it('an invitation offers Join; joining brings its messages', async () => {
    const fake = await start();
    const join = vi.spyOn(fake, 'chatJoin');
    const club = (await screen.findAllByTestId('room')).find((e) => e.textContent?.includes('Book club'))!;
    await fireEvent.click(club);
    const invite = await screen.findByTestId('chat-invite');
    expect(invite.textContent).toContain('You are invited to Book club.');
    expect(screen.queryByTestId('chat-reply')).toBeNull();
    await fireEvent.click(within(invite).getByTestId('chat-join'));
    expect(join).toHaveBeenCalledWith('4');
    await waitFor(() => expect(bubble('Welcome to the book club!')).toBeTruthy());
    expect(screen.getByTestId('chat-reply')).toBeTruthy();
    await waitFor(() => expect(screen.queryByTestId('room-invited')).toBeNull());
  });
});

describe('chat settings', () => {
  it('each room has a notification switch: unticking it mutes the room', async () => {
    const fake = await start();
    const muted = vi.spyOn(fake, 'setRoomMuted');
    await fireEvent.click(screen.getByTestId('open-settings'));
    await waitFor(() => expect(screen.getAllByTestId('setting-room-notify')).toHaveLength(4));
    const switches = screen.getAllByTestId('setting-room-notify') as HTMLInputElement[];
    const weiling = switches.find((s) => s.closest('label')?.textContent?.includes('Wei Ling'))!;
    expect(weiling.closest('label')?.textContent?.trim()).toBe('Notify new messages in Wei Ling');
    expect(weiling.checked).toBe(true);
    expect(switches.find((s) => s.closest('label')?.textContent?.includes('Security team'))!.checked).toBe(false);
    await fireEvent.click(weiling);
    expect(muted).toHaveBeenCalledWith('1', true);
    await waitFor(async () => expect((await fake.chatRooms()).find((r) => r.id === 1)?.muted).toBe(true));
    await waitFor(() =>
      expect(screen.getAllByTestId('room').find((e) => e.textContent?.includes('Wei Ling'))?.querySelector('[data-testid="room-muted"]')).toBeTruthy(),
    );
  });

  it('adds a Matrix account through its form: errors at their field, Ctrl+Enter submits, Escape closes', async () => {
    const fake = await start();
    await fireEvent.click(screen.getByTestId('open-settings'));
    await fireEvent.click(await screen.findByTestId('add-matrix'));
    let form = await screen.findByTestId('matrix-form');
    expect(document.activeElement).toBe(within(form).getByTestId('matrix-homeserver'));
    await fireEvent.keyDown(within(form).getByTestId('matrix-user'), { key: 'Escape' });
    expect(screen.queryByTestId('matrix-form')).toBeNull();
    // Settings stays open under it.
    expect(screen.getByTestId('settings')).toBeTruthy();

    await fireEvent.click(screen.getByTestId('add-matrix'));
    form = await screen.findByTestId('matrix-form');
    await fireEvent.input(within(form).getByTestId('matrix-homeserver'), { target: { value: 'http://chat.example.net' } });
    await fireEvent.input(within(form).getByTestId('matrix-user'), { target: { value: 'aisha' } });
    await fireEvent.input(within(form).getByTestId('matrix-password'), { target: { value: 'secret' } });
    await fireEvent.click(within(form).getByTestId('matrix-submit'));
    expect((await within(form).findByTestId('matrix-error-homeserver')).textContent).toContain('only allowed to this computer');
    expect(within(form).getByTestId('matrix-homeserver').getAttribute('aria-invalid')).toBe('true');

    await fireEvent.input(within(form).getByTestId('matrix-homeserver'), { target: { value: 'https://chat.example.net' } });
    await fireEvent.input(within(form).getByTestId('matrix-password'), { target: { value: 'wrong' } });
    await fireEvent.keyDown(within(form).getByTestId('matrix-password'), { key: 'Enter', ctrlKey: true });
    expect((await within(form).findByTestId('matrix-error-password')).textContent).toContain('refused the login');
    expect(within(form).queryByTestId('matrix-error-homeserver')).toBeNull();

    await fireEvent.input(within(form).getByTestId('matrix-password'), { target: { value: 'secret' } });
    await fireEvent.click(within(form).getByTestId('matrix-submit'));
    await waitFor(() => expect(screen.queryByTestId('matrix-form')).toBeNull());
    expect((await fake.accounts()).find((a) => a.username === '@aisha:chat.example.net')).toMatchObject({ kind: 'matrix' });
    expect(await screen.findByText('Chat account added with one room.')).toBeTruthy();
    await waitFor(() => expect(screen.getByRole('list', { name: 'Rooms of @aisha:chat.example.net' })).toBeTruthy());
  });
});
