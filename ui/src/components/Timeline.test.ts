import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import type { Item } from '../backend';
import { ROW_HEIGHT } from '../lib/virtual';
import { makeItem } from '../test/items';
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
