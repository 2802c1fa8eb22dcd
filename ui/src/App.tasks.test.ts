import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import App from './App.svelte';
import { createFakeBackend } from './backend/fake';
import ReadingPane from './components/ReadingPane.svelte';
import { setLocale } from './i18n/index.svelte';
import { makeDetail, makeTodo } from './test/items';

afterEach(() => {
  cleanup();
  setLocale('en');
});

const rows = () => screen.getAllByTestId('timeline-item');
const row = (text: string) => rows().find((r) => r.textContent?.includes(text));
const paneTitle = () => screen.getByTestId('reading-pane').querySelector('h1')?.textContent ?? null;

/** The window on the fake, with the seeded task Renew the domain name open. */
async function openRenew() {
  const fake = createFakeBackend();
  render(App, { backend: fake });
  await screen.findAllByTestId('timeline-item');
  const [renew] = await fake.search({ text: 'renew domain' });
  await fireEvent.click(row('Renew the domain name')!);
  await waitFor(() => expect(paneTitle()).toBe('Renew the domain name'));
  return { fake, renew };
}

describe("a task's priority, progress and parent", () => {
  it('the pane shows High with the number in its title and 40 % done; the row has a ! mark', async () => {
    await openRenew();
    const mark = within(row('Renew the domain name')!).getByTestId('high-priority');
    expect(mark.title).toBe('High priority');
    // No other row has one.
    expect(screen.getAllByTestId('high-priority')).toHaveLength(1);
    const priority = screen.getByTestId('pane-task-priority');
    expect(priority.textContent).toBe('High');
    expect(priority.title).toBe('Priority 1 (1 is the highest, 9 the lowest)');
    expect(screen.getByTestId('pane-task-percent').textContent).toBe('40 % done');
    expect(screen.getByTestId('reading-pane').querySelector('progress')?.value).toBe(40);
    expect(screen.queryByTestId('pane-task-parent')).toBeNull();

    // Done: the status says so; no percent, no mark.
    await fireEvent.click(screen.getByTestId('action-make-task'));
    await waitFor(() => expect(screen.getByTestId('pane-task-status').textContent).toBe('Done'));
    expect(screen.queryByTestId('pane-task-percent')).toBeNull();
    await waitFor(() => expect(screen.queryByTestId('high-priority')).toBeNull());
    expect(screen.getByTestId('pane-task-priority').textContent).toBe('High');
  });

  it('Medium and Low by the RFC 5545 bands, Part of another task, nothing when unset; in Malay too', async () => {
    const task = (todo: Parameters<typeof makeTodo>[0]) => makeDetail({ id: 5, kind: 'task', title: 'Plan', todo: makeTodo(todo) });
    const { rerender } = render(ReadingPane, { loading: false, detail: task({ priority: 5, percent: 0, related_to: 'parent@x' }) });
    expect(screen.getByTestId('pane-task-priority').textContent).toBe('Medium');
    expect(screen.queryByTestId('pane-task-percent')).toBeNull();
    const parent = screen.getByTestId('pane-task-parent');
    expect(parent.textContent).toBe('Part of another task');
    await rerender({ loading: false, detail: task({ priority: 9, percent: 75 }) });
    expect(screen.getByTestId('pane-task-priority').textContent).toBe('Low');
    expect(screen.getByTestId('pane-task-priority').title).toBe('Priority 9 (1 is the highest, 9 the lowest)');
    expect(screen.getByTestId('pane-task-percent').textContent).toBe('75 % done');
    expect(screen.queryByTestId('pane-task-parent')).toBeNull();
    await rerender({ loading: false, detail: task({}) });
    expect(screen.queryByTestId('pane-task-priority')).toBeNull();
    expect(screen.queryByTestId('pane-task-percent')).toBeNull();

    setLocale('ms');
    await rerender({ loading: false, detail: task({ priority: 2, percent: 40, related_to: 'parent@x' }) });
    expect(screen.getByTestId('pane-task-priority').textContent).toBe('Tinggi');
    expect(screen.getByTestId('pane-task-percent').textContent).toBe('40 % selesai');
    expect(screen.getByTestId('pane-task-parent').textContent).toBe('Sebahagian daripada tugasan lain');
  });
});

describe('a message that could be read only in part', () => {
  it('says so in one muted line of its header, with the reason', () => {
    render(ReadingPane, {
      loading: false,
      detail: makeDetail({ title: 'Broken', quarantined: 'the MIME structure is malformed' }),
    });
    const notice = screen.getByTestId('pane-quarantined');
    expect(notice.textContent).toBe('Parts of this message could not be read: the MIME structure is malformed');
    expect(notice.classList.contains('muted')).toBe(true);
    expect(notice.closest('header')).toBeTruthy();
    cleanup();
    render(ReadingPane, { loading: false, detail: makeDetail({ title: 'Fine' }) });
    expect(screen.queryByTestId('pane-quarantined')).toBeNull();
  });
});
