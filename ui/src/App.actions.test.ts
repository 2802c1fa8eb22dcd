import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import App from './App.svelte';
import { createFakeBackend, WEDGED_AFTER } from './test/fake-backend';
import SettingsDialog from './components/SettingsDialog.svelte';
import { MARK_READ_DELAY_MS } from './lib/mark-read';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

const key = (key: string) => fireEvent.keyDown(window, { key });
const rows = () => screen.getAllByTestId('timeline-item');
const selectedTitle = () => rows().find((row) => row.getAttribute('aria-selected') === 'true')?.textContent ?? null;
/** The recipients a field shows as chips (their full text is the chip's title). */
const chips = (field: string) =>
  [...screen.getByTestId(`${field}-chips`).querySelectorAll('[data-testid="recipient-chip"]')].map((chip) => chip.getAttribute('title'));
const paneTitle = () => screen.getByTestId('reading-pane').querySelector('h1')?.textContent ?? null;

describe('mail actions in the window', () => {
  it('a mail kept with its header only is downloaded when opened; a failure offers Try again', async () => {
    const fake = createFakeBackend();
    const mails = (await fake.timeline({})).filter((item) => item.kind === 'mail');
    const [first, second] = mails;
    fake.keepRemote(first.id, 'The body that was on the server.');
    fake.keepRemote(second.id, 'Another body from the server.');
    render(App, { backend: fake });
    await screen.findAllByTestId('timeline-item');
    fake.downloadError = { code: 'unreachable', message: 'The server cannot be reached', field: null } as never;
    await fireEvent.click(rows().find((row) => row.dataset.id === String(second.id))!);
    const failed = await screen.findByTestId('pane-remote');
    await waitFor(() => expect(failed.textContent).toContain('could not be downloaded: The server cannot be reached'));
    fake.downloadError = null;
    await fireEvent.click(screen.getByTestId('pane-remote-retry'));
    await waitFor(() => expect(screen.getByTestId('reading-pane').textContent).toContain('Another body from the server.'));
    expect(screen.queryByTestId('pane-remote')).toBeNull();
    // Opened while reachable: downloaded at once, saying how far it is meanwhile.
    let open: () => void = () => {};
    fake.downloadGate = new Promise((resolve) => (open = resolve));
    await fireEvent.click(rows().find((row) => row.dataset.id === String(first.id))!);
    const bar = (await screen.findByTestId('pane-remote-progress')) as HTMLProgressElement;
    const total = 'The body that was on the server.'.length * 1000;
    expect(bar.max).toBe(total);
    expect(bar.value).toBe(total / 2);
    expect(screen.getByTestId('pane-remote-bytes').textContent).toBe('16 kB of 32 kB');
    open();
    await waitFor(() => expect(screen.getByTestId('reading-pane').textContent).toContain('The body that was on the server.'));
    expect(screen.queryByTestId('pane-remote-progress')).toBeNull();
  });

  it('a search lists what only the servers found, and opens it', async () => {
    const fake = createFakeBackend();
    const [mail] = (await fake.timeline({})).filter((item) => item.kind === 'mail');
    fake.serverHits = [mail.id];
    render(App, { backend: fake });
    await screen.findAllByTestId('timeline-item');
    await fireEvent.input(screen.getByLabelText('Search'), { target: { value: 'zzqx-nowhere-here' } });
    const found = await screen.findAllByTestId('server-result');
    expect(found).toHaveLength(1);
    expect(found[0].textContent).toContain(mail.title);
    await fireEvent.click(found[0]);
    await waitFor(() => expect(paneTitle()).toBe(mail.title));
    // The server cannot be asked: said, and the local results stay.
    fake.serverSearchError = { code: 'unreachable', message: 'No network', field: null } as never;
    await fireEvent.input(screen.getByLabelText('Search'), { target: { value: 'zzqx-elsewhere' } });
    const failed = await screen.findByTestId('server-search-failed');
    expect(failed.textContent).toContain('No network');
  });

  it('while mail waits for the search index, a search says it is found by subject and sender only', async () => {
    const fake = createFakeBackend();
    fake.indexPending = 1200;
    render(App, { backend: fake });
    await screen.findAllByTestId('timeline-item');
    expect(screen.queryByTestId('index-note')).toBeNull();
    await fireEvent.input(screen.getByLabelText('Search'), { target: { value: 'report' } });
    const note = await screen.findByTestId('index-note');
    expect(note.textContent).toContain('1,200 messages are still being indexed');
    fake.indexPending = 0;
    await fireEvent.input(screen.getByLabelText('Search'), { target: { value: 'reports' } });
    await waitFor(() => expect(screen.queryByTestId('index-note')).toBeNull());
  });

  it('archive with e moves the selection to the next item; the row stays, now in Archive', async () => {
    const fake = createFakeBackend();
    render(App, { backend: fake });
    await screen.findAllByTestId('timeline-item');
    await key('j');
    await waitFor(() => expect(selectedTitle()).toContain('Quarterly report draft'));
    await key('e');
    await waitFor(() => expect(selectedTitle()).toContain('Lunch?'));
    const [first] = await fake.timeline({});
    expect(first.folders).toEqual(['Archive']);
    // Not mail: e and # do nothing to a chat.
    await key('e');
    await key('#');
    expect(selectedTitle()).toContain('Lunch?');
    expect(screen.queryByTestId('notice-error')).toBeNull();
  });

  it('in Inbox, archive and delete take the row away at once and open the next item', async () => {
    const fake = createFakeBackend();
    render(App, { backend: fake });
    expect(screen.getByRole('button', { name: /^Inbox/ }).getAttribute('aria-current')).toBe('page');
    await fireEvent.click((await screen.findAllByTestId('timeline-item'))[2]);
    await waitFor(() => expect(paneTitle()).toBe('Your invoice is ready'));
    await fireEvent.click(screen.getByTestId('action-delete'));
    await waitFor(() => expect(rows().map((row) => row.textContent).join()).not.toContain('Your invoice is ready'));
    const next = paneTitle();
    expect(selectedTitle()).toContain(next);
    await fireEvent.click(rows().find((r) => r.textContent?.includes('Quarterly report draft'))!);
    await waitFor(() => expect(paneTitle()).toBe('Quarterly report draft'));
    const title = 'Quarterly report draft';
    await key('e');
    await waitFor(() => expect(rows().map((row) => row.textContent).join()).not.toContain(title));
    // Both are still in All: in the Trash and the Archive.
    await fireEvent.click(screen.getByRole('button', { name: /^All/ }));
    await waitFor(() => expect(rows().map((row) => row.textContent).join()).toContain('Your invoice is ready'));
    expect(rows().map((row) => row.textContent).join()).toContain(title);
  });

  it('in All, delete from the toolbar keeps the row (now in the Trash) and opens the next item; deleting again from the Trash removes the row', async () => {
    const fake = createFakeBackend();
    render(App, { backend: fake });
    await screen.findAllByTestId('timeline-item');
    await key('g');
    await key('a');
    await waitFor(() => expect(screen.getByRole('button', { name: /^All/ }).getAttribute('aria-current')).toBe('page'));
    await fireEvent.click((await screen.findAllByTestId('timeline-item'))[2]);
    await waitFor(() => expect(paneTitle()).toBe('Your invoice is ready'));
    expect(screen.getByTestId('action-delete').getAttribute('aria-keyshortcuts')).toBe('#');
    expect(screen.getByTestId('action-delete').title).toBe('Delete (#)');
    await fireEvent.click(screen.getByTestId('action-delete'));
    await waitFor(() => expect(paneTitle()).toBe('Renew the domain name'));
    expect(selectedTitle()).toContain('Renew the domain name');
    // A task: read and flag only.
    expect(screen.queryByTestId('action-archive')).toBeNull();
    expect(screen.getByTestId('action-toggle-flag')).toBeTruthy();

    await fireEvent.click(rows()[2]);
    await waitFor(() => expect(screen.getByTestId('pane-folder').textContent).toBe('Trash'));
    await key('#');
    await waitFor(() => expect(rows().map((row) => row.textContent).join()).not.toContain('Your invoice is ready'));
    expect(paneTitle()).toBe('Renew the domain name');
  });

  it('u and s toggle read and flagged on the selected row at once', async () => {
    const fake = createFakeBackend();
    render(App, { backend: fake });
    await screen.findAllByTestId('timeline-item');
    await key('j');
    await key('j');
    await key('j');
    await waitFor(() => expect(selectedTitle()).toContain('Your invoice is ready'));
    const invoice = rows()[2];
    expect(invoice.classList.contains('unread')).toBe(false);
    await key('u');
    expect(invoice.classList.contains('unread')).toBe(true);
    await key('s');
    expect(invoice.textContent).toContain('Flagged');
    const stored = (await fake.timeline({ kind: 'mail' })).find((item) => item.title === 'Your invoice is ready');
    expect(stored).toMatchObject({ unread: true, flagged: true });
    // Flagging made its task (tasks.from_flagged), at the top of the timeline.
    await waitFor(() => expect(rows()[0].textContent).toContain('Your invoice is ready'));
    expect(stored?.task).not.toBeNull();
    // Not while typing in the search box.
    const search = screen.getByLabelText('Search');
    await fireEvent.keyDown(search, { key: 'u' });
    expect(invoice.classList.contains('unread')).toBe(true);
  });

  it('marks an opened unread item read after the delay, unless the user moves on first', async () => {
    const fake = createFakeBackend();
    render(App, { backend: fake });
    const list = await screen.findAllByTestId('timeline-item');
    vi.useFakeTimers();
    // Lunch? opened, then Quarterly report before the delay: Lunch? stays unread.
    await fireEvent.click(list[1]);
    await vi.advanceTimersByTimeAsync(MARK_READ_DELAY_MS - 100);
    await fireEvent.click(list[0]);
    await vi.advanceTimersByTimeAsync(MARK_READ_DELAY_MS - 1);
    expect((await fake.timeline({}))[1].unread).toBe(true);
    expect(list[0].classList.contains('unread')).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    expect(list[0].classList.contains('unread')).toBe(false);
    expect(list[1].classList.contains('unread')).toBe(true);
    expect((await fake.timeline({}))[0].unread).toBe(false);
  });

  it('u during the delay wins over the automatic read', async () => {
    const fake = createFakeBackend();
    render(App, { backend: fake });
    const list = await screen.findAllByTestId('timeline-item');
    vi.useFakeTimers();
    await fireEvent.click(list[0]);
    await vi.advanceTimersByTimeAsync(100);
    await key('u'); // it was unread: now read, by hand
    await key('u'); // and unread again
    await vi.advanceTimersByTimeAsync(MARK_READ_DELAY_MS * 2);
    expect((await fake.timeline({}))[0].unread).toBe(true);
  });

  it('offline: one quiet notice, a pending count, and the panel retries wedged changes', async () => {
    const fake = createFakeBackend({ offline: true });
    render(App, { backend: fake });
    await screen.findAllByTestId('timeline-item');
    await key('j');
    await key('s');
    await key('j');
    await key('j');
    await key('u');
    const indicator = await screen.findByTestId('pending-indicator');
    await waitFor(() => expect(indicator.textContent).toContain('2 changes waiting for the server'));
    const notices = screen.getAllByTestId('notice-info');
    expect(notices).toHaveLength(1);
    expect(notices[0].textContent).toContain('Saved here');

    for (let i = 0; i < WEDGED_AFTER; i++) await fake.ops();
    await fireEvent.click(indicator);
    const panel = await screen.findByTestId('pending-panel');
    await waitFor(() => expect(screen.getAllByTestId('retry-op')).toHaveLength(2));
    expect(panel.textContent).toContain('Read or flagged state');
    expect(panel.textContent).toContain('Stopped');
    expect(panel.textContent).toContain('8 failed attempts');
    expect(panel.textContent).toContain('network is unreachable');

    fake.setOffline(false);
    await fireEvent.click(screen.getAllByTestId('retry-op')[0]);
    await waitFor(() => expect(screen.getAllByTestId('pending-op')).toHaveLength(1));
    await key('Escape');
    expect(screen.queryByTestId('pending-panel')).toBeNull();
    expect(screen.getByTestId('pending-indicator').textContent).toContain('One change waiting');
  });

  it('m opens the move dialog; moving to a folder moves the selection on', async () => {
    const fake = createFakeBackend();
    render(App, { backend: fake });
    await screen.findAllByTestId('timeline-item');
    await key('j');
    await key('m');
    const dialog = await screen.findByTestId('move-dialog');
    const input = screen.getByLabelText('Folder name') as HTMLInputElement;
    expect(document.activeElement).toBe(input);
    expect(input.value).toBe('');
    // Keys belong to the dialog now.
    await key('j');
    expect(selectedTitle()).toContain('Quarterly report draft');
    // The account's folders, less the one the message is in.
    await waitFor(() =>
      expect([...dialog.querySelectorAll('option')].map((o) => o.value)).toEqual(['Archive', 'Sent', 'Trash', 'Projects']),
    );
    await fireEvent.input(input, { target: { value: 'Projects' } });
    await fireEvent.click(screen.getByTestId('move-submit'));
    expect(screen.queryByTestId('move-dialog')).toBeNull();
    await waitFor(() => expect(selectedTitle()).toContain('Lunch?'));
    expect((await fake.timeline({}))[0].folders).toEqual(['Projects']);
  });

  it('b snoozes the conversation: it leaves the Inbox, Undo brings it back, Snoozed lists it', async () => {
    const fake = createFakeBackend();
    render(App, { backend: fake });
    await screen.findAllByTestId('timeline-item');
    await key('j');
    expect(selectedTitle()).toContain('Quarterly report draft');
    await key('b');
    await screen.findByTestId('snooze-dialog');
    // The times offered first; a picked time in the past is refused at the picker.
    expect(document.activeElement).toBe(screen.getByTestId('snooze-tomorrow'));
    await fireEvent.input(screen.getByTestId('snooze-pick'), { target: { value: '2020-01-01T08:00' } });
    await fireEvent.click(screen.getByTestId('snooze-submit'));
    expect((await screen.findByTestId('field-error-until')).textContent).toContain('future');
    await fireEvent.click(screen.getByTestId('snooze-tomorrow'));
    await waitFor(() => expect(screen.queryByTestId('snooze-dialog')).toBeNull());
    await waitFor(() => expect(rows().some((row) => row.textContent?.includes('Quarterly report draft'))).toBe(false));
    const notice = await screen.findByTestId('notice-info');
    expect(notice.textContent).toContain('Snoozed until');
    // Undo: back where it was.
    await fireEvent.click(screen.getByTestId('notice-action'));
    await waitFor(() => expect(rows().some((row) => row.textContent?.includes('Quarterly report draft'))).toBe(true));
    // Snoozed again from the pane's button; the Snoozed view has it, and its pane says until when.
    await fireEvent.click(rows().find((row) => row.textContent?.includes('Quarterly report draft'))!);
    await waitFor(() => expect(paneTitle()).toBe('Quarterly report draft'));
    await fireEvent.click(screen.getByTestId('action-snooze'));
    await fireEvent.click(await screen.findByTestId('snooze-next-week'));
    await waitFor(() => expect(rows().some((row) => row.textContent?.includes('Quarterly report draft'))).toBe(false));
    await key('g');
    await key('b');
    await waitFor(() => expect(rows().map((row) => row.textContent).join('|')).toContain('Quarterly report draft'));
    await fireEvent.click(rows()[0]);
    expect((await screen.findByTestId('pane-snoozed')).textContent).toContain('Snoozed until');
    await fireEvent.click(screen.getByTestId('pane-unsnooze'));
    await waitFor(() => expect(screen.queryAllByTestId('timeline-item').length).toBe(0));
    expect((await fake.timeline({ inbox: true })).some((item) => item.title === 'Quarterly report draft')).toBe(true);
  });

  it('Print (or Ctrl+P) hands the open mail to the browser with its header in the user language', async () => {
    const fake = createFakeBackend();
    render(App, { backend: fake });
    await fireEvent.click((await screen.findAllByTestId('timeline-item'))[2]);
    await waitFor(() => expect(paneTitle()).toBe('Your invoice is ready'));
    await fireEvent.click(screen.getByTestId('action-print'));
    await waitFor(() => expect(fake.printed).toHaveLength(1));
    expect(fake.printed[0].labels).toMatchObject({ lang: 'en', from: 'From', to: 'To', date: 'Date' });
    expect(await screen.findByText('The message opened in your browser to print.')).toBeTruthy();
    await fireEvent.keyDown(window, { key: 'p', ctrlKey: true });
    await waitFor(() => expect(fake.printed).toHaveLength(2));
  });

  it('a mail that says how to leave its list offers Unsubscribe; one click says it is done', async () => {
    const fake = createFakeBackend();
    const [, , invoice] = await fake.timeline({});
    fake.offerUnsubscribe(invoice.id, 'one-click');
    render(App, { backend: fake });
    await fireEvent.click((await screen.findAllByTestId('timeline-item'))[2]);
    await waitFor(() => expect(paneTitle()).toBe('Your invoice is ready'));
    const button = screen.getByTestId('pane-unsubscribe');
    expect(button.getAttribute('title')).toContain('one click');
    await fireEvent.click(button);
    expect(await screen.findByText('Unsubscribed: the list was told.')).toBeTruthy();
    expect(fake.unsubscribed).toEqual([invoice.id]);
    // A mail without the header has no such button.
    await fireEvent.click(screen.getAllByTestId('timeline-item')[0]);
    await waitFor(() => expect(paneTitle()).not.toBe('Your invoice is ready'));
    expect(screen.queryByTestId('pane-unsubscribe')).toBeNull();
  });

  it('a failed archive (local account) shows the error and keeps the selection', async () => {
    render(App, { backend: createFakeBackend({ seed: false }) });
    await fireEvent.click(await screen.findByTestId('open-sample'));
    await screen.findAllByTestId('timeline-item');
    await fireEvent.click(rows()[0]);
    await waitFor(() => expect(paneTitle()).toBe('Welcome to Satu'));
    await fireEvent.click(screen.getByTestId('action-archive'));
    const error = await screen.findByTestId('notice-error');
    expect(error.textContent).toContain('no archive folder');
    await waitFor(() => expect(paneTitle()).toBe('Welcome to Satu'));
    expect(selectedTitle()).toContain('Welcome to Satu');
  });

  it('t makes the open mail a task that links back; t on the task completes it and unflags the mail', async () => {
    const fake = createFakeBackend();
    render(App, { backend: fake });
    await fireEvent.click((await screen.findAllByTestId('timeline-item'))[2]);
    await waitFor(() => expect(paneTitle()).toBe('Your invoice is ready'));
    const button = screen.getByTestId('action-make-task');
    expect(button.textContent).toContain('Make task');
    expect(button.getAttribute('aria-keyshortcuts')).toBe('t');
    await key('t');
    await waitFor(() => expect(screen.getByTestId('pane-open-task')).toBeTruthy());
    expect(screen.getByTestId('notice-info').textContent).toContain('Task made: Your invoice is ready');
    const [task] = await fake.timeline({ kind: 'task', limit: 1 });
    expect(task).toMatchObject({ title: 'Your invoice is ready', todo: { done: false } });
    expect(rows()[0].textContent).toContain('Your invoice is ready');

    // The mail shows its task; opening it shows where it came from.
    await fireEvent.click(screen.getByTestId('pane-open-task'));
    await waitFor(() => expect(screen.getByTestId('pane-task-status').textContent).toBe('To do'));
    expect(screen.getByTestId('action-make-task').textContent).toContain('Mark done');
    await key('t');
    await waitFor(() => expect(screen.getByTestId('pane-task-status').textContent).toBe('Done'));
    expect(screen.getByTestId('action-make-task').getAttribute('aria-pressed')).toBe('true');
    await fireEvent.click(screen.getByTestId('pane-open-mail'));
    await waitFor(() => expect(paneTitle()).toBe('Your invoice is ready'));
    // t on a mail with a task opens that task instead of making another.
    await key('t');
    await waitFor(() => expect(screen.getByTestId('pane-task-status')).toBeTruthy());
    // The seeded tasks and the one made here.
    expect(await fake.timeline({ kind: 'task' })).toHaveLength(3);
  });

  it('the Flagged and Tasks views show only those items and follow changes', async () => {
    const fake = createFakeBackend();
    render(App, { backend: fake });
    await screen.findAllByTestId('timeline-item');
    await fireEvent.click(screen.getByRole('button', { name: /^Flagged/ }));
    await waitFor(() => expect(rows().map((row) => row.textContent).join()).toContain('Quarterly report draft'));
    for (const row of rows()) expect(row.textContent).toContain('Flagged');
    await fireEvent.click(screen.getByRole('button', { name: /^Tasks/ }));
    const tasks = await fake.timeline({ kind: 'task' });
    await waitFor(() => expect(rows()).toHaveLength(tasks.length));
    const mail = (await fake.timeline({ kind: 'mail' })).find((item) => !item.flagged && item.task === null);
    await fake.taskFromMail(mail!.id);
    await waitFor(() => expect(rows()[0].textContent).toContain(mail!.title));
  });

  it('a clicked new-mail notification opens its item', async () => {
    const fake = createFakeBackend();
    render(App, { backend: fake });
    await screen.findAllByTestId('timeline-item');
    const invoice = (await fake.timeline({ kind: 'mail' })).find((item) => item.title === 'Your invoice is ready');
    fake.clickNotification(invoice!.id);
    await waitFor(() => expect(paneTitle()).toBe('Your invoice is ready'));
    expect(selectedTitle()).toContain('Your invoice is ready');
  });

  it('the sidebar counts follow changes; a folder has its view; a hidden account leaves All', async () => {
    const fake = createFakeBackend();
    render(App, { backend: fake });
    await screen.findAllByTestId('timeline-item');
    const unread = async () => (await fake.counts()).unread;
    await waitFor(async () => expect(screen.getByTestId('count-unread').textContent).toBe(String(await unread())));
    // Reading the first unread mail lowers the count.
    const first = (await fake.timeline({ unread: true, kind: 'mail' }))[0];
    const before = await unread();
    await fake.mark(first.id, { unread: false });
    await waitFor(() => expect(screen.getByTestId('count-unread').textContent).toBe(String(before - 1)));

    // A folder of the account: its own view.
    const folderButtons = await screen.findAllByTestId('folder');
    const archive = folderButtons.find((b) => b.textContent?.includes('Archive'))!;
    await fake.archive(first.id);
    await fireEvent.click(archive);
    await waitFor(() => expect(rows().map((row) => row.textContent).join()).toContain(first.title));
    expect(rows()).toHaveLength((await fake.timeline({ folder: 101 })).length);
    expect(archive.getAttribute('aria-current')).toBe('page');

    // Hidden from the unified views: All is empty, the account's own view still lists it all.
    await fireEvent.click(screen.getByRole('button', { name: /^All/ }));
    await fireEvent.click(screen.getByTestId('account-in-timeline'));
    await waitFor(() => expect(screen.queryAllByTestId('timeline-item')).toHaveLength(0));
    expect((await fake.counts()).unread).toBe(0);
    await fireEvent.click(screen.getByRole('button', { name: /^Aisha Rahman/ }));
    await waitFor(() => expect(rows().length).toBeGreaterThan(5));
  });

  it('remote images wait for the user; look-alike links wait for a confirmation', async () => {
    const fake = createFakeBackend({ seed: false });
    render(App, { backend: fake });
    await fake.openSample();
    const rowsNow = await screen.findAllByTestId('timeline-item');
    // The sample has no remote images: no bar.
    await fireEvent.click(rowsNow[0]);
    await waitFor(() => expect(paneTitle()).not.toBeNull());
    expect(screen.queryByTestId('remote-bar')).toBeNull();

    // A link clicked in a frame: an ordinary one opens in the browser at once.
    await fake.clickLink('https://example.com/page');
    expect(fake.opened).toEqual(['https://example.com/page']);
    // A look-alike one waits; Escape (or the default button) keeps it closed.
    await fake.clickLink('https://xn--pypal-4ve.com/login');
    const dialog = await screen.findByTestId('link-warning');
    expect(dialog.textContent).toContain('xn--pypal-4ve.com');
    await key('Escape');
    await waitFor(() => expect(screen.queryByTestId('link-warning')).toBeNull());
    expect(fake.opened).toHaveLength(1);
    await fake.clickLink('https://xn--pypal-4ve.com/login');
    await fireEvent.click(await screen.findByTestId('link-open-anyway'));
    await waitFor(() => expect(fake.opened).toEqual(['https://example.com/page', 'https://xn--pypal-4ve.com/login']));
    // Anything else is refused, with a word why.
    await fake.clickLink('javascript:alert(1)');
    await waitFor(() => expect(screen.getAllByTestId('notice-info').map((n) => n.textContent).join()).toContain('javascript'));
    expect(fake.opened).toHaveLength(2);
  });

  it('an attachment opens with the system application from the reading pane', async () => {
    const fake = createFakeBackend();
    render(App, { backend: fake });
    await fireEvent.click((await screen.findAllByTestId('timeline-item'))[0]);
    await waitFor(() => expect(paneTitle()).toBe('Quarterly report draft'));
    await fireEvent.click(screen.getByTestId('attachment-open'));
    await waitFor(() => expect(fake.opened).toEqual([expect.stringMatching(/report-q3\.pdf$/)]));
    expect(screen.queryByTestId('notice-error')).toBeNull();
  });

  it('settings: do not disturb, per-account mute and the task rules', async () => {
    const fake = createFakeBackend();
    render(App, { backend: fake });
    await screen.findAllByTestId('timeline-item');
    await fireEvent.click(screen.getByTestId('open-settings'));
    const dnd = (await screen.findByTestId('setting-dnd')) as HTMLInputElement;
    expect(dnd.checked).toBe(false);
    await fireEvent.click(dnd);
    await waitFor(async () => expect((await fake.settings()).find((s) => s.key === 'notify.enabled')?.value).toBe(false));
    await fireEvent.click(screen.getByTestId('setting-account-notify'));
    await waitFor(async () => expect((await fake.accounts())[0].notify).toBe(false));
    // Selective offline: the last 90 days of bodies, then all mail again.
    const offline = screen.getByTestId('setting-offline-days') as HTMLSelectElement;
    expect(offline.value).toBe('all');
    await fireEvent.change(offline, { target: { value: '90' } });
    await waitFor(async () => expect((await fake.accounts())[0].offline_days).toBe(90));
    await waitFor(() => expect((screen.getByTestId('setting-offline-days') as HTMLSelectElement).value).toBe('90'));
    await fireEvent.change(screen.getByTestId('setting-offline-days'), { target: { value: 'all' } });
    await waitFor(async () => expect((await fake.accounts())[0].offline_days).toBeNull());
    // One folder with a choice of its own, then as its account again.
    const account = (await fake.accounts())[0].id;
    // The folder lists come a moment after the first page.
    const archive = (await screen.findAllByTestId('setting-folder-offline-days')).find(
      (s) => s.dataset.folder !== 'INBOX',
    ) as HTMLSelectElement;
    expect(archive.value).toBe('account');
    const name = archive.dataset.folder!;
    await fireEvent.change(archive, { target: { value: '30' } });
    await waitFor(async () => expect((await fake.folders(account)).find((f) => f.name === name)?.keep_days).toBe(30));
    await fireEvent.change(archive, { target: { value: 'account' } });
    await waitFor(async () => expect((await fake.folders(account)).find((f) => f.name === name)?.offline_days).toBeNull());
    // What new accounts keep: every body under a size, else the last days.
    const under = screen.getByTestId('setting-offline-all-under') as HTMLInputElement;
    expect(under.value).toBe('4096');
    await fireEvent.change(under, { target: { value: '1024' } });
    await waitFor(async () => expect((await fake.settings()).find((s) => s.key === 'offline.all_under_mb')?.number).toBe(1024));
    await fireEvent.change(screen.getByTestId('setting-offline-days-larger'), { target: { value: '90' } });
    await waitFor(async () => expect((await fake.settings()).find((s) => s.key === 'offline.days_when_larger')?.number).toBe(90));
    await fireEvent.click(screen.getByTestId('setting-task-from-flagged'));
    await waitFor(async () => expect((await fake.settings()).find((s) => s.key === 'tasks.from_flagged')?.value).toBe(false));
    // On by default: a reply in a task's conversation moves it to In progress.
    const set = vi.spyOn(fake, 'setSetting');
    const progress = screen.getByTestId('setting-progress-from-replies') as HTMLInputElement;
    expect(progress.checked).toBe(true);
    expect(progress.closest('label')?.textContent?.trim()).toBe("A reply in a task's conversation moves it to In progress");
    await fireEvent.click(progress);
    expect(set).toHaveBeenCalledWith('tasks.progress_from_replies', false);
    await waitFor(async () => expect((await fake.settings()).find((s) => s.key === 'tasks.progress_from_replies')?.value).toBe(false));
    await key('Escape');
    await waitFor(() => expect(screen.queryByTestId('settings')).toBeNull());
  });

  it('conversations: the toggle groups the timeline, a thread reads as a conversation, u reads it all', async () => {
    const fake = createFakeBackend();
    render(App, { backend: fake });
    await screen.findAllByTestId('timeline-item');
    const holidayRows = () => rows().filter((row) => row.textContent?.includes('Holiday plans'));
    expect(holidayRows()).toHaveLength(2);
    const toggle = screen.getByTestId('toggle-threads');
    expect(toggle.getAttribute('aria-pressed')).toBe('false');
    await fireEvent.click(toggle);
    await waitFor(() => expect(holidayRows()).toHaveLength(1));
    expect(toggle.getAttribute('aria-pressed')).toBe('true');
    expect((await fake.settings()).find((s) => s.key === 'timeline.threads')?.value).toBe(true);
    expect(holidayRows()[0].querySelector('[data-testid="thread-size"]')?.textContent).toBe('2');

    // A new unread reply: the conversation moves to the top, unread, with three messages.
    fake.receive('Re: Holiday plans', ['Ahmad Faiz', 'faiz@example.com']);
    await waitFor(() => expect(rows()[0].querySelector('[data-testid="thread-size"]')?.textContent).toBe('3'));
    expect(rows()[0].classList.contains('unread')).toBe(true);
    expect(holidayRows()).toHaveLength(1);

    // Opening it shows the conversation, oldest first; the unread and the newest are open.
    await fireEvent.click(rows()[0]);
    const messages = await screen.findAllByTestId('conversation-message');
    expect(messages.map((m) => m.querySelector('.who')?.textContent)).toEqual(['Aisha Rahman', 'Ahmad Faiz', 'Ahmad Faiz']);
    const open = messages.map((m) => m.querySelector('button')?.getAttribute('aria-expanded'));
    expect(open).toEqual(['false', 'false', 'true']);
    expect(screen.getByTestId('pane-thread-size').textContent).toBe('3 messages');
    // A closed message opens on click.
    await fireEvent.click(messages[0].querySelector('button')!);
    await waitFor(() => expect(messages[0].textContent).toContain('Cameron Highlands'));

    // u on a conversation with unread messages reads all of them.
    await key('j');
    await key('k');
    await key('u');
    await waitFor(async () =>
      expect((await fake.timeline({ unread: true })).filter((i) => i.title.endsWith('Holiday plans'))).toEqual([]),
    );
    await waitFor(() => expect(rows()[0].classList.contains('unread')).toBe(false));

    // Archive (e) takes the whole conversation out of the inbox.
    await key('e');
    await waitFor(async () => {
      const holiday = (await fake.timeline({ limit: 100 })).filter((i) => i.title.endsWith('Holiday plans'));
      expect(holiday.map((i) => i.folders)).toEqual([['Archive'], ['Archive'], ['Archive']]);
    });
  });

  it('a task shows the mail it was made from, and its due date is picked in the pane', async () => {
    const fake = createFakeBackend();
    render(App, { backend: fake });
    await fireEvent.click((await screen.findAllByTestId('timeline-item'))[2]);
    await waitFor(() => expect(paneTitle()).toBe('Your invoice is ready'));
    await key('t');
    await fireEvent.click(await screen.findByTestId('pane-open-task'));
    const mail = await screen.findByTestId('task-mail');
    expect(mail.textContent).toContain('Your invoice is ready');
    expect(mail.querySelector('iframe')?.getAttribute('sandbox')).toBe('allow-popups');

    const due = screen.getByTestId('task-due') as HTMLInputElement;
    expect(due.value).toBe('');
    await fireEvent.change(due, { target: { value: '2026-12-24' } });
    await waitFor(async () => {
      const [task] = await fake.timeline({ kind: 'task', limit: 1 });
      expect(task.todo?.due).toBe(new Date(2026, 11, 24).toISOString().replace('.000Z', 'Z'));
    });
    await waitFor(() => expect((screen.getByTestId('task-due') as HTMLInputElement).value).toBe('2026-12-24'));
    await fireEvent.click(await screen.findByTestId('task-due-clear'));
    await waitFor(async () => expect((await fake.timeline({ kind: 'task', limit: 1 }))[0].todo?.due).toBeNull());
  });

  it('r replies from the open mail; the message waits for undo, comes back on Undo, then is sent', async () => {
    const fake = createFakeBackend();
    render(App, { backend: fake });
    await fireEvent.click((await screen.findAllByTestId('timeline-item'))[2]);
    await waitFor(() => expect(paneTitle()).toBe('Your invoice is ready'));
    expect(screen.getByTestId('action-reply').getAttribute('aria-keyshortcuts')).toBe('r');
    await key('r');
    const compose = await screen.findByTestId('compose');
    expect(chips('compose-to')).toEqual(['billing@example.net']);
    expect((screen.getByTestId('compose-subject') as HTMLInputElement).value).toBe('Re: Your invoice is ready');
    const body = screen.getByTestId('compose-body') as HTMLTextAreaElement;
    expect(body.value).toContain('> Your invoice for this month is ready.');
    // The quote's attribution line is the window's, in the user's language.
    expect(body.value).toMatch(/\n\nOn \w+day, .+, billing@example.net wrote:\n> /);
    // Shortcuts stay out of the way while typing.
    await fireEvent.input(body, { target: { value: `Thanks!${body.value}` } });
    await fireEvent.keyDown(body, { key: 'e' });
    expect(screen.getByTestId('compose')).toBeTruthy();

    // Ctrl+Enter sends: it waits (undo send), and Undo brings the text back.
    await fireEvent.keyDown(compose, { key: 'Enter', ctrlKey: true });
    await waitFor(() => expect(screen.queryByTestId('compose')).toBeNull());
    await waitFor(() => expect(screen.getByTestId('notice-info').textContent).toMatch(/Sending in (9|10) seconds/));
    expect((await fake.outbox())[0]).toMatchObject({ state: 'queued', can_cancel: true, subject: 'Re: Your invoice is ready' });
    await fireEvent.click(screen.getByTestId('notice-action'));
    const back = (await screen.findByTestId('compose-body')) as HTMLTextAreaElement;
    expect(back.value.startsWith('Thanks!')).toBe(true);
    expect(await fake.outbox()).toEqual([]);

    // Without the delay it goes at once, into the conversation of the mail it answers.
    await fake.setSetting('send.undo_seconds', 0);
    await fireEvent.click(screen.getByTestId('compose-send'));
    await waitFor(() => expect(screen.getAllByTestId('notice-info').map((n) => n.textContent).join()).toContain('Message sent'));
    const [sent] = await fake.outbox();
    expect(sent).toMatchObject({ state: 'sent', in_sent: true });
    const replied = (await fake.timeline({ kind: 'mail' })).find((i) => i.title === 'Re: Your invoice is ready');
    const original = (await fake.timeline({ kind: 'mail' })).find((i) => i.title === 'Your invoice is ready');
    expect(replied?.thread).toBe(original?.thread);
    expect(replied?.folders).toEqual(['Sent']);
  });

  it('c writes a new message; errors show at their field; a refused recipient fails visibly in the outbox', async () => {
    const fake = createFakeBackend();
    await fake.setSetting('send.undo_seconds', 0);
    render(App, { backend: fake });
    await screen.findAllByTestId('timeline-item');
    await key('c');
    await screen.findByTestId('compose');
    await fireEvent.input(screen.getByTestId('compose-to'), { target: { value: 'not an address' } });
    await fireEvent.input(screen.getByTestId('compose-subject'), { target: { value: 'Hello' } });
    await fireEvent.click(screen.getByTestId('compose-send'));
    expect((await screen.findByTestId('field-error-to')).textContent).toContain('not an email address');

    await fireEvent.input(screen.getByTestId('compose-to'), { target: { value: 'reject@example.com' } });
    await fireEvent.click(screen.getByTestId('compose-send'));
    await waitFor(() => expect(screen.getByTestId('field-error-to').textContent).toContain('550'));
    // What is typed is saved as a draft; Escape keeps it for the next `c`.
    await fireEvent.input(screen.getByTestId('compose-body'), { target: { value: 'Draft text' } });
    await waitFor(async () => expect((await fake.drafts()).map((d) => d.body)).toEqual(['Draft text']), { timeout: 3000 });
    await fireEvent.keyDown(screen.getByTestId('compose'), { key: 'Escape' });
    await waitFor(() => expect(screen.queryByTestId('compose')).toBeNull());
    await key('c');
    await screen.findByTestId('compose-to');
    expect(chips('compose-to')).toEqual(['reject@example.com']);
    // Discard forgets it, the saved draft too.
    await fireEvent.click(screen.getByTestId('compose-discard'));
    await waitFor(async () => expect(await fake.drafts()).toEqual([]));

    // The failed one is in the outbox, with the server's reason and a retry.
    await fireEvent.click(await screen.findByTestId('outbox-indicator'));
    const entry = await screen.findByTestId('outbox-entry');
    expect(entry.getAttribute('data-state')).toBe('failed');
    expect(screen.getByTestId('outbox-error').textContent).toContain('User unknown');
    await fireEvent.click(screen.getByTestId('outbox-cancel'));
    await waitFor(() => expect(screen.queryByTestId('outbox-entry')).toBeNull());
  });

  it('attached files go by content; a waiting message can be taken back to edit from the outbox', async () => {
    const fake = createFakeBackend();
    const send = vi.spyOn(fake, 'send');
    render(App, { backend: fake });
    await screen.findAllByTestId('timeline-item');
    await fireEvent.click(screen.getByTestId('compose-button'));
    await fireEvent.input(await screen.findByTestId('compose-to'), { target: { value: 'Bob <bob@example.com>' } });
    await fireEvent.input(screen.getByTestId('compose-subject'), { target: { value: 'Notes' } });
    const file = new File(['hello notes'], 'notes.txt', { type: 'text/plain' });
    await fireEvent.change(screen.getByTestId('compose-files'), { target: { files: [file] } });
    await waitFor(() => expect(screen.getByTestId('compose-file').textContent).toContain('notes.txt'));
    await fireEvent.click(screen.getByTestId('compose-send'));
    await waitFor(() => expect(send).toHaveBeenCalled());
    expect(send.mock.calls[0][0].files).toEqual([{ name: 'notes.txt', mime_type: 'text/plain', data: btoa('hello notes') }]);
    expect(send.mock.calls[0][0].to).toEqual(['Bob <bob@example.com>']);

    // It waits for the undo delay: Edit in the outbox brings it back to the compose window.
    await fireEvent.click(await screen.findByTestId('outbox-indicator'));
    await fireEvent.click(await screen.findByTestId('outbox-edit'));
    expect(((await screen.findByTestId('compose-subject')) as HTMLInputElement).value).toBe('Notes');
    expect(screen.queryByTestId('outbox')).toBeNull();
    expect((await fake.outbox()).map((e) => e.state)).toEqual([]);
  });
});

describe('identities', () => {
  it('an alias added in Settings is offered in Compose with its signature, which follows the choice of sender', async () => {
    const fake = createFakeBackend();
    const send = vi.spyOn(fake, 'send');
    render(App, { backend: fake });
    await screen.findAllByTestId('timeline-item');
    await fireEvent.click(screen.getByTestId('open-settings'));
    const editor = await screen.findByTestId('identities');
    await fireEvent.click(within(editor).getByTestId('identity-add'));
    await fireEvent.input(screen.getByTestId('identity-address'), { target: { value: 'not an address' } });
    await fireEvent.click(screen.getByTestId('identity-save'));
    expect((await screen.findByTestId('field-error-address')).textContent).toContain('not an email address');
    await fireEvent.input(screen.getByTestId('identity-address'), { target: { value: 'sales@example.com' } });
    await fireEvent.input(screen.getByTestId('identity-name'), { target: { value: 'Sales desk' } });
    await fireEvent.input(screen.getByTestId('identity-signature'), { target: { value: 'The sales desk\n+60 3 1234' } });
    await fireEvent.click(screen.getByTestId('identity-save'));
    await waitFor(() => expect(within(editor).getAllByTestId('identity').map((li) => li.textContent)).toEqual([
      expect.stringContaining('<'),
      expect.stringContaining('Sales desk <sales@example.com>'),
    ]));
    await fireEvent.keyDown(window, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByTestId('settings')).toBeNull());

    await fireEvent.click(screen.getByTestId('compose-button'));
    const from = (await screen.findByTestId('compose-account')) as HTMLSelectElement;
    const body = screen.getByTestId('compose-body') as HTMLTextAreaElement;
    expect(body.value).toBe('');
    const alias = [...from.options].find((o) => o.textContent === 'Sales desk <sales@example.com>')!;
    await fireEvent.change(from, { target: { value: alias.value } });
    expect(body.value).toBe('\n\n-- \nThe sales desk\n+60 3 1234');
    // Back to the account's own address: its (empty) signature replaces the alias's.
    await fireEvent.change(from, { target: { value: from.options[0].value } });
    expect(body.value).toBe('');
    await fireEvent.change(from, { target: { value: alias.value } });
    await fireEvent.input(screen.getByTestId('compose-to'), { target: { value: 'bob@example.com' } });
    await fireEvent.input(screen.getByTestId('compose-subject'), { target: { value: 'Prices' } });
    await fireEvent.input(body, { target: { value: `Here they are.${body.value}` } });
    await fireEvent.click(screen.getByTestId('compose-send'));
    await waitFor(() => expect(send).toHaveBeenCalled());
    expect(send.mock.calls[0][0]).toMatchObject({ from: 'sales@example.com', body: 'Here they are.\n\n-- \nThe sales desk\n+60 3 1234' });
  });
});

describe('files dropped on or pasted into Compose', () => {
  /** A drag event carrying `files`, as the browser makes it (jsdom has no DataTransfer). */
  function carrying(type: string, files: File[]) {
    const event = new Event(type, { bubbles: true, cancelable: true });
    Object.defineProperty(event, 'dataTransfer', { value: { types: ['Files'], files, dropEffect: 'none' } });
    return event;
  }

  it('attaches dropped files and pasted images; pasted text stays text', async () => {
    const fake = createFakeBackend();
    const send = vi.spyOn(fake, 'send');
    render(App, { backend: fake });
    await screen.findAllByTestId('timeline-item');
    await fireEvent.click(screen.getByTestId('compose-button'));
    const compose = await screen.findByTestId('compose');
    await fireEvent.input(screen.getByTestId('compose-to'), { target: { value: 'bob@example.com' } });
    await fireEvent.input(screen.getByTestId('compose-subject'), { target: { value: 'Dropped' } });
    const over = carrying('dragover', []);
    await fireEvent(compose, over);
    expect(over.defaultPrevented).toBe(true);
    expect(screen.getByTestId('compose-drop-hint')).toBeTruthy();
    await fireEvent(compose, carrying('drop', [new File(['plan'], 'plan.txt', { type: 'text/plain' })]));
    await waitFor(() => expect(screen.getAllByTestId('compose-file').map((f) => f.textContent)).toEqual([expect.stringContaining('plan.txt')]));
    expect(screen.queryByTestId('compose-drop-hint')).toBeNull();

    const body = screen.getByTestId('compose-body');
    const image = new Event('paste', { bubbles: true, cancelable: true });
    Object.defineProperty(image, 'clipboardData', { value: { files: [new File(['png'], 'image.png', { type: 'image/png' })] } });
    await fireEvent(body, image);
    expect(image.defaultPrevented).toBe(true);
    await waitFor(() => expect(screen.getAllByTestId('compose-file')).toHaveLength(2));
    expect(screen.getAllByTestId('compose-file')[1].textContent).toMatch(/pasted-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.png/);
    const text = new Event('paste', { bubbles: true, cancelable: true });
    Object.defineProperty(text, 'clipboardData', { value: { files: [] } });
    await fireEvent(body, text);
    expect(text.defaultPrevented).toBe(false);

    await fireEvent.click(screen.getByTestId('compose-send'));
    await waitFor(() => expect(send).toHaveBeenCalled());
    expect(send.mock.calls[0][0].files?.map((f) => [f.name, f.mime_type])).toEqual([
      ['plan.txt', 'text/plain'],
      [expect.stringMatching(/^pasted-.*\.png$/), 'image/png'],
    ]);
  });
});

describe('SettingsDialog', () => {
  it('shows tasks.progress_from_replies as it is and chooses it by its key', async () => {
    const chosen: [string, boolean | number][] = [];
    render(SettingsDialog, {
      settings: [{ key: 'tasks.progress_from_replies', value: false, default: true }],
      accounts: [],
      onsetting: (key: string, value: boolean | number) => chosen.push([key, value]),
      onnotify: () => {},
      onclose: () => {},
    });
    const box = screen.getByTestId('setting-progress-from-replies') as HTMLInputElement;
    expect(box.checked).toBe(false);
    // With the other task rules.
    expect(box.closest('fieldset')?.querySelector('[data-testid="setting-unflag-on-done"]')).toBeTruthy();
    await fireEvent.click(box);
    expect(chosen).toEqual([['tasks.progress_from_replies', true]]);
  });
});
