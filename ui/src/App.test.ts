import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import App from './App.svelte';
import { createFakeBackend } from './backend/fake';
import ReadingPane from './components/ReadingPane.svelte';
import { prepareMailHtml } from './lib/mail-html';
import { buildSrcdoc } from './lib/srcdoc';
import { makeDetail } from './test/items';

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

describe('ReadingPane', () => {
  it('shows a task\'s sync conflict with the two answers', async () => {
    const answers: [number, boolean][] = [];
    render(ReadingPane, {
      loading: false,
      detail: makeDetail({
        id: 7,
        kind: 'task',
        title: 'Budget plan',
        todo: {
          status: 'needs-action',
          done: false,
          due: '2027-03-01T09:00:00Z',
          completed: null,
          mail: null,
          mail_link: null,
          conflict: 'Changed here and on the server: the server has due 2027-02-01T09:00:00Z.',
        },
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
