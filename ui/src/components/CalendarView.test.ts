import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ApiError } from '../backend';
import { createFakeBackend } from '../test/fake-backend';
import { dayKey, isoUtc, localZone, utcToZoned } from '../lib/calendar';
import CalendarView from './CalendarView.svelte';

afterEach(cleanup);

// Wednesday 6 January 2027, noon here; the fake's events lie around it (in local time).
const now = new Date(2027, 0, 6, 12).getTime();
const today = dayKey(new Date(now));

function show() {
  const fake = createFakeBackend({ now, calendar: true });
  const errors: ApiError[] = [];
  const view = render(CalendarView, { backend: fake, report: (error: ApiError) => errors.push(error), now });
  return { fake, errors, ...view };
}

const eventButton = (title: string) => screen.getByText(title).closest('button') as HTMLButtonElement;

describe('the Calendar view', () => {
  it('shows the week: timed events at their hours, side by side when they overlap, all-day ones in the strip', async () => {
    const { errors } = show();
    await waitFor(() => expect(screen.getByText('Design review')).toBeTruthy());
    expect(screen.getByTestId('calendar-grid').dataset.mode).toBe('week');
    const days = screen.getAllByTestId('calendar-day');
    expect(days).toHaveLength(7);
    // Monday first.
    expect(new Date(`${days[0].dataset.day}T12:00`).getDay()).toBe(1);
    const column = days.find((d) => d.dataset.day === today)!;
    expect(column.classList.contains('today')).toBe(true);
    const review = within(column).getByText('Design review').closest('button')!;
    const lunch = within(column).getByText('Lunch with Wei Ling').closest('button')!;
    // 11:00 local, beside the lunch at 12:00 that it overlaps.
    expect(review.dataset.top).toBe(String(11 * 60));
    expect(review.dataset.column).toBe('0/2');
    expect(lunch.dataset.column).toBe('1/2');
    expect(review.style.top).toBe(`${11 * 48}px`);
    const strip = screen.getByTestId('calendar-all-day');
    expect(within(strip).getByText('Conference')).toBeTruthy();
    expect(within(strip).getByText('Conference').closest('button')!.style.gridColumn).toMatch(/span 3/);
    // Not synced yet, and in conflict with the server.
    expect(within(eventButton('Budget call')).getByTestId('event-pending')).toBeTruthy();
    expect(within(eventButton('Yoga')).getByTestId('event-warning')).toBeTruthy();
    expect(within(eventButton('Design review')).queryByTestId('event-pending')).toBeNull();
    expect(errors).toEqual([]);
  });

  it('switches between day, week and month, and moves by periods', async () => {
    const { component } = show();
    await waitFor(() => expect(screen.getByText('Design review')).toBeTruthy());
    const title = () => screen.getByTestId('calendar-title').textContent ?? '';
    expect(title()).toMatch(/January 4\s*–\s*10, 2027/);
    component.command('month');
    await waitFor(() => expect(screen.getByTestId('calendar-month')).toBeTruthy());
    expect(title()).toBe('January 2027');
    expect(screen.getAllByTestId('month-cell').length % 7).toBe(0);
    expect(screen.getByTestId('calendar-mode-month').getAttribute('aria-pressed')).toBe('true');
    component.command('next');
    await waitFor(() => expect(title()).toBe('February 2027'));
    component.command('today');
    await waitFor(() => expect(title()).toBe('January 2027'));
    component.command('day');
    await waitFor(() => expect(screen.getAllByTestId('calendar-day')).toHaveLength(1));
    expect(title()).toContain('January 6, 2027');
    component.command('previous');
    await waitFor(() => expect(title()).toContain('January 5, 2027'));
    await fireEvent.click(screen.getByTestId('calendar-mode-week'));
    await waitFor(() => expect(screen.getAllByTestId('calendar-day')).toHaveLength(7));
  });

  it('shows "+N more" in a crowded month cell', async () => {
    const { fake, component } = show();
    for (const hour of [6, 7, 8]) {
      const start = new Date(2027, 0, 6, hour).getTime();
      await fake.addEvent({ title: `Early ${hour}`, start: isoUtc(start), end: isoUtc(start + 1_800_000), all_day: false });
    }
    component.command('month');
    await waitFor(() => expect(screen.getByTestId('calendar-month')).toBeTruthy());
    const cell = await waitFor(() => {
      const found = screen.getAllByTestId('month-cell').find((c) => c.dataset.day === today)!;
      expect(within(found).getByTestId('month-more').textContent).toMatch(/^\+\d+ more$/);
      return found;
    });
    expect(cell.classList.contains('today')).toBe(true);
    await fireEvent.click(within(cell).getByTestId('month-more'));
    await waitFor(() => expect(screen.getAllByTestId('calendar-day')).toHaveLength(1));
    expect(screen.getByText('Early 8')).toBeTruthy();
  });

  it('opens an event: when, where, repeats, guests, reminders; a conflict offers both versions', async () => {
    const { fake } = show();
    await waitFor(() => expect(screen.getByText('Team meeting')).toBeTruthy());
    await fireEvent.click(eventButton('Team meeting'));
    const panel = await screen.findByTestId('event-detail');
    expect(within(panel).getByRole('heading').textContent).toContain('Team meeting');
    expect(within(panel).getByTestId('event-repeats').textContent).toBe('Every week');
    expect(within(panel).getByTestId('event-location').textContent).toBe('Room 2');
    expect(within(panel).getByTestId('event-attendees').textContent).toMatch(/Wei Ling\s*Maybe/);
    expect(within(panel).getByTestId('event-alarms').textContent).toBe('15 minutes before');
    expect(within(panel).queryByTestId('event-conflict')).toBeNull();

    const resolve = vi.spyOn(fake, 'resolveEvent');
    await fireEvent.click(eventButton('Yoga'));
    const banner = await screen.findByTestId('event-conflict');
    expect(banner.textContent).toContain('the server has');
    await fireEvent.click(within(banner).getByTestId('event-keep-server'));
    await waitFor(() => expect(screen.queryByTestId('event-conflict')).toBeNull());
    expect(resolve).toHaveBeenCalledWith(expect.any(Number), false);
    expect(screen.getByTestId('event-location').textContent).toBe('Park');
  });

  it('the editor checks the times, saves with addEvent and shows the new event', async () => {
    const { fake } = show();
    await waitFor(() => expect(screen.getByText('Design review')).toBeTruthy());
    const add = vi.spyOn(fake, 'addEvent');
    // A double click on an empty slot: an hour from there.
    await fireEvent.dblClick(screen.getAllByTestId('calendar-day').find((d) => d.dataset.day === today)!, { clientY: 0 });
    const editor = await screen.findByTestId('event-editor');
    expect((within(editor).getByTestId('event-start-time') as HTMLInputElement).value).toBe('00:00');
    expect((within(editor).getByTestId('event-end-time') as HTMLInputElement).value).toBe('01:00');
    expect((within(editor).getByTestId('event-zone') as HTMLSelectElement).value).toBe(localZone());
    await fireEvent.input(within(editor).getByTestId('event-title'), { target: { value: 'Planning' } });
    await fireEvent.input(within(editor).getByTestId('event-start-time'), { target: { value: '14:00' } });
    await fireEvent.input(within(editor).getByTestId('event-end-time'), { target: { value: '13:00' } });
    await fireEvent.click(within(editor).getByTestId('event-save'));
    expect((await within(editor).findByTestId('event-field-error-end')).textContent).toBe('The event ends before it starts.');
    expect(add).not.toHaveBeenCalled();

    await fireEvent.input(within(editor).getByTestId('event-end-time'), { target: { value: '15:30' } });
    await fireEvent.change(within(editor).getByTestId('event-repeat'), { target: { value: 'weekly' } });
    await fireEvent.input(within(editor).getByTestId('event-location-field'), { target: { value: 'Studio' } });
    // Ctrl+Enter saves.
    await fireEvent.keyDown(within(editor).getByTestId('event-title'), { key: 'Enter', ctrlKey: true });
    await waitFor(() => expect(screen.queryByTestId('event-editor')).toBeNull());
    expect(add).toHaveBeenCalledTimes(1);
    const input = add.mock.calls[0][0];
    expect(input).toMatchObject({ title: 'Planning', all_day: false, rrule: 'FREQ=WEEKLY', location: 'Studio', time_zone: localZone() });
    expect(utcToZoned(Date.parse(input.start), localZone())).toEqual({ date: today, time: '14:00' });
    expect(Date.parse(input.end) - Date.parse(input.start)).toBe(90 * 60_000);
    expect((await fake.calendars()).find((c) => c.id === input.calendar)?.components).toContain('VEVENT');
    const panel = await screen.findByTestId('event-detail');
    expect(within(panel).getByRole('heading').textContent).toContain('Planning');
    await waitFor(() => expect(screen.getAllByText('Planning').length).toBeGreaterThan(1));
  });

  it('makes all-day events from the strip; the last day shown is inclusive; Escape cancels', async () => {
    const { fake } = show();
    await waitFor(() => expect(screen.getByText('Design review')).toBeTruthy());
    const add = vi.spyOn(fake, 'addEvent');
    await fireEvent.click(screen.getByTestId('calendar-new'));
    let editor = await screen.findByTestId('event-editor');
    await fireEvent.keyDown(within(editor).getByTestId('event-title'), { key: 'Escape' });
    expect(screen.queryByTestId('event-editor')).toBeNull();

    const strip = screen.getByTestId('calendar-all-day');
    await fireEvent.dblClick(strip.querySelector('.allday-cell') as HTMLElement);
    editor = await screen.findByTestId('event-editor');
    expect((within(editor).getByTestId('event-all-day') as HTMLInputElement).checked).toBe(true);
    expect(within(editor).queryByTestId('event-start-time')).toBeNull();
    const monday = (within(editor).getByTestId('event-start-date') as HTMLInputElement).value;
    expect((within(editor).getByTestId('event-end-date') as HTMLInputElement).value).toBe(monday);
    await fireEvent.click(within(editor).getByTestId('event-save'));
    expect((await within(editor).findByTestId('event-field-error-title')).textContent).toBe('Give the event a title.');
    await fireEvent.input(within(editor).getByTestId('event-title'), { target: { value: 'Retreat' } });
    await fireEvent.click(within(editor).getByTestId('event-save'));
    await waitFor(() => expect(add).toHaveBeenCalledTimes(1));
    const [input] = add.mock.calls[0];
    expect(input).toMatchObject({ title: 'Retreat', all_day: true, start: monday });
    expect(input.time_zone).toBeUndefined();
    expect(Date.parse(input.end) - Date.parse(input.start)).toBe(86_400_000);
  });

  it('edits and deletes an event from its panel; changes from elsewhere show up', async () => {
    const { fake } = show();
    await waitFor(() => expect(screen.getByText('Dentist')).toBeTruthy());
    await fireEvent.click(eventButton('Dentist'));
    await screen.findByTestId('event-detail');
    await fireEvent.click(screen.getByTestId('event-edit'));
    const editor = await screen.findByTestId('event-editor');
    expect((within(editor).getByTestId('event-title') as HTMLInputElement).value).toBe('Dentist');
    expect((within(editor).getByTestId('event-start-time') as HTMLInputElement).value).toBe('14:30');
    const edit = vi.spyOn(fake, 'editEvent');
    await fireEvent.input(within(editor).getByTestId('event-title'), { target: { value: 'Dentist (check-up)' } });
    await fireEvent.click(within(editor).getByTestId('event-save'));
    await waitFor(() => expect(screen.queryByTestId('event-editor')).toBeNull());
    expect(edit.mock.calls[0][1]).toMatchObject({ title: 'Dentist (check-up)', location: 'Klinik Gigi' });
    await waitFor(() => expect(screen.getAllByText('Dentist (check-up)').length).toBe(2));

    await fireEvent.click(screen.getByTestId('event-delete'));
    await fireEvent.click(screen.getByTestId('event-delete-confirm'));
    await waitFor(() => expect(screen.queryByText('Dentist (check-up)')).toBeNull());
    expect(screen.queryByTestId('event-detail')).toBeNull();

    // Another device adds an event: the change feed brings it.
    const four = new Date(2027, 0, 6, 16).getTime();
    await fake.addEvent({ title: 'From the phone', start: isoUtc(four), end: isoUtc(four + 3_600_000), all_day: false });
    expect(await screen.findByText('From the phone', {}, { timeout: 2000 })).toBeTruthy();
  });

  it('an event on no calendar (an invitation accepted with no CalDAV account): no colour, no calendar; edits keep it there', async () => {
    const fake = createFakeBackend({ now, invitation: true });
    const [mail] = await fake.search({ text: 'kick-off' });
    const { event: id } = await fake.answerInvitation(mail.id, 'accepted');
    expect((await fake.event(id!)).calendar).toBeNull();
    const errors: ApiError[] = [];
    render(CalendarView, { backend: fake, report: (error: ApiError) => errors.push(error), now });
    await screen.findByTestId('calendar-none');
    // It is next week.
    await fireEvent.click(screen.getByTestId('calendar-next'));
    await waitFor(() => expect(screen.getByText('Project kick-off')).toBeTruthy());
    expect(eventButton('Project kick-off').style.getPropertyValue('--color')).toBe('var(--accent)');
    await fireEvent.click(eventButton('Project kick-off'));
    const panel = await screen.findByTestId('event-detail');
    expect(within(panel).queryByText('Calendar')).toBeNull();
    expect(panel.querySelector('.swatch')).toBeNull();

    const edit = vi.spyOn(fake, 'editEvent');
    await fireEvent.click(within(panel).getByTestId('event-edit'));
    const editor = await screen.findByTestId('event-editor');
    await fireEvent.input(within(editor).getByTestId('event-title'), { target: { value: 'Kick-off' } });
    await fireEvent.click(within(editor).getByTestId('event-save'));
    await waitFor(() => expect(screen.queryByTestId('event-editor')).toBeNull());
    expect(edit.mock.calls[0][1]).toMatchObject({ calendar: null, title: 'Kick-off' });
    expect((await fake.event(id!)).calendar).toBeNull();
    expect(errors).toEqual([]);
  });

  it('the editor puts an event on no calendar in the first calendar once there is one', async () => {
    const fake = createFakeBackend({ now, invitation: true });
    const [mail] = await fake.search({ text: 'kick-off' });
    const { event: id } = await fake.answerInvitation(mail.id, 'accepted');
    await fake.addCaldavAccount({ url: 'https://dav.example.com/', username: 'aisha', password: 'secret' });
    const [first] = (await fake.calendars()).filter((c) => c.components.includes('VEVENT'));
    render(CalendarView, { backend: fake, report: () => {}, now });
    await fireEvent.click(screen.getByTestId('calendar-next'));
    await waitFor(() => expect(screen.getByText('Project kick-off')).toBeTruthy());
    await fireEvent.click(eventButton('Project kick-off'));
    await fireEvent.click(await screen.findByTestId('event-edit'));
    const editor = await screen.findByTestId('event-editor');
    expect((within(editor).getByTestId('event-calendar') as HTMLSelectElement).value).toBe(String(first.id));
    await fireEvent.click(within(editor).getByTestId('event-save'));
    await waitFor(() => expect(screen.queryByTestId('event-editor')).toBeNull());
    expect((await fake.event(id!)).calendar).toBe(first.id);
  });
});
