import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import App from '../App.svelte';
import { createFakeBackend } from '../test/fake-backend';

afterEach(cleanup);

describe('sync health', () => {
  it('the Health button shows the worst indicator; its panel lists the five, the charts and the accounts', async () => {
    const fake = createFakeBackend();
    render(App, { backend: fake });
    await screen.findAllByTestId('timeline-item');
    const button = await screen.findByTestId('open-health');
    await waitFor(() => expect(button.dataset.status).toBe('good'));
    fake.healthReport.indicators[0] = {
      key: 'delivery_delay',
      status: 'bad',
      value: 10000,
      unit: 'ms',
      detail: 'New mail took up to 10000 ms. Run the diagnostics.',
    };
    fake.healthReport.accounts = [
      {
        account: 1,
        name: 'Work',
        login_success_rate: 0.4,
        login_success_rate_7d: 0.9,
        sync_error_rate: 0.6,
        sync_error_rate_7d: 0.1,
        logins: 5,
        passes: 5,
        failures: [
          { class: 'password', count: 2 },
          { class: 'network', count: 4 },
        ],
        delivery_p50_ms: 1000,
        delivery_p95_ms: 10000,
        push_p50_ms: 250,
        push_p95_ms: 500,
      },
    ];
    await fireEvent.click(button);
    const panel = await screen.findByTestId('health-panel');
    await waitFor(() => expect(screen.getByTestId('open-health').dataset.status).toBe('bad'));
    const indicators = screen.getAllByTestId('health-indicator');
    expect(indicators.map((i) => i.dataset.key)).toEqual(['delivery_delay', 'read_sync', 'calendar_fresh', 'offline_coverage', 'backup']);
    expect(indicators[0].dataset.status).toBe('bad');
    expect(indicators[0].textContent).toContain('Mail delivery delay');
    expect(indicators[0].textContent).toContain('Needs attention');
    expect(indicators[0].textContent).toContain('10 s');
    // In the window's language; the core's own words are the tooltip.
    const detail = indicators[0].querySelector('.detail') as HTMLElement;
    expect(detail.textContent).toBe(
      'New mail took up to 10 s to arrive here (95 % of it, last 24 hours): the diagnostics below say whether it is pushed or polled.',
    );
    expect(detail.title).toContain('Run the diagnostics');
    expect(indicators[4].textContent).toContain('Not measured');
    // Hours with new mail are bars; the errors chart has one bar pair per hour.
    expect(screen.getByTestId('health-chart-delay').querySelectorAll('rect')).toHaveLength(8);
    expect(screen.getByTestId('health-chart-errors').querySelectorAll('rect')).toHaveLength(48);
    // The last 7 days: a bar a day.
    await fireEvent.click(screen.getByTestId('health-range-week'));
    expect(screen.getByTestId('health-chart-delay').querySelectorAll('rect')).toHaveLength(7);
    expect(screen.getByTestId('health-range-week').getAttribute('aria-pressed')).toBe('true');
    await fireEvent.click(screen.getByTestId('health-range-day'));
    const account = screen.getByTestId('health-account');
    expect(account.textContent).toContain('Work');
    expect(account.textContent).toContain('40 %');
    expect(account.textContent).toContain('60 %');
    expect(screen.getByTestId('health-delays').textContent).toContain('1 s / 10 s');
    expect(screen.getByTestId('health-delays').textContent).toContain('push: 0.5 s');
    expect(screen.getAllByTestId('health-failure').map((f) => f.textContent)).toEqual(['Password: 2', 'Network: 4']);
    expect(panel.contains(document.activeElement)).toBe(true);
    // Folders whose older mail is kept with its header only.
    const folders = screen.getAllByTestId('health-folder');
    expect(folders).toHaveLength(1);
    expect(folders[0].textContent).toContain('Archive: 120 of 4,000 messages have their body here');
    // The diagnostics ran by themselves (an indicator is bad): each finding with its fix.
    const findings = await screen.findAllByTestId('health-finding');
    expect(findings.map((f) => f.dataset.area)).toEqual(['reachability', 'push']);
    expect(findings[1].dataset.status).toBe('warning');
    expect(findings[1].textContent).toContain('polling every 60 s');
    expect(findings[1].textContent).toContain('What to do: Ask the mail provider to enable IMAP IDLE');
    expect(screen.getByTestId('health-diagnose').textContent).toBe('Run them again');
    await fireEvent.click(screen.getByTestId('health-diagnose'));
    await waitFor(() => expect(screen.getAllByTestId('health-finding')).toHaveLength(2));
    await fireEvent.keyDown(window, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByTestId('health-panel')).toBeNull());
  });

  it('shows the diagnostics the live sync ran by itself, without asking the servers again', async () => {
    const fake = createFakeBackend();
    let asked = 0;
    const diagnose = fake.diagnose.bind(fake);
    fake.diagnose = async (account) => {
      asked += 1;
      return diagnose(account);
    };
    fake.healthReport.indicators[0] = {
      key: 'delivery_delay',
      status: 'bad',
      value: 8000,
      unit: 'ms',
      detail: 'New mail took up to 8000 ms.',
    };
    fake.healthReport.accounts = [{ ...emptyAccount, account: 1, name: 'Work' }];
    fake.healthReport.diagnoses = [
      {
        account: 1,
        at: new Date(Date.now() - 5 * 60_000).toISOString(),
        why: 'A message took 8 s to arrive (the line is 5 s).',
        findings: [
          {
            account: 1,
            area: 'push',
            status: 'warning',
            title: 'Your account is polling every 8 s because the server does not offer IDLE.',
            fix: 'Ask the mail provider to enable IMAP IDLE.',
            value: 8000,
          },
        ],
      },
    ];
    render(App, { backend: fake });
    await fireEvent.click(await screen.findByTestId('open-health'));
    const note = await screen.findByTestId('health-self-diagnosis');
    expect(note.textContent).toContain('Run by themselves for Work (5 minutes ago)');
    expect(note.title).toContain('took 8 s');
    const findings = screen.getAllByTestId('health-finding');
    expect(findings.map((f) => f.textContent)).toEqual([expect.stringContaining('polling every 8 s')]);
    expect(asked).toBe(0);
    expect(screen.getByTestId('health-diagnose').textContent).toBe('Run the diagnostics');
    await fireEvent.click(screen.getByTestId('health-diagnose'));
    await waitFor(() => expect(screen.queryByTestId('health-self-diagnosis')).toBeNull());
    expect(asked).toBe(1);
  });
});

const emptyAccount = {
  account: 0,
  name: '',
  login_success_rate: null,
  login_success_rate_7d: null,
  sync_error_rate: null,
  sync_error_rate_7d: null,
  logins: 0,
  passes: 0,
  failures: [],
  delivery_p50_ms: null,
  delivery_p95_ms: null,
  push_p50_ms: null,
  push_p95_ms: null,
};
