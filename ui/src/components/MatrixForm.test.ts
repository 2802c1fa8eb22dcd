import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MatrixInput } from '../backend';
import MatrixForm from './MatrixForm.svelte';

afterEach(cleanup);

const field = (id: string) => screen.getByTestId(id) as HTMLInputElement;

async function fill(values: Record<string, string>) {
  for (const [id, value] of Object.entries(values)) await fireEvent.input(field(id), { target: { value } });
}

describe('the Matrix account form', () => {
  it('submits what was typed (blank optional fields as null)', async () => {
    const onsubmit = vi.fn(async (_input: MatrixInput) => {});
    render(MatrixForm, { onsubmit, oncancel: () => {} });
    expect(document.activeElement).toBe(field('matrix-homeserver'));
    await fill({ 'matrix-homeserver': ' https://matrix.example.org ', 'matrix-user': 'alice', 'matrix-password': 'secret' });
    await fireEvent.click(screen.getByTestId('matrix-submit'));
    expect(onsubmit).toHaveBeenCalledWith({
      homeserver: 'https://matrix.example.org',
      user: 'alice',
      password: 'secret',
      access_token: null,
      ca_file: null,
      name: null,
    });
  });

  it('shows an ApiError at its field, and one of no field above the form', async () => {
    const onsubmit = vi
      .fn<(input: MatrixInput) => Promise<void>>()
      .mockRejectedValueOnce({ code: 'invalid_input', message: 'Give the user name', field: 'user' })
      .mockRejectedValueOnce({ code: 'unreachable', message: 'Cannot reach matrix.example.org' });
    render(MatrixForm, { onsubmit, oncancel: () => {} });
    await fill({ 'matrix-homeserver': 'https://matrix.example.org', 'matrix-password': 'secret' });
    await fireEvent.click(screen.getByTestId('matrix-submit'));
    const error = await screen.findByTestId('matrix-error-user');
    expect(error.textContent).toBe('Give the user name');
    expect(field('matrix-user').getAttribute('aria-invalid')).toBe('true');
    expect(field('matrix-user').getAttribute('aria-describedby')).toBe('matrix-error-user');
    expect(field('matrix-homeserver').getAttribute('aria-invalid')).toBe('false');

    await fireEvent.keyDown(field('matrix-user'), { key: 'Enter', ctrlKey: true });
    const banner = await screen.findByTestId('matrix-form-error');
    expect(banner.textContent).toContain('The server cannot be reached.');
    expect(banner.textContent).toContain('Cannot reach matrix.example.org');
    expect(screen.queryByTestId('matrix-error-user')).toBeNull();
  });

  it('an access token stands in for the password; Escape and Cancel close', async () => {
    const onsubmit = vi.fn(async (_input: MatrixInput) => {});
    const oncancel = vi.fn();
    render(MatrixForm, { onsubmit, oncancel });
    await fill({ 'matrix-homeserver': 'matrix.example.org', 'matrix-access-token': ' syt_abc ' });
    await fireEvent.click(screen.getByTestId('matrix-submit'));
    expect(onsubmit).toHaveBeenCalledWith(expect.objectContaining({ password: null, access_token: 'syt_abc' }));
    await fireEvent.keyDown(field('matrix-homeserver'), { key: 'Escape' });
    expect(oncancel).toHaveBeenCalledTimes(1);
    await fireEvent.click(screen.getByTestId('matrix-cancel'));
    expect(oncancel).toHaveBeenCalledTimes(2);
  });
});
