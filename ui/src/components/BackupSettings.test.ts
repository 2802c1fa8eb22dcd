import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import App from '../App.svelte';
import { createFakeBackend } from '../test/fake-backend';

afterEach(cleanup);

describe('backups in Settings', () => {
  it('schedules backups with errors at their field, then backs up now and lists it', async () => {
    const fake = createFakeBackend();
    render(App, { backend: fake });
    await screen.findAllByTestId('timeline-item');
    await fireEvent.click(screen.getByTestId('open-settings'));
    const section = await screen.findByTestId('settings-backups');
    const inside = within(section);
    expect(inside.getByText('No backups yet.')).toBeTruthy();
    expect((inside.getByTestId('backup-now') as HTMLButtonElement).disabled).toBe(true);

    // Read first: the form is there at once, disabled until then.
    await waitFor(() => expect(inside.getByTestId('backup-every').matches(':disabled')).toBe(false));
    await fireEvent.change(inside.getByTestId('backup-every'), { target: { value: '24' } });
    await fireEvent.input(inside.getByTestId('backup-dir'), { target: { value: 'Backups' } });
    await fireEvent.click(inside.getByTestId('backup-save'));
    const dirError = await inside.findByText(/is not a full path/);
    expect(dirError.id).toBe('backup-dir-error');
    expect(inside.getByTestId('backup-dir').getAttribute('aria-invalid')).toBe('true');

    await fireEvent.input(inside.getByTestId('backup-dir'), { target: { value: '/home/ana/Backups' } });
    await fireEvent.click(inside.getByTestId('backup-save'));
    expect((await inside.findByText(/Choose a passphrase/)).id).toBe('backup-passphrase-error');

    await fireEvent.input(inside.getByTestId('backup-passphrase'), { target: { value: 'short' } });
    await fireEvent.click(inside.getByTestId('backup-save'));
    expect((await inside.findByText(/at least 8 characters/)).id).toBe('backup-passphrase-error');

    await fireEvent.input(inside.getByTestId('backup-passphrase'), { target: { value: 'correct horse battery' } });
    await fireEvent.click(inside.getByTestId('backup-save'));
    await inside.findByTestId('backup-saved');
    expect(fake.backupPlan).toEqual({ every_hours: 24, dir: '/home/ana/Backups', keep: 7, passphrase_kept: true });
    expect((inside.getByTestId('backup-passphrase') as HTMLInputElement).value).toBe('');
    expect(inside.getByText(/Kept in the system's keyring/)).toBeTruthy();

    await fireEvent.click(inside.getByTestId('backup-now'));
    const made = await inside.findByTestId('backup-made');
    expect(made.textContent).toMatch(/Written to \/home\/ana\/Backups\/satu-.*\.tar\.zst\.age \(2\.4 MB\) and checked\./);
    await waitFor(() => expect(inside.getAllByTestId('backup-row')).toHaveLength(1));
    expect(inside.getByTestId('backup-row').textContent).toContain('checked');
  });

  it('shows the schedule it has, and a failed backup with its reason', async () => {
    const fake = createFakeBackend();
    fake.backupPlan = { every_hours: 168, dir: '/mnt/usb', keep: 3, passphrase_kept: true };
    fake.backupList = [
      {
        id: 2,
        path: '/mnt/usb/satu-2.tar.zst.age',
        created: new Date(Date.now() - 3_600_000).toISOString(),
        bytes: 0,
        items: 0,
        verified: false,
        scheduled: true,
        exists: false,
        error: 'The disk is full',
      },
    ];
    render(App, { backend: fake });
    await screen.findAllByTestId('timeline-item');
    await fireEvent.click(screen.getByTestId('open-settings'));
    const inside = within(await screen.findByTestId('settings-backups'));
    await waitFor(() => expect((inside.getByTestId('backup-dir') as HTMLInputElement).value).toBe('/mnt/usb'));
    await inside.findByTestId('backup-row');
    expect((inside.getByTestId('backup-every') as HTMLSelectElement).value).toBe('168');
    expect((inside.getByTestId('backup-keep') as HTMLInputElement).value).toBe('3');
    expect(inside.getByTestId('backup-row').textContent).toContain('failed: The disk is full');
  });
});
