import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import App from '../App.svelte';
import { createFakeBackend } from '../test/fake-backend';

afterEach(cleanup);

describe('the audit trail in Settings', () => {
  it('lists the newest entries, filters them, checks the chain and exports', async () => {
    const fake = createFakeBackend();
    render(App, { backend: fake });
    await screen.findAllByTestId('timeline-item');
    await fireEvent.click(screen.getByTestId('open-settings'));
    const inside = within(await screen.findByTestId('settings-audit'));
    await waitFor(() => expect(inside.getAllByTestId('audit-entry')).toHaveLength(3));
    const rows = inside.getAllByTestId('audit-entry');
    // Newest first.
    expect(rows.map((r) => r.dataset.kind)).toEqual(['setting.change', 'mail.removed', 'mail.flag']);
    expect(rows[1].textContent).toContain('from the server');
    expect(rows[0].textContent).toContain('ana@laptop · command line');

    await fireEvent.change(inside.getByTestId('audit-kind'), { target: { value: 'mail.' } });
    await waitFor(() => expect(inside.getAllByTestId('audit-entry')).toHaveLength(2));
    await fireEvent.input(inside.getByTestId('audit-to'), { target: { value: '2026-12-06' } });
    await fireEvent.change(inside.getByTestId('audit-to'), { target: { value: '2026-12-06' } });
    await inside.findByTestId('audit-none');
    await fireEvent.input(inside.getByTestId('audit-to'), { target: { value: '2026-12-07' } });
    await fireEvent.change(inside.getByTestId('audit-to'), { target: { value: '2026-12-07' } });
    await waitFor(() => expect(inside.getAllByTestId('audit-entry')).toHaveLength(2));

    await fireEvent.click(inside.getByTestId('audit-verify'));
    const check = await inside.findByTestId('audit-check');
    expect(check.dataset.intact).toBe('true');
    expect(check.textContent).toContain('intact: 3 entries');

    await fireEvent.click(inside.getByTestId('audit-export-csv'));
    expect((await inside.findByTestId('audit-exported')).textContent).toContain('satu-audit-20261207-091500.csv');
    // The export takes the filters, not the shown limit.
    expect(fake.auditExports).toEqual([
      { query: { from: null, to: '2026-12-08', account: null, kinds: ['mail.'], limit: null }, format: 'csv' },
    ]);
  });

  it('says where the chain was altered', async () => {
    const fake = createFakeBackend();
    fake.auditBroken = {
      intact: false,
      entries: 3,
      head: 'c3',
      broken_at: 2,
      reason: 'its content does not match its hash: it was changed',
    };
    render(App, { backend: fake });
    await screen.findAllByTestId('timeline-item');
    await fireEvent.click(screen.getByTestId('open-settings'));
    const inside = within(await screen.findByTestId('settings-audit'));
    await fireEvent.click(inside.getByTestId('audit-verify'));
    const check = await inside.findByTestId('audit-check');
    expect(check.dataset.intact).toBe('false');
    expect(check.textContent).toContain('altered at entry 2: its content does not match its hash');
  });
});

describe('a password given again', () => {
  it('is asked for when the keyring has none, refused at its field when wrong, and kept when right', async () => {
    const fake = createFakeBackend();
    render(App, { backend: fake });
    await screen.findAllByTestId('timeline-item');
    fake.emitStatus({
      account: 1,
      state: 'offline',
      mode: '',
      error: "The account's password is not in the OS keyring",
      error_code: 'keyring',
      retry_at: null,
      progress: null,
    });
    await fireEvent.click(await screen.findByTestId('password-again'));
    const dialog = within(await screen.findByTestId('password-dialog'));
    const input = dialog.getByTestId('password-input') as HTMLInputElement;
    expect(document.activeElement).toBe(input);
    await fireEvent.input(input, { target: { value: 'wrong' } });
    await fireEvent.click(dialog.getByTestId('password-save'));
    expect((await dialog.findByText(/wrong user name or password/)).id).toBe('password-error');
    await fireEvent.input(input, { target: { value: 'alice-pass' } });
    await fireEvent.click(dialog.getByTestId('password-save'));
    await waitFor(() => expect(screen.queryByTestId('password-dialog')).toBeNull());
    expect(fake.passwordsGiven).toEqual([{ id: 1, password: 'alice-pass' }]);
  });
});
