import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import App from './App.svelte';
import { createFakeBackend } from './test/fake-backend';
import ReadingPane from './components/ReadingPane.svelte';
import { shortTime } from './i18n/index.svelte';
import { prepareMailHtml } from './lib/mail-html';
import { buildSrcdoc } from './lib/srcdoc';
import { makeDetail, makeTodo } from './test/items';

afterEach(cleanup);

describe('App with the fake backend', () => {
  it('first run: opens the sample mailbox and fills the timeline', async () => {
    render(App, { backend: createFakeBackend({ seed: false }) });
    const button = await screen.findByTestId('open-sample');
    expect(screen.getByTestId('empty-state')).toBeTruthy();
    await fireEvent.click(button);
    const rows = await screen.findAllByTestId('timeline-item');
    expect(rows.length).toBeGreaterThanOrEqual(25);
    expect(rows[0].textContent).toContain('Welcome to Satu');
    expect(screen.queryByTestId('empty-state')).toBeNull();

    await fireEvent.click(rows[0]);
    const pane = screen.getByTestId('reading-pane');
    await waitFor(() => expect(pane.querySelector('h1')?.textContent).toBe('Welcome to Satu'));
    expect(pane.querySelector('iframe')?.getAttribute('sandbox')).toBe('allow-popups');
  });

  it('moves the selection with j and k, and opens with o', async () => {
    render(App, { backend: createFakeBackend() });
    const rows = await screen.findAllByTestId('timeline-item');
    await fireEvent.keyDown(window, { key: 'j' });
    await fireEvent.keyDown(window, { key: 'j' });
    await waitFor(() => expect(rows[1].getAttribute('aria-selected')).toBe('true'));
    await fireEvent.keyDown(document.body, { key: 'o' });
    await waitFor(() => expect(screen.getByTestId('reading-pane').querySelector('h1')?.textContent).toBe('Lunch?'));
    await fireEvent.keyDown(document.body, { key: '?' });
    expect(screen.getByTestId('shortcuts')).toBeTruthy();
    await fireEvent.keyDown(document.body, { key: 'Escape' });
    expect(screen.queryByTestId('shortcuts')).toBeNull();
  });

  it('account form: shows the error next to the field at fault', async () => {
    render(App, { backend: createFakeBackend({ seed: false }) });
    await fireEvent.click(await screen.findByTestId('add-account'));
    const email = screen.getByLabelText('Email address') as HTMLInputElement;
    await fireEvent.input(email, { target: { value: 'not-an-address' } });
    await fireEvent.click(screen.getByTestId('submit-account'));
    const error = await screen.findByTestId('field-error-email');
    expect(error.textContent).toContain('not an email address');
  });
});

describe('adding a mail account from its address', () => {
  it('finds the servers from the address and fills them in, saying where they came from', async () => {
    render(App, { backend: createFakeBackend({ seed: false }) });
    await fireEvent.click(await screen.findByTestId('add-account'));
    const email = screen.getByLabelText('Email address') as HTMLInputElement;
    await fireEvent.input(email, { target: { value: 'ana@example.org' } });
    await fireEvent.click(screen.getByTestId('discover'));
    const said = await screen.findByTestId('discovered');
    expect(said.textContent).toContain("the domain's settings file");
    expect((screen.getByTestId('field-imap') as HTMLInputElement).value).toBe('imap.example.org:993');
    expect((screen.getByTestId('field-smtp') as HTMLInputElement).value).toBe('smtp.example.org:587');
  });

  it('offers the calendar server found beside the mail, and adds it with the same login', async () => {
    const fake = createFakeBackend({ seed: false });
    render(App, { backend: fake });
    await fireEvent.click(await screen.findByTestId('add-account'));
    await fireEvent.input(screen.getByLabelText('Email address'), { target: { value: 'ana@example.org' } });
    await fireEvent.click(screen.getByTestId('discover'));
    const offer = (await screen.findByTestId('discover-caldav')) as HTMLInputElement;
    expect(offer.checked).toBe(true);
    await fireEvent.input(screen.getByTestId('field-password'), { target: { value: 'secret' } });
    await fireEvent.click(screen.getByTestId('submit-account'));
    await waitFor(async () => expect((await fake.accounts()).map((a) => a.kind)).toEqual(expect.arrayContaining(['imap', 'caldav'])));
  });

  it('signs in through the provider: the sign-in page is offered by hand while Satu waits, and no password is asked', async () => {
    const fake = createFakeBackend({ seed: false });
    render(App, { backend: fake });
    await fireEvent.click(await screen.findByTestId('add-account'));
    await fireEvent.input(screen.getByLabelText('Email address'), { target: { value: 'ana@example.com' } });
    await fireEvent.click(screen.getByTestId('discover'));
    await screen.findByTestId('discovered');
    const button = screen.getByTestId('signin-oauth');
    expect(button.textContent).toContain('Sign in with Example Mail');
    await fireEvent.click(button);
    const url = (await screen.findByTestId('signin-url')) as HTMLInputElement;
    expect(url.value).toContain('login_hint=ana@example.com');
    expect(screen.getByTestId('signing-in').textContent).toContain('browser');
    await waitFor(async () => expect((await fake.accounts()).map((a) => [a.email, a.auth])).toEqual([['ana@example.com', 'oauth2']]));
    await waitFor(() => expect(screen.queryByTestId('signing-in')).toBeNull());
  });

  it('an account whose sign-in ended offers "Sign in again" in the sidebar, and it goes once signed in', async () => {
    const fake = createFakeBackend({ seed: false });
    const id = await fake.addAccount({ email: 'ana@example.com', imap: '', smtp: '', password: '', oauth: true });
    fake.endSignIn(id);
    render(App, { backend: fake });
    const again = await screen.findByTestId('signin-again');
    await fireEvent.click(again);
    await waitFor(() => expect(screen.queryByTestId('signin-again')).toBeNull());
    expect((await fake.accounts())[0].sign_in_again).toBe(false);
  });

  it('an attachment is saved to the Downloads folder from the reading pane, and said where', async () => {
    const fake = createFakeBackend();
    render(App, { backend: fake });
    await fireEvent.click((await screen.findAllByTestId('timeline-item')).find((r) => r.textContent?.includes('Quarterly report draft'))!);
    await fireEvent.click(await screen.findByTestId('attachment-save'));
    await waitFor(() => expect(fake.saved).toEqual(['/home/user/Downloads/report-q3.pdf']));
    expect(await screen.findByText('Saved to /home/user/Downloads/report-q3.pdf')).toBeTruthy();
  });

  it('Settings chooses whether Satu starts at login', async () => {
    const fake = createFakeBackend();
    render(App, { backend: fake });
    await screen.findAllByTestId('timeline-item');
    await fireEvent.click(screen.getByTestId('open-settings'));
    const box = (await screen.findByTestId('setting-start-at-login')) as HTMLInputElement;
    expect(box.checked).toBe(false);
    await fireEvent.click(box);
    await waitFor(() => expect(fake.autostart).toBe(true));
    expect(box.checked).toBe(true);
  });

  it('Settings chooses whether closing the window keeps Satu running (on by default)', async () => {
    const fake = createFakeBackend();
    render(App, { backend: fake });
    await screen.findAllByTestId('timeline-item');
    await fireEvent.click(screen.getByTestId('open-settings'));
    const box = (await screen.findByTestId('setting-keep-running')) as HTMLInputElement;
    expect(box.checked).toBe(true);
    await fireEvent.click(box);
    await waitFor(async () => expect((await fake.settings()).find((s) => s.key === 'app.keep_running')?.value).toBe(false));
  });

  it('gives the tray its words in the window language and shows a sync paused from the tray, with Resume', async () => {
    const fake = createFakeBackend();
    render(App, { backend: fake });
    await screen.findAllByTestId('timeline-item');
    await waitFor(() => expect(fake.trayText?.pause).toBe('Pause sync'));
    expect(fake.trayText?.unread).toBe('Satu: {unread} unread');
    expect(screen.queryByTestId('paused-banner')).toBeNull();
    fake.emitPaused(true);
    expect(await screen.findByTestId('paused-banner')).toBeTruthy();
    await fireEvent.click(screen.getByTestId('resume-sync'));
    await waitFor(() => expect(screen.queryByTestId('paused-banner')).toBeNull());
    expect(fake.paused).toBe(false);
  });

  it('Settings copies the diagnostics, or shows them to copy by hand without a clipboard', async () => {
    render(App, { backend: createFakeBackend() });
    await screen.findAllByTestId('timeline-item');
    await fireEvent.click(screen.getByTestId('open-settings'));
    await fireEvent.click(await screen.findByTestId('copy-diagnostics'));
    const text = (await screen.findByTestId('diagnostics-text')) as HTMLTextAreaElement;
    expect(text.value).toContain('Satu 0.1.0');
  });

  it('a mailto: link the app was asked to open fills Compose in (to, subject, body)', async () => {
    const fake = createFakeBackend();
    render(App, { backend: fake });
    await screen.findAllByTestId('timeline-item');
    fake.emitCompose('mailto:ana@example.com?subject=Project%20kick-off&body=Hello%20Ana');
    const subject = (await screen.findByTestId('compose-subject')) as HTMLInputElement;
    expect(subject.value).toBe('Project kick-off');
    const to = [...screen.getByTestId('compose-to-chips').querySelectorAll('[data-testid="recipient-chip"]')].map((c) => c.getAttribute('title'));
    expect(to).toEqual(['ana@example.com']);
    expect((screen.getByTestId('compose-body') as HTMLTextAreaElement).value).toBe('Hello Ana');
  });

  it('with the servers left empty, an unknown domain is told at the address', async () => {
    render(App, { backend: createFakeBackend({ seed: false }) });
    await fireEvent.click(await screen.findByTestId('add-account'));
    await fireEvent.input(screen.getByLabelText('Email address'), { target: { value: 'ana@nowhere.test' } });
    await fireEvent.input(screen.getByTestId('field-password'), { target: { value: 'secret' } });
    await fireEvent.click(screen.getByTestId('submit-account'));
    const error = await screen.findByTestId('field-error-email');
    expect(error.textContent).toContain('enter them by hand');
  });
});

describe('a task made from mail in the window', () => {
  it('shows its status In progress and the activity of its conversation; an entry opens that message', async () => {
    const fake = createFakeBackend();
    render(App, { backend: fake });
    await screen.findAllByTestId('timeline-item');
    await fireEvent.click(screen.getByRole('button', { name: /^Tasks/ }));
    await waitFor(() => expect(screen.getAllByTestId('timeline-item').some((r) => r.textContent?.includes('Hosting contract renewal'))).toBe(true));
    await fireEvent.click(screen.getAllByTestId('timeline-item').find((r) => r.textContent?.includes('Hosting contract renewal'))!);
    const section = await screen.findByTestId('task-activity');
    expect(screen.getByTestId('pane-task-status').textContent).toBe('In progress');
    const entries = within(section).getAllByTestId('task-activity-entry');
    expect(entries.map((e) => e.querySelector('.who')?.textContent)).toEqual(['Ravi Kumar', 'Nurul Huda']);
    expect(within(section).getAllByTestId('task-activity-moved')).toHaveLength(1);
    await fireEvent.click(entries[1]);
    await waitFor(() => expect(screen.getByTestId('reading-pane').textContent).toContain('Both quotes are in the shared folder'));
    expect(screen.queryByTestId('task-activity')).toBeNull();
  });
});

describe('ReadingPane', () => {
  it('shows a task\'s sync conflict with the two answers', async () => {
    const answers: [number, boolean][] = [];
    render(ReadingPane, {
      loading: false,
      detail: makeDetail({
        id: 7,
        kind: 'task',
        title: 'Budget plan',
        todo: makeTodo({
          due: '2027-03-01T09:00:00Z',
          conflict: 'Changed here and on the server: the server has due 2027-02-01T09:00:00Z.',
        }),
      }),
      onresolve: (id: number, keepHere: boolean) => answers.push([id, keepHere]),
    });
    expect(screen.getByTestId('task-conflict').textContent).toContain('the server has due 2027-02-01');
    await fireEvent.click(screen.getByTestId('task-keep-server'));
    await fireEvent.click(screen.getByTestId('task-keep-here'));
    expect(answers).toEqual([
      [7, false],
      [7, true],
    ]);
  });

  it("shows a task's activity: sender, time, snippet, the status it moved to; an entry opens its message", async () => {
    const opened: number[] = [];
    const todo = makeTodo({ status: 'in-process', mail: 3, mail_link: 'mid:a@b' });
    const activity = [
      { item: 11, time: '2027-01-04T09:00:00Z', title: 'Re: Hosting', sender: 'Ravi Kumar', snippet: 'Quotes by Friday.', moved_to: 'in-process' },
      { item: 12, time: '2027-01-05T10:30:00Z', title: 'Re: Hosting', sender: 'nurul@example.com', snippet: 'Both quotes are in.', moved_to: '' },
    ];
    const { rerender } = render(ReadingPane, {
      loading: false,
      detail: makeDetail({ id: 7, kind: 'task', title: 'Hosting', todo, activity }),
      onopen: (id: number) => opened.push(id),
    });
    expect(screen.getByTestId('pane-task-status').textContent).toBe('In progress');
    const section = screen.getByTestId('task-activity');
    expect(within(section).getByRole('heading').textContent).toBe('Activity');
    const entries = within(section).getAllByTestId('task-activity-entry');
    expect(entries).toHaveLength(2);
    expect(entries[0].textContent).toContain('Ravi Kumar');
    expect(entries[0].textContent).toContain('Quotes by Friday.');
    expect(entries[0].querySelector('time')?.getAttribute('datetime')).toBe('2027-01-04T09:00:00Z');
    expect(entries[0].querySelector('time')?.textContent).toBe(shortTime('2027-01-04T09:00:00Z'));
    expect(within(entries[0]).getByTestId('task-activity-moved').textContent).toBe('moved the task to In progress');
    expect(entries[1].textContent).toContain('nurul@example.com');
    expect(entries[1].textContent).toContain('Both quotes are in.');
    expect(within(entries[1]).queryByTestId('task-activity-moved')).toBeNull();
    await fireEvent.click(entries[1]);
    await fireEvent.click(entries[0]);
    expect(opened).toEqual([12, 11]);

    // No activity: no section.
    await rerender({ loading: false, detail: makeDetail({ id: 8, kind: 'task', title: 'Quiet', todo: { ...todo, status: 'needs-action' } }) });
    expect(screen.queryByTestId('task-activity')).toBeNull();
    expect(screen.getByTestId('pane-task-status').textContent).toBe('To do');
  });

  it('puts mail HTML only in the sandboxed frame, as an attribute', () => {
    const hostile = '</iframe><script>window.pwned = true</script><p>after</p>';
    const { container } = render(ReadingPane, {
      loading: false,
      detail: makeDetail({ body_text: 'plain', body_html: hostile }),
    });
    const frames = container.querySelectorAll('iframe');
    expect(frames).toHaveLength(1);
    // Only a link's request for a new window (which the app refuses): no scripts, no same origin.
    expect(frames[0].getAttribute('sandbox')).toBe('allow-popups');
    expect(frames[0].getAttribute('srcdoc')).toBe(buildSrcdoc(prepareMailHtml(hostile, false).html, 'en'));
    expect(container.querySelector('script')).toBeNull();
    expect(container.textContent).not.toContain('after');
  });

  it('blocks remote images until the user loads them, for this message or the sender', async () => {
    const allowed: string[] = [];
    const detail = makeDetail({
      id: 7,
      title: 'News',
      sender: { name: 'News', address: 'news@example.org' },
      body_html: '<p>Hi</p><img src="https://tracker.example/p.gif">',
    });
    const { container, rerender } = render(ReadingPane, {
      loading: false,
      detail,
      onallowsender: (address: string) => allowed.push(address),
    });
    const srcdoc = () => container.querySelector('iframe')?.getAttribute('srcdoc') ?? '';
    expect(screen.getByTestId('remote-bar').textContent).toContain('blocked a remote image');
    expect(srcdoc()).toContain('data-satu-src="https://tracker.example/p.gif"');
    expect(srcdoc()).not.toMatch(/\ssrc="https:/);
    expect(srcdoc()).toContain("img-src data:\"");

    await fireEvent.click(screen.getByTestId('remote-always'));
    expect(allowed).toEqual(['news@example.org']);
    await fireEvent.click(screen.getByTestId('remote-load'));
    expect(screen.queryByTestId('remote-bar')).toBeNull();
    expect(srcdoc()).toContain('src="https://tracker.example/p.gif"');
    expect(srcdoc()).toContain('img-src data: https: http:');

    // Another message: blocked again; one from an allowed sender: loaded at once.
    await rerender({ loading: false, detail: { ...detail, id: 8 } });
    expect(screen.getByTestId('remote-bar')).toBeTruthy();
    await rerender({ loading: false, detail: { ...detail, id: 9, remote_content: true } });
    expect(screen.queryByTestId('remote-bar')).toBeNull();
    expect(srcdoc()).toContain('src="https://tracker.example/p.gif"');
  });
});
