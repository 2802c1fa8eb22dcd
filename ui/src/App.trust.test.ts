import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import type { Authentication } from './backend';
import App from './App.svelte';
import ReadingPane from './components/ReadingPane.svelte';
import { createFakeBackend } from './test/fake-backend';
import { makeDetail } from './test/items';

afterEach(cleanup);

function check(patch: Partial<Authentication> = {}): Authentication {
  return {
    verdict: 'verified',
    reasons: ['signed by bank.example (DKIM), the domain in From'],
    dkim: [{ domain: 'bank.example', selector: 's1', result: 'pass' }],
    spf: { result: 'pass', ip: '192.0.2.10', domain: 'bank.example' },
    dmarc: { result: 'pass', policy: 'reject', aligned: true },
    arc: null,
    warnings: [],
    guard: false,
    source: 'satu',
    checked_at: '2026-12-07T09:00:00Z',
    ...patch,
  };
}

const mail = (authentication: Authentication | null, html = '<p>Log in <a href="https://bank.example/login">here</a></p><img src="https://t.example/p.gif">') =>
  makeDetail({
    id: 41,
    kind: 'mail',
    title: 'Your statement',
    sender: { name: 'Bank', address: 'alerts@bank.example' },
    body_html: html,
    authentication,
  });

describe('who sent a mail, in the reading pane', () => {
  it('shows the verdict as a badge that explains itself in plain words', async () => {
    render(ReadingPane, { loading: false, detail: mail(check()) });
    const badge = screen.getByTestId('sender-badge');
    expect(badge.dataset.verdict).toBe('verified');
    expect(badge.textContent).toContain('Verified');
    expect(screen.queryByTestId('sender-explain')).toBeNull();
    await fireEvent.click(badge);
    const explain = screen.getByTestId('sender-explain');
    expect(explain.textContent).toContain('comes from who it says');
    expect(explain.textContent).toContain('signed by bank.example');
    expect(explain.textContent).toContain('Checked by Satu');
    expect(badge.getAttribute('aria-expanded')).toBe('true');
    expect(screen.queryByTestId('trust-guard')).toBeNull();
  });

  it('guards a failed mail under p=reject: a warning bar, no images, links as text, until the user insists', async () => {
    const { container } = render(ReadingPane, {
      loading: false,
      detail: { ...mail(check({ verdict: 'failed', guard: true, reasons: ['bank.example says mail from it is signed…'] })), remote_content: true },
    });
    expect(screen.getByTestId('sender-badge').dataset.verdict).toBe('failed');
    const bar = screen.getByTestId('trust-guard');
    expect(bar.getAttribute('role')).toBe('alert');
    expect(bar.textContent).toContain('bank.example');
    const frame = () => container.querySelector('iframe') as HTMLIFrameElement;
    // Even a sender whose images are always allowed: nothing loads, links do not follow.
    expect(frame().getAttribute('sandbox')).toBe('');
    expect(frame().getAttribute('srcdoc')).toContain('pointer-events: none');
    expect(frame().getAttribute('srcdoc')).not.toMatch(/\ssrc="https:/);
    expect(screen.queryByTestId('remote-bar')).toBeNull();

    await fireEvent.click(screen.getByTestId('trust-insist'));
    expect(screen.queryByTestId('trust-guard')).toBeNull();
    expect(frame().getAttribute('sandbox')).toBe('allow-popups');
    expect(frame().getAttribute('srcdoc')).not.toContain('pointer-events: none');
    expect(frame().getAttribute('srcdoc')).toContain('src="https://t.example/p.gif"');
  });

  it('names look-alike and impersonation warnings', () => {
    render(ReadingPane, {
      loading: false,
      detail: mail(
        check({
          verdict: 'unverified',
          warnings: [
            { kind: 'lookalike', text: 'bank-example.test looks like bank.example, a domain you write to, but is not it' },
            { kind: 'reply-to', text: 'a first-time sender at bank.example asks for replies at elsewhere.test' },
          ],
        }),
      ),
    });
    const bar = screen.getByTestId('trust-warnings');
    const items = within(bar).getAllByRole('listitem');
    expect(items.map((i) => i.dataset.kind)).toEqual(['lookalike', 'reply-to']);
    expect(items[0].textContent).toContain('Look-alike address');
    expect(items[1].textContent).toContain('Replies go elsewhere');
    // Not failed: nothing is switched off.
    expect(screen.queryByTestId('trust-guard')).toBeNull();
  });

  it('checks an unchecked mail when it is opened and shows the verdict', async () => {
    const fake = createFakeBackend();
    render(App, { backend: fake });
    const row = await screen.findByText('Quarterly report draft');
    await fireEvent.click(row);
    await waitFor(() => expect(screen.getByTestId('sender-badge').dataset.verdict).toBe('unverified'));
    expect(fake.authenticated.length).toBe(1);
  });
});
