import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import App from './App.svelte';
import { createFakeBackend } from './test/fake-backend';
import ReadingPane from './components/ReadingPane.svelte';
import { setLocale } from './i18n/index.svelte';
import { makeDetail, makeTodo } from './test/items';

afterEach(() => {
  cleanup();
  setLocale('en');
});

const key = (key: string) => fireEvent.keyDown(window, { key });
const rows = () => screen.getAllByTestId('timeline-item');
const row = (text: string) => rows().find((r) => r.textContent?.includes(text));
const selectedTitle = () => rows().find((r) => r.getAttribute('aria-selected') === 'true')?.textContent ?? null;
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

describe('renaming a task in the pane', () => {
  it('Rename, a new title and Enter call setTaskTitle; the pane and the row show it', async () => {
    const { fake, renew } = await openRenew();
    const set = vi.spyOn(fake, 'setTaskTitle');
    await fireEvent.click(screen.getByTestId('task-rename'));
    const input = screen.getByLabelText('Task title') as HTMLInputElement;
    expect(input.value).toBe('Renew the domain name');
    expect(document.activeElement).toBe(input);
    await fireEvent.input(input, { target: { value: 'Renew satu.example' } });
    await fireEvent.keyDown(input, { key: 'Enter' });
    await waitFor(() => expect(paneTitle()).toBe('Renew satu.example'));
    expect(set).toHaveBeenCalledWith(renew.id, 'Renew satu.example');
    await waitFor(() => expect(row('Renew satu.example')).toBeTruthy());
    expect(screen.queryByTestId('task-rename-form')).toBeNull();
    expect(document.activeElement).toBe(screen.getByTestId('task-rename'));
  });

  it('an empty title shows the error at the field; so does the core refusing one; Escape cancels', async () => {
    const { fake, renew } = await openRenew();
    const set = vi.spyOn(fake, 'setTaskTitle');
    await fireEvent.click(screen.getByTestId('task-rename'));
    const input = screen.getByLabelText('Task title') as HTMLInputElement;
    await fireEvent.input(input, { target: { value: '   ' } });
    await fireEvent.click(screen.getByTestId('task-title-save'));
    const error = screen.getByTestId('task-title-error');
    expect(error.textContent).toBe('Give the task a title.');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(input.getAttribute('aria-describedby')).toBe(error.id);
    expect(set).not.toHaveBeenCalled();

    // The core's refusal of the title, at the field too.
    set.mockRejectedValueOnce({ code: 'invalid_input', message: 'Give the task a title', field: 'title' });
    await fireEvent.input(input, { target: { value: 'Something' } });
    await fireEvent.keyDown(input, { key: 'Enter' });
    await waitFor(() => expect(screen.getByTestId('task-title-error').textContent).toBe('Give the task a title'));
    expect(set).toHaveBeenCalledWith(renew.id, 'Something');
    expect(screen.queryByTestId('notice-error')).toBeNull();

    // Escape: the old title back, nothing saved, the window's Escape not reached.
    await fireEvent.keyDown(input, { key: 'Escape' });
    expect(screen.queryByTestId('task-rename-form')).toBeNull();
    expect(paneTitle()).toBe('Renew the domain name');
    expect((await fake.item(renew.id)).title).toBe('Renew the domain name');

    // With a search typed, Escape in the field still only cancels the rename.
    const search = screen.getByLabelText('Search') as HTMLInputElement;
    await fireEvent.input(search, { target: { value: 'domain' } });
    await waitFor(() => expect(rows()).toHaveLength(1));
    await fireEvent.click(screen.getByTestId('task-rename'));
    await fireEvent.keyDown(screen.getByLabelText('Task title'), { key: 'Escape' });
    expect(screen.queryByTestId('task-rename-form')).toBeNull();
    expect(search.value).toBe('domain');
  });

  it('mail has no Rename', async () => {
    render(App, { backend: createFakeBackend() });
    await fireEvent.click((await screen.findAllByTestId('timeline-item'))[0]);
    await waitFor(() => expect(paneTitle()).toBe('Quarterly report draft'));
    expect(screen.queryByTestId('task-rename')).toBeNull();
    expect(screen.queryByTestId('task-delete')).toBeNull();
  });
});

describe('deleting a task in the pane', () => {
  it('asks first (Keep and Escape keep it); Delete calls deleteTask, the row goes and the pane opens the next item', async () => {
    const { fake, renew } = await openRenew();
    const remove = vi.spyOn(fake, 'deleteTask');
    await fireEvent.click(screen.getByTestId('task-delete'));
    const question = screen.getByTestId('task-delete-question');
    expect(within(question).getByText('Delete this task?')).toBeTruthy();
    // The safe answer has the focus; Escape there keeps the task.
    expect(document.activeElement).toBe(screen.getByTestId('task-delete-keep'));
    await fireEvent.keyDown(screen.getByTestId('task-delete-keep'), { key: 'Escape' });
    expect(screen.queryByTestId('task-delete-question')).toBeNull();
    expect(document.activeElement).toBe(screen.getByTestId('task-delete'));
    await fireEvent.click(screen.getByTestId('task-delete'));
    await fireEvent.click(screen.getByTestId('task-delete-keep'));
    expect(remove).not.toHaveBeenCalled();

    await fireEvent.click(screen.getByTestId('task-delete'));
    await fireEvent.click(screen.getByTestId('task-delete-confirm'));
    expect(remove).toHaveBeenCalledWith(renew.id);
    await waitFor(() => expect(row('Renew the domain name')).toBeUndefined());
    // Like a deleted mail: the next (older) item is selected and open.
    await waitFor(() => expect(paneTitle()).toBe('Re: Holiday plans'));
    expect(selectedTitle()).toContain('Re: Holiday plans');
    expect(screen.queryByTestId('task-delete-question')).toBeNull();
    expect(screen.queryByTestId('notice-error')).toBeNull();
  });

  it('a task made from mail: once deleted, its mail has no task any more (t makes a new one)', async () => {
    const fake = createFakeBackend();
    render(App, { backend: fake });
    await screen.findAllByTestId('timeline-item');
    const [task] = (await fake.search({ text: 'hosting' })).filter((i) => i.kind === 'task');
    const mailRow = () => rows().find((r) => r.textContent?.includes('The hosting contract ends next month'));
    await fireEvent.click(rows().find((r) => r.textContent?.includes('Hosting contract renewal') && r.querySelector('.kind')?.getAttribute('title') === 'Task')!);
    await waitFor(() => expect(screen.getByTestId('pane-task-status')).toBeTruthy());
    expect(paneTitle()).toBe('Hosting contract renewal');
    await fireEvent.click(screen.getByTestId('task-delete'));
    await fireEvent.click(screen.getByTestId('task-delete-confirm'));
    await waitFor(() => expect(rows().filter((r) => r.textContent?.includes('The hosting contract ends next month'))).toHaveLength(1));
    await expect(fake.item(task.id)).rejects.toMatchObject({ code: 'not_found' });

    // The mail's row learnt it (the core sends no event for the mail): t makes a task anew.
    await fireEvent.click(mailRow()!);
    await waitFor(() => expect(screen.getByTestId('action-make-task').textContent).toContain('Make task'));
    expect(screen.queryByTestId('pane-open-task')).toBeNull();
    await key('t');
    await waitFor(() =>
      expect(screen.getAllByTestId('notice-info').map((n) => n.textContent)).toContainEqual(expect.stringContaining('Task made: Hosting contract renewal')),
    );
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
