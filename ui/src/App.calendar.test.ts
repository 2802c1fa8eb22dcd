import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import App from './App.svelte';
import type { Invitation, InvitationAnswer } from './backend';
import { createFakeBackend } from './test/fake-backend';
import InvitationCard from './components/InvitationCard.svelte';
import SettingsDialog from './components/SettingsDialog.svelte';

afterEach(cleanup);

const key = (key: string, init: Record<string, unknown> = {}) => fireEvent.keyDown(window, { key, ...init });
const rows = () => screen.getAllByTestId('timeline-item');
const title = () => screen.getByTestId('calendar-title').textContent ?? '';

describe('the Calendar in the window', () => {
  it('g c opens it, its keys switch modes and periods, the mail keys stay out, g a goes back', async () => {
    render(App, { backend: createFakeBackend({ calendar: true }) });
    await screen.findAllByTestId('timeline-item');
    await key('g');
    await key('c');
    expect(await screen.findByTestId('calendar-view')).toBeTruthy();
    expect(screen.queryByTestId('reading-pane')).toBeNull();
    expect(screen.getByTestId('view-calendar').getAttribute('aria-current')).toBe('page');
    expect(screen.getByRole('button', { name: /^All/ }).getAttribute('aria-current')).toBeNull();
    await waitFor(() => expect(screen.getByText('Design review')).toBeTruthy());
    expect(screen.getByTestId('calendar-grid').dataset.mode).toBe('week');

    // m is the month here, not "move to a folder".
    await key('m');
    expect(screen.getByTestId('calendar-month')).toBeTruthy();
    expect(screen.queryByTestId('move-dialog')).toBeNull();
    const month = title();
    await key('n');
    await waitFor(() => expect(title()).not.toBe(month));
    await key('t');
    await waitFor(() => expect(title()).toBe(month));
    await key('d');
    await waitFor(() => expect(screen.getAllByTestId('calendar-day')).toHaveLength(1));
    const day = title();
    await key('ArrowLeft');
    await waitFor(() => expect(title()).not.toBe(day));
    await key('w');
    await waitFor(() => expect(screen.getAllByTestId('calendar-day')).toHaveLength(7));

    // e: a new event; while the editor is open the calendar keys type into it.
    await key('e');
    const editor = await screen.findByTestId('event-editor');
    await key('m');
    expect(screen.getByTestId('calendar-grid').dataset.mode).toBe('week');
    await fireEvent.keyDown(within(editor).getByTestId('event-title'), { key: 'Escape' });
    expect(screen.queryByTestId('event-editor')).toBeNull();

    // Escape closes an opened event first. Back to today's week first: the day before today
    // is in the week before on a Monday.
    await key('t');
    await waitFor(() => expect(screen.getByText('Design review')).toBeTruthy());
    await fireEvent.click(screen.getByText('Design review').closest('button')!);
    await screen.findByTestId('event-detail');
    await key('Escape');
    expect(screen.queryByTestId('event-detail')).toBeNull();

    await key('g');
    await key('a');
    await waitFor(() => expect(screen.queryByTestId('calendar-view')).toBeNull());
    expect(rows().length).toBeGreaterThan(0);
    expect(screen.getByRole('button', { name: /^All/ }).getAttribute('aria-current')).toBe('page');
    // g followed by another key is no view: that key does what it always does.
    await key('g');
    await key('?');
    expect(screen.getByTestId('shortcuts').textContent).toContain('Go to the Calendar');
    expect(screen.getByTestId('shortcuts-calendar').textContent).toContain('New event');
  });

  it('the sidebar entry opens it; without calendars it offers the CalDAV form', async () => {
    render(App, { backend: createFakeBackend() });
    await screen.findAllByTestId('timeline-item');
    await fireEvent.click(screen.getByTestId('view-calendar'));
    const none = await screen.findByTestId('calendar-none');
    expect((screen.getByTestId('calendar-new') as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.click(within(none).getByRole('button'));
    expect(await screen.findByTestId('caldav-form')).toBeTruthy();
  });

  it('event rows show when and where; opened, an event shows its detail and edits from the pane', async () => {
    const fake = createFakeBackend({ calendar: true });
    render(App, { backend: fake });
    await screen.findAllByTestId('timeline-item');
    // Events are in All, not in the Inbox.
    await fireEvent.click(screen.getByRole('button', { name: /^All/ }));
    await waitFor(() => expect(rows().some((r) => r.textContent?.includes('Dentist'))).toBe(true));
    const row = rows().find((r) => r.textContent?.includes('Dentist'))!;
    expect(within(row).getByTestId('event-when').textContent).toMatch(/14:30 – 15:15 · Klinik Gigi/);
    await fireEvent.click(row);
    const pane = screen.getByTestId('reading-pane');
    const panel = await within(pane).findByTestId('event-detail');
    expect(pane.querySelector('h1')?.textContent).toContain('Dentist');
    expect(within(panel).getByTestId('event-alarms').textContent).toBe('1 hour before and 1 day before');
    await fireEvent.click(within(panel).getByTestId('event-edit'));
    const editor = await screen.findByTestId('event-editor');
    await fireEvent.input(within(editor).getByTestId('event-location-field'), { target: { value: 'Klinik Senyum' } });
    await fireEvent.click(within(editor).getByTestId('event-save'));
    await waitFor(() => expect(screen.queryByTestId('event-editor')).toBeNull());
    await waitFor(() => expect(within(pane).getByTestId('event-location').textContent).toBe('Klinik Senyum'));
    await waitFor(() => expect(within(row).getByTestId('event-when').textContent).toContain('Klinik Senyum'));
    await fireEvent.click(within(panel).getByTestId('event-delete'));
    await fireEvent.click(within(pane).getByTestId('event-delete-confirm'));
    await waitFor(() => expect(rows().some((r) => r.textContent?.includes('Dentist'))).toBe(false));
    expect(within(pane).queryByTestId('event-detail')).toBeNull();
    expect(screen.queryByTestId('notice-error')).toBeNull();
  });

  it('an invitation mail: the card answers with answerInvitation and shows the answer', async () => {
    const fake = createFakeBackend({ calendar: true });
    const answer = vi.spyOn(fake, 'answerInvitation');
    render(App, { backend: fake });
    await screen.findAllByTestId('timeline-item');
    await fireEvent.click(rows().find((r) => r.textContent?.includes('Invitation: Project kick-off'))!);
    const card = await screen.findByTestId('invitation');
    expect(card.textContent).toContain('Project kick-off');
    expect(card.textContent).toContain('Meeting room 1');
    expect(card.textContent).toContain('siti@harbour-museum.example');
    expect(within(card).queryByTestId('invitation-answer')).toBeNull();
    await fireEvent.click(within(card).getByTestId('invitation-tentative'));
    await waitFor(() => expect(screen.getByTestId('invitation-answer').textContent).toBe('You said maybe.'));
    expect(answer).toHaveBeenCalledWith(expect.any(Number), 'tentative');
    expect(screen.getByTestId('invitation-tentative').getAttribute('aria-pressed')).toBe('true');
    // The event is in the calendar now.
    await fireEvent.click(await screen.findByTestId('invitation-open-event'));
    await waitFor(() => expect(screen.getByTestId('reading-pane').querySelector('h1')?.textContent).toContain('Project kick-off'));
  });

  it('declining an invitation: the card shows the answer and no event any more', async () => {
    const fake = createFakeBackend({ calendar: true });
    render(App, { backend: fake });
    await screen.findAllByTestId('timeline-item');
    // Events are in All, not in the Inbox.
    await fireEvent.click(screen.getByRole('button', { name: /^All/ }));
    await waitFor(() => expect(rows().some((r) => r.textContent?.includes('Dentist'))).toBe(true));
    await fireEvent.click(rows().find((r) => r.textContent?.includes('Invitation: Project kick-off'))!);
    await fireEvent.click(await screen.findByTestId('invitation-accepted'));
    await screen.findByTestId('invitation-open-event');
    const accepted = rows().filter((r) => r.textContent?.includes('Project kick-off')).length;
    await fireEvent.click(screen.getByTestId('invitation-declined'));
    await waitFor(() => expect(screen.getByTestId('invitation-answer').textContent).toBe('You declined.'));
    expect(screen.getByTestId('invitation-declined').getAttribute('aria-pressed')).toBe('true');
    await waitFor(() => expect(screen.queryByTestId('invitation-open-event')).toBeNull());
    // The event left the timeline too; the mail is still there.
    await waitFor(() => expect(rows().filter((r) => r.textContent?.includes('Project kick-off'))).toHaveLength(accepted - 1));
    expect(screen.queryByTestId('notice-error')).toBeNull();
  });
});

describe('InvitationCard', () => {
  const invitation = {
    uid: 'u1',
    title: 'Kick-off',
    start: '2027-01-12T09:00:00Z',
    end: '2027-01-12T10:00:00Z',
    all_day: false,
    location: 'Room 1',
    organizer: 'siti@example.com',
    method: 'REQUEST',
    answer: 'accepted' as InvitationAnswer,
    event: 4,
  };

  it('shows the answer so far, waits while one is sent, and shows a refusal', async () => {
    let finish: (error?: unknown) => void = () => {};
    const answers: InvitationAnswer[] = [];
    const opened: number[] = [];
    render(InvitationCard, {
      invitation,
      onanswer: (answer: InvitationAnswer) => {
        answers.push(answer);
        // As the core: a declined invitation has no event any more.
        const now: Invitation = { ...invitation, answer, event: answer === 'declined' ? null : invitation.event };
        return new Promise<Invitation>((resolve, reject) => (finish = (error) => (error ? reject(error) : resolve(now))));
      },
      onopen: (event: number) => opened.push(event),
    });
    await fireEvent.click(screen.getByTestId('invitation-open-event'));
    expect(opened).toEqual([4]);
    expect(screen.getByTestId('invitation-accepted').getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByTestId('invitation-answer').textContent).toBe('You accepted.');
    await fireEvent.click(screen.getByTestId('invitation-declined'));
    expect(answers).toEqual(['declined']);
    for (const choice of ['accepted', 'tentative', 'declined']) {
      expect((screen.getByTestId(`invitation-${choice}`) as HTMLButtonElement).disabled).toBe(true);
    }
    finish({ code: 'unreachable', message: 'Cannot reach the SMTP server.' });
    expect((await screen.findByTestId('invitation-error')).textContent).toBe('Cannot reach the SMTP server.');
    expect((screen.getByTestId('invitation-declined') as HTMLButtonElement).disabled).toBe(false);
    expect(screen.getByTestId('invitation-answer').textContent).toBe('You accepted.');
    expect(screen.getByTestId('invitation-open-event')).toBeTruthy();
    await fireEvent.click(screen.getByTestId('invitation-declined'));
    finish();
    await waitFor(() => expect(screen.getByTestId('invitation-answer').textContent).toBe('You declined.'));
    expect(screen.getByTestId('invitation-declined').getAttribute('aria-pressed')).toBe('true');
    expect(screen.queryByTestId('invitation-error')).toBeNull();
    // The returned invitation says there is no event any more: no link to it.
    expect(screen.queryByTestId('invitation-open-event')).toBeNull();
  });

  it('shows what the core answered, then the invitation it is given anew', async () => {
    const props = {
      invitation: { ...invitation, answer: null, event: null } as Invitation,
      onanswer: async (answer: InvitationAnswer): Promise<Invitation> => ({ ...invitation, answer, event: 9 }),
      onopen: () => {},
    };
    const { rerender } = render(InvitationCard, props);
    expect(screen.queryByTestId('invitation-answer')).toBeNull();
    expect(screen.queryByTestId('invitation-open-event')).toBeNull();
    await fireEvent.click(screen.getByTestId('invitation-tentative'));
    await waitFor(() => expect(screen.getByTestId('invitation-answer').textContent).toBe('You said maybe.'));
    expect(screen.getByTestId('invitation-open-event')).toBeTruthy();
    // The mail shown again (its event deleted meanwhile, say): the new invitation wins.
    await rerender({ ...props, invitation: { ...invitation, answer: 'tentative', event: null } });
    await waitFor(() => expect(screen.queryByTestId('invitation-open-event')).toBeNull());
    expect(screen.getByTestId('invitation-answer').textContent).toBe('You said maybe.');
  });
});

describe('calendars in the settings', () => {
  it('chooses where tasks made from mail go: one radio group over every account, among task lists', async () => {
    const chosen: number[] = [];
    render(SettingsDialog, {
      settings: [],
      accounts: [
        { id: 2, name: 'Work DAV', email: '', kind: 'caldav', imap: '', smtp: '', security: 'tls', smtp_security: 'tls', username: 'me', notify: true, in_timeline: true, url: '', auth: 'password', sign_in_again: false },
        { id: 4, name: 'Home DAV', email: '', kind: 'caldav', imap: '', smtp: '', security: 'tls', smtp_security: 'tls', username: 'me', notify: true, in_timeline: true, url: '', auth: 'password', sign_in_again: false },
      ],
      calendars: [
        { id: 1, account: 2, href: '/a/', name: 'Personal', color: '', components: ['VEVENT', 'VTODO'], tasks_go_here: false },
        { id: 2, account: 2, href: '/b/', name: 'Work', color: '#1a7f37', components: ['VEVENT'], tasks_go_here: false },
        { id: 3, account: 2, href: '/c/', name: 'Tasks', color: '', components: ['VTODO'], tasks_go_here: true },
        { id: 5, account: 4, href: '/h/', name: 'Chores', color: '', components: ['VTODO'], tasks_go_here: false },
      ],
      onsetting: () => {},
      onnotify: () => {},
      ontaskcalendar: (id: number) => chosen.push(id),
      onaddcaldav: () => {},
      onclose: () => {},
    });
    const section = screen.getByTestId('settings-calendars');
    expect(within(section).getByRole('group', { name: 'Work DAV' })).toBeTruthy();
    expect(within(section).getByRole('group', { name: 'Home DAV' })).toBeTruthy();
    expect(screen.getAllByTestId('settings-calendar').map((li) => li.textContent?.replace(/\s+/g, ' ').trim())).toEqual([
      'Personal Events and tasks Tasks made from mail go here',
      'Work Events',
      'Tasks Tasks Tasks made from mail go here',
      'Chores Tasks Tasks made from mail go here',
    ]);
    expect(screen.getByTestId('task-calendar-hint').textContent).toBe('Tasks made from mail go to one task list, whichever account it is in.');
    const radios = screen.getAllByTestId('task-calendar') as HTMLInputElement[];
    // One group: the same name in both accounts, so choosing one unchecks the others.
    expect(new Set(radios.map((r) => r.name)).size).toBe(1);
    expect(radios.map((r) => r.checked)).toEqual([false, true, false]);
    expect(radios[2].getAttribute('aria-describedby')).toBe('calendar-name-5 task-calendar-account-4');
    await fireEvent.click(radios[2]);
    expect(radios.map((r) => r.checked)).toEqual([false, false, true]);
    await fireEvent.click(radios[0]);
    expect(chosen).toEqual([5, 1]);
  });

  it('in the window: choosing a task list of another account unchecks the one of the first', async () => {
    const fake = createFakeBackend({ calendar: true });
    await fake.addCaldavAccount({ url: 'https://dav.example.org/', username: 'home', password: 'secret', name: 'Home DAV' });
    render(App, { backend: fake });
    await screen.findAllByTestId('timeline-item');
    await fireEvent.click(screen.getByRole('button', { name: 'Settings' }));
    const home = within(await screen.findByRole('group', { name: 'Home DAV' }));
    const checked = () => (screen.getAllByTestId('task-calendar') as HTMLInputElement[]).map((r) => r.checked);
    // Personal and Tasks of the first account, Tasks of Home DAV: the first account's Tasks list takes them.
    await waitFor(() => expect(checked()).toEqual([false, true, false]));
    await fireEvent.click(home.getByTestId('task-calendar'));
    await waitFor(() => expect(checked()).toEqual([false, false, true]));
    expect((await fake.calendars()).filter((c) => c.tasks_go_here).map((c) => c.account)).toEqual([
      (await fake.accounts()).find((a) => a.name === 'Home DAV')!.id,
    ]);
  });

  it('in the window: the radio calls setTaskCalendar; a CalDAV account is added through the form, errors at their field', async () => {
    const fake = createFakeBackend({ calendar: true });
    const set = vi.spyOn(fake, 'setTaskCalendar');
    render(App, { backend: fake });
    await screen.findAllByTestId('timeline-item');
    await fireEvent.click(screen.getByRole('button', { name: 'Settings' }));
    const radios = (await screen.findAllByTestId('task-calendar')) as HTMLInputElement[];
    expect(radios.map((r) => r.checked)).toEqual([false, true]);
    await fireEvent.click(radios[0]);
    await waitFor(() => expect(set).toHaveBeenCalledWith(expect.any(Number)));
    await waitFor(() => expect((screen.getAllByTestId('task-calendar') as HTMLInputElement[]).map((r) => r.checked)).toEqual([true, false]));

    await fireEvent.click(screen.getByTestId('add-caldav'));
    const form = await screen.findByTestId('caldav-form');
    await fireEvent.input(within(form).getByTestId('caldav-url'), { target: { value: 'http://dav.example.com/' } });
    await fireEvent.input(within(form).getByTestId('caldav-username'), { target: { value: 'aisha' } });
    await fireEvent.input(within(form).getByTestId('caldav-password'), { target: { value: 'secret' } });
    await fireEvent.click(within(form).getByTestId('caldav-submit'));
    const error = await within(form).findByTestId('caldav-error-url');
    expect(error.textContent).toContain('only allowed to this computer');
    expect(within(form).getByTestId('caldav-url').getAttribute('aria-invalid')).toBe('true');

    await fireEvent.input(within(form).getByTestId('caldav-url'), { target: { value: 'https://dav.example.com/' } });
    await fireEvent.input(within(form).getByTestId('caldav-password'), { target: { value: 'wrong' } });
    await fireEvent.click(within(form).getByTestId('caldav-submit'));
    expect((await within(form).findByTestId('caldav-error-password')).textContent).toContain('refused the login');
    expect(within(form).queryByTestId('caldav-error-url')).toBeNull();

    await fireEvent.input(within(form).getByTestId('caldav-password'), { target: { value: 'secret' } });
    await fireEvent.input(within(form).getByTestId('caldav-name'), { target: { value: 'Home DAV' } });
    await fireEvent.click(within(form).getByTestId('caldav-submit'));
    await waitFor(() => expect(screen.queryByTestId('caldav-form')).toBeNull());
    expect((await fake.accounts()).map((a) => a.name)).toContain('Home DAV');
    await waitFor(() => expect(within(screen.getByTestId('settings-calendars')).getByRole('group', { name: 'Home DAV' })).toBeTruthy());
  });

  it('the CalDAV form shows its progress while the core looks for calendars', async () => {
    const fake = createFakeBackend({ delayMs: 50 });
    render(App, { backend: fake });
    await screen.findAllByTestId('timeline-item');
    await fireEvent.click(screen.getByRole('button', { name: 'Settings' }));
    await fireEvent.click(await screen.findByTestId('add-caldav'));
    const form = await screen.findByTestId('caldav-form');
    await fireEvent.input(within(form).getByTestId('caldav-url'), { target: { value: 'https://dav.example.com/' } });
    await fireEvent.input(within(form).getByTestId('caldav-username'), { target: { value: 'aisha' } });
    await fireEvent.input(within(form).getByTestId('caldav-password'), { target: { value: 'secret' } });
    await fireEvent.click(within(form).getByTestId('caldav-submit'));
    expect(within(form).getByTestId('caldav-progress').textContent).toBe('Looking for calendars and task lists…');
    expect((within(form).getByTestId('caldav-submit') as HTMLButtonElement).disabled).toBe(true);
    await waitFor(() => expect(screen.queryByTestId('caldav-form')).toBeNull());
    expect(await screen.findByText('CalDAV account added with 2 calendars.')).toBeTruthy();
  });
});
