import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import type { Item } from '../backend';
import { ROW_HEIGHT } from '../lib/virtual';
import { makeChatItem, makeItem } from '../test/items';
import Timeline from './Timeline.svelte';

afterEach(cleanup);

function items(count: number): Item[] {
  return Array.from({ length: count }, (_, i) =>
    makeItem({
      id: count - i,
      title: `Message ${count - i}`,
      sender: { name: null, address: 'a@example.com' },
      time: new Date(Date.UTC(2026, 0, 1) - i * 60_000).toISOString(),
      folders: ['INBOX'],
    }),
  );
}

function show(list: Item[], selected: number | null = null) {
  return render(Timeline, {
    items: list,
    view: { type: 'all' },
    loading: false,
    loadingOlder: false,
    complete: true,
    selected,
    onselect: () => {},
    onopen: () => {},
    onloadolder: () => {},
  });
}

const rendered = () => screen.getAllByTestId('timeline-item');

describe('the virtualized timeline', () => {
  it('puts only the rows in view into the document, however long the list', () => {
    show(items(100_000));
    const rows = rendered();
    expect(rows.length).toBeLessThan(60);
    expect(rows[0].textContent).toContain('Message 100000');
    expect(rows[0].getAttribute('aria-setsize')).toBe('100000');
    expect(rows[0].getAttribute('aria-posinset')).toBe('1');
    // The list keeps the whole height, so the scroll bar is true to the list.
    const listbox = screen.getByRole('listbox');
    const padding = parseInt(listbox.style.paddingBlockEnd, 10);
    expect(padding).toBe((100_000 - rows.length) * ROW_HEIGHT);
  });

  it('renders the rows scrolled to', async () => {
    const { container } = show(items(100_000));
    const scroller = container.querySelector('section.timeline') as HTMLElement;
    scroller.scrollTop = 50_000 * ROW_HEIGHT;
    await fireEvent.scroll(scroller);
    const rows = rendered();
    expect(rows.length).toBeLessThan(60);
    const positions = rows.map((row) => Number(row.getAttribute('aria-posinset')));
    expect(positions).toContain(50_001);
    expect(rows.map((row) => row.textContent).join()).toContain('Message 50000');
  });

  it('scrolls the selected row into the document before focusing it', async () => {
    const list = items(10_000);
    const { component, container } = show(list, list[7_000].id);
    const scroller = container.querySelector('section.timeline') as HTMLElement;
    await component.focusSelected();
    expect(scroller.scrollTop).toBeGreaterThan(6_000 * ROW_HEIGHT);
    const focused = document.activeElement as HTMLElement;
    expect(focused.getAttribute('aria-selected')).toBe('true');
    expect(focused.textContent).toContain(list[7_000].title);
  });
});

describe('chat rows', () => {
  const chat = (id: number, patch: Parameters<typeof makeChatItem>[1], snippet = 'Hello there') =>
    makeChatItem({ id, snippet, time: new Date(Date.UTC(2026, 0, 1) - id * 60_000).toISOString() }, patch);

  it('show the room, the sender and the text, with marks for Sending…, Not sent (and Retry), edited, encrypted and deleted', async () => {
    const retried: number[] = [];
    render(Timeline, {
      items: [
        chat(1, {}),
        chat(2, { state: 'queued', event_id: null }, 'On its way'),
        chat(3, { state: 'failed', event_id: null, error: 'Timed out' }, 'Lost'),
        chat(4, { edited: true }, 'Fixed typo'),
        chat(5, { encrypted: true }, ''),
        chat(6, { redacted: true }, ''),
        makeItem({ id: 7, title: 'A mail', sender: { name: null, address: 'a@example.com' }, time: '2025-01-01T00:00:00Z' }),
      ],
      view: { type: 'all' },
      loading: false,
      loadingOlder: false,
      complete: true,
      selected: null,
      onselect: () => {},
      onopen: () => {},
      onloadolder: () => {},
      onretry: (id: number) => retried.push(id),
    });
    const [plain, queued, failed, edited, encrypted, redacted, mail] = rendered();
    expect([plain, queued, failed, edited, encrypted, redacted].every((r) => r.dataset.kind === 'chat')).toBe(true);
    expect(mail.dataset.kind).toBe('mail');
    expect(plain.textContent).toContain('Bob');
    expect(plain.textContent).toContain('Team');
    expect(plain.textContent).toContain('Hello there');
    expect(plain.textContent).toContain('Chat');
    expect(screen.getAllByTestId('chat-queued').map((m) => m.closest('[data-testid="timeline-item"]'))).toEqual([queued]);
    expect(screen.getByTestId('chat-queued').textContent).toBe('Sending…');
    expect(queued.textContent).toContain('On its way');
    const mark = screen.getByTestId('chat-failed');
    expect(mark.closest('[data-testid="timeline-item"]')).toBe(failed);
    expect(mark.textContent).toBe('Not sent: Timed out');
    expect(mark.title).toBe('Timed out');
    expect(failed.textContent).toContain('Lost');
    expect(screen.getByTestId('chat-edited').closest('[data-testid="timeline-item"]')).toBe(edited);
    expect(screen.getByTestId('chat-edited').textContent).toBe('edited');
    expect(screen.getByTestId('chat-encrypted').closest('[data-testid="timeline-item"]')).toBe(encrypted);
    expect(screen.getByTestId('chat-encrypted').textContent).toBe('Encrypted message — Satu cannot read it yet');
    expect(screen.getByTestId('chat-redacted').closest('[data-testid="timeline-item"]')).toBe(redacted);
    expect(screen.getByTestId('chat-redacted').textContent).toBe('Message deleted');
    // Retry sits beside the failed row (a button holds no other button), and only there.
    const retry = screen.getByTestId('chat-row-retry');
    expect(failed.contains(retry)).toBe(false);
    expect(retry.parentElement).toBe(failed.parentElement);
    await fireEvent.click(retry);
    expect(retried).toEqual([3]);
  });

  it('say so when the Chats view or a room is empty', async () => {
    const { rerender } = render(Timeline, {
      items: [],
      view: { type: 'chats' },
      loading: false,
      loadingOlder: false,
      complete: true,
      selected: null,
      onselect: () => {},
      onopen: () => {},
      onloadolder: () => {},
    });
    expect(screen.getByText('No chats yet.')).toBeTruthy();
    await rerender({ view: { type: 'room', account: 2, room: 1, thread: null } });
    expect(screen.getByText('No messages in this room yet.')).toBeTruthy();
  });
});
