import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AccountInput, ChangeEvent, LiveStatus } from '../backend/types';
import { createFakeBackend, LIVE_CONNECT_MS, LIVE_RETRY_MS, LIVE_STEP_MS, WEDGED_AFTER } from './fake-backend';

const good: AccountInput = {
  email: 'me@example.com',
  imap: 'imap.example.com:993',
  smtp: 'smtp.example.com:465',
  password: 'secret',
};

describe('fake backend', () => {
  it('is seeded, newest first', async () => {
    const fake = createFakeBackend();
    const items = await fake.timeline({});
    expect(items.length).toBeGreaterThanOrEqual(5);
    const times = items.map((i) => Date.parse(i.time));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(await fake.accounts()).toHaveLength(1);
  });

  it('starts empty without seed', async () => {
    const fake = createFakeBackend({ seed: false });
    expect(await fake.timeline({})).toEqual([]);
    expect(await fake.accounts()).toEqual([]);
  });

  it('pages with before, filters unread, limits', async () => {
    const fake = createFakeBackend();
    const all = await fake.timeline({});
    const first = await fake.timeline({ limit: 2 });
    expect(first).toEqual(all.slice(0, 2));
    expect(await fake.timeline({ before: first[1].id })).toEqual(all.slice(2));
    expect((await fake.timeline({ unread: true })).every((i) => i.unread)).toBe(true);
    await expect(fake.timeline({ before: 999 })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('searches words in titles, snippets and senders', async () => {
    const fake = createFakeBackend();
    const found = await fake.search({ text: 'quarterly' });
    expect(found.map((i) => i.title)).toEqual(['Quarterly report draft']);
    expect(await fake.search({ text: '  ' })).toEqual([]);
  });

  it('shows details and single items; unknown ids are not_found', async () => {
    const fake = createFakeBackend();
    const [first] = await fake.timeline({});
    const detail = await fake.show(first.id);
    expect(detail.title).toBe(first.title);
    expect(detail.attachments.length).toBeGreaterThan(0);
    expect(await fake.item(first.id)).toEqual(first);
    expect(Object.keys(await fake.item(first.id))).not.toContain('body_text');
    await expect(fake.show(999)).rejects.toEqual({ code: 'not_found', message: 'There is no item 999.' });
  });

  it("a task made from mail has the activity of its conversation; a reply there adds to it and moves the task to In progress", async () => {
    const fake = createFakeBackend();
    const [task] = await fake.search({ text: 'hosting' }).then((found) => found.filter((i) => i.kind === 'task'));
    const seeded = await fake.show(task.id);
    expect(seeded.todo).toMatchObject({ status: 'in-process', done: false, mail: expect.any(Number) });
    expect(seeded.activity.map((a) => [a.sender, a.moved_to])).toEqual([
      ['Ravi Kumar', 'in-process'],
      ['Nurul Huda', ''],
    ]);
    const [first, second] = seeded.activity;
    expect(Date.parse(first.time)).toBeLessThan(Date.parse(second.time));
    expect((await fake.show(second.item)).snippet).toBe(second.snippet);
    // Other items have none.
    const mail = await fake.show(seeded.todo!.mail!);
    expect(mail.activity).toEqual([]);
    expect(mail.task).toBe(task.id);

    // A mail made a task; a reply in its conversation follows it.
    const [invoice] = await fake.search({ text: 'invoice' });
    const made = await fake.taskFromMail(invoice.id);
    const changes: string[] = [];
    fake.onChange((c) => changes.push(`${c.change}:${c.kind}`));
    const reply = fake.receive('Re: Your invoice is ready', ['Billing', 'billing@example.net']);
    expect(changes).toEqual(['added:mail', 'updated:task']);
    const followed = await fake.show(made.id);
    expect(followed.todo?.status).toBe('in-process');
    expect(followed.activity).toEqual([expect.objectContaining({ item: reply.id, sender: 'Billing', moved_to: 'in-process' })]);
    // Already in progress: the next reply adds to the activity only; with the setting off, no move.
    fake.receive('Re: Your invoice is ready', ['Billing', 'billing@example.net']);
    expect((await fake.show(made.id)).activity.map((a) => a.moved_to)).toEqual(['in-process', '']);
    await fake.setSetting('tasks.progress_from_replies', false);
    const other = await fake.taskFromMail((await fake.search({ text: 'quarterly' }))[0].id);
    fake.receive('Re: Quarterly report draft', ['Nurul Huda', 'nurul@example.com']);
    expect((await fake.show(other.id)).todo?.status).toBe('needs-action');
    expect((await fake.show(other.id)).activity.map((a) => a.moved_to)).toEqual(['']);
  });

  it('a task has priority, percent and related_to; the seeded one is high priority and 40 % done', async () => {
    const fake = createFakeBackend();
    const [renew] = await fake.search({ text: 'renew domain' });
    expect(renew.todo).toMatchObject({ priority: 1, percent: 40, related_to: null });
    const [invoice] = await fake.search({ text: 'invoice' });
    const made = await fake.taskFromMail(invoice.id);
    expect(made.todo).toMatchObject({ priority: null, percent: 0, related_to: null });
    expect((await fake.show(invoice.id)).quarantined).toBeNull();
    // Completing sets 100 %, as the core writes the VTODO; reopening drops it.
    expect((await fake.taskDone(renew.id, true)).todo?.percent).toBe(100);
    expect((await fake.taskDone(renew.id, false)).todo?.percent).toBe(0);
  });

  it('renames a task (trimmed; empty is invalid at the field title) with an updated event', async () => {
    const fake = createFakeBackend();
    const [renew] = await fake.search({ text: 'renew domain' });
    const events: string[] = [];
    fake.onChange((e) => events.push(`${e.change}:${e.id}:${e.title}`));
    const renamed = await fake.setTaskTitle(renew.id, '  Renew satu.example  ');
    expect(renamed.title).toBe('Renew satu.example');
    expect((await fake.item(renew.id)).title).toBe('Renew satu.example');
    // The same title again: nothing changes, no event.
    await fake.setTaskTitle(renew.id, 'Renew satu.example');
    expect(events).toEqual([`updated:${renew.id}:Renew satu.example`]);
    await expect(fake.setTaskTitle(renew.id, '   ')).rejects.toMatchObject({ code: 'invalid_input', field: 'title' });
    const [mail] = await fake.search({ text: 'quarterly' });
    await expect(fake.setTaskTitle(mail.id, 'Not a task')).rejects.toMatchObject({ code: 'not_found' });
  });

  it("deletes a task: removed event, its mail no longer links to it", async () => {
    const fake = createFakeBackend();
    const [task] = await fake.search({ text: 'hosting' }).then((found) => found.filter((i) => i.kind === 'task'));
    const mail = task.todo!.mail!;
    expect((await fake.item(mail)).task).toBe(task.id);
    const events: string[] = [];
    fake.onChange((e) => events.push(`${e.change}:${e.kind}:${e.id}`));
    await fake.deleteTask(task.id);
    expect(events).toEqual([`removed:task:${task.id}`]);
    await expect(fake.item(task.id)).rejects.toMatchObject({ code: 'not_found' });
    expect((await fake.item(mail)).task).toBeNull();
    await expect(fake.deleteTask(task.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(fake.deleteTask(mail)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('opens the sample: ~25 items, Welcome to Satu newest, with change events', async () => {
    const fake = createFakeBackend({ seed: false });
    const events: ChangeEvent[] = [];
    fake.onChange((e) => events.push(e));
    const report = await fake.openSample();
    expect(report.imported).toBeGreaterThanOrEqual(25);
    expect((await fake.accounts()).map((a) => a.kind)).toEqual(['local']);
    const items = await fake.timeline({});
    expect(items[0].title).toBe('Welcome to Satu');
    await new Promise((r) => setTimeout(r, 0));
    expect(events).toHaveLength(report.imported);
    expect(events.every((e) => e.change === 'added')).toBe(true);
    // Idempotent, like the core: a second import only finds duplicates.
    expect(await fake.openSample()).toMatchObject({ imported: 0, duplicates: report.imported });
  });

  it('validates new accounts like the core, naming the field', async () => {
    const fake = createFakeBackend({ seed: false });
    await expect(fake.addAccount({ ...good, email: 'nope' })).rejects.toMatchObject({ code: 'invalid_input', field: 'email' });
    await expect(fake.addAccount({ ...good, imap: 'imap.example.com' })).rejects.toMatchObject({ field: 'imap' });
    await expect(fake.addAccount({ ...good, smtp: 'smtp:99999' })).rejects.toMatchObject({ field: 'smtp' });
    await expect(fake.addAccount({ ...good, password: '' })).rejects.toMatchObject({ field: 'password' });
    await expect(fake.addAccount({ ...good, security: 'plain' })).rejects.toMatchObject({ field: 'security' });
    await expect(fake.addAccount({ ...good, password: 'wrong' })).rejects.toMatchObject({ code: 'auth_failed', field: 'password' });
    const id = await fake.addAccount({ ...good, name: 'Me' });
    expect(await fake.accounts()).toEqual([
      expect.objectContaining({ id, name: 'Me', email: 'me@example.com', kind: 'imap', username: 'me@example.com' }),
    ]);
  });

  it('emits updated and removed; unsubscribing stops events', async () => {
    const fake = createFakeBackend();
    const [first] = await fake.timeline({});
    const events: string[] = [];
    const stop = fake.onChange((e) => events.push(`${e.change}:${e.id}`));
    fake.update(first.id, { unread: false });
    expect((await fake.item(first.id)).unread).toBe(false);
    fake.remove(first.id);
    stop();
    fake.update((await fake.timeline({}))[0].id, { flagged: true });
    expect(events).toEqual([`updated:${first.id}`, `removed:${first.id}`]);
  });

  it('marks read and flagged: reports, updated events, no event when nothing changes', async () => {
    const fake = createFakeBackend();
    const [first] = await fake.timeline({});
    const events: string[] = [];
    fake.onChange((e) => events.push(`${e.change}:${e.id}`));
    expect(first.unread).toBe(true);
    expect(await fake.mark(first.id, { unread: false })).toEqual({
      id: first.id,
      changed: true,
      folder: null,
      deleted: false,
      pushed: true,
      pending: 0,
    });
    expect(await fake.item(first.id)).toMatchObject({ unread: false, flagged: true });
    expect(await fake.mark(first.id, { unread: false, flagged: true })).toMatchObject({ changed: false, pushed: true });
    expect(events).toEqual([`updated:${first.id}`]);
    await expect(fake.mark(first.id, {})).rejects.toMatchObject({ code: 'invalid_input', field: 'mark' });
    await expect(fake.mark(999, { unread: true })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('archives, moves and deletes mail of a server account (Trash first, then for good)', async () => {
    const fake = createFakeBackend();
    const mail = (await fake.timeline({})).filter((i) => i.kind === 'mail');
    const events: string[] = [];
    fake.onChange((e) => events.push(`${e.change}:${e.id}`));

    expect(await fake.archive(mail[0].id)).toMatchObject({ folder: 'Archive', deleted: false, pushed: true, pending: 0 });
    expect((await fake.item(mail[0].id)).folders).toEqual(['Archive']);
    expect(await fake.moveItem(mail[0].id, 'inbox')).toMatchObject({ folder: 'INBOX' });
    await expect(fake.moveItem(mail[0].id, 'Nope')).rejects.toMatchObject({ code: 'not_found', field: 'folder' });

    expect(await fake.delete(mail[1].id)).toMatchObject({ folder: 'Trash', deleted: false });
    expect(await fake.delete(mail[1].id)).toMatchObject({ folder: null, deleted: true, pushed: true });
    await expect(fake.item(mail[1].id)).rejects.toMatchObject({ code: 'not_found' });
    expect(events).toEqual([
      `updated:${mail[0].id}`,
      `updated:${mail[0].id}`,
      `updated:${mail[1].id}`,
      `removed:${mail[1].id}`,
    ]);

    const chat = (await fake.timeline({ kind: 'chat' }))[0];
    await expect(fake.archive(chat.id)).rejects.toMatchObject({ code: 'invalid_input', field: 'id' });
  });

  it('local accounts: no archive folder, delete is for good, nothing is queued', async () => {
    const fake = createFakeBackend({ seed: false, offline: true });
    await fake.openSample();
    const [welcome] = await fake.timeline({});
    await expect(fake.archive(welcome.id)).rejects.toMatchObject({
      code: 'not_found',
      field: 'folder',
      message: expect.stringContaining('no archive folder (its folders: Sample)'),
    });
    expect(await fake.mark(welcome.id, { unread: false })).toMatchObject({ changed: true, pushed: true, pending: 0 });
    expect(await fake.delete(welcome.id)).toMatchObject({ deleted: true, pushed: true, pending: 0 });
    expect(await fake.ops()).toEqual([]);
  });

  it('offline: applied here and queued; wedged after 8 attempts; retried and pushed once back', async () => {
    const fake = createFakeBackend({ offline: true });
    const [first, , third] = await fake.timeline({});
    expect(await fake.mark(first.id, { unread: false })).toMatchObject({ changed: true, pushed: false, pending: 1 });
    expect((await fake.item(first.id)).unread).toBe(false);
    expect(await fake.archive(third.id)).toMatchObject({ folder: 'Archive', pushed: false, pending: 2 });

    let ops = await fake.ops();
    expect(ops).toMatchObject([
      { account: 1, item: first.id, kind: 'set_flags', state: 'pending' },
      { account: 1, item: third.id, kind: 'move', state: 'pending' },
    ]);
    expect(ops[0].attempts).toBeGreaterThan(0);
    expect(ops[0].last_error).toContain('imap.example.com:993');
    expect(Date.parse(ops[0].next_attempt)).not.toBeNaN();

    for (let i = 0; i < WEDGED_AFTER; i++) ops = await fake.ops();
    expect(ops.map((op) => op.state)).toEqual(['wedged', 'wedged']);
    expect(ops[0].attempts).toBe(WEDGED_AFTER);

    fake.setOffline(false);
    // Wedged ops wait for a retry, even with the server back.
    expect(await fake.ops()).toHaveLength(2);
    await fake.retryOp(ops[0].id);
    expect(await fake.ops()).toMatchObject([{ id: ops[1].id, state: 'wedged' }]);
    await expect(fake.retryOp(12345)).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('fake live sync', () => {
  afterEach(() => vi.useRealTimers());

  const last = (seen: LiveStatus[]) => seen[seen.length - 1];

  const summary = (s: LiveStatus) =>
    [s.state, s.mode, s.progress ? `${s.progress.folder} ${s.progress.done}/${s.progress.total}` : '']
      .filter(Boolean)
      .join(' ');

  it('connects, syncs with progress, then stays connected by push', async () => {
    vi.useFakeTimers();
    const fake = createFakeBackend({ live: true });
    const seen: LiveStatus[] = [];
    const stop = fake.onStatus((status) => seen.push(status));
    expect(seen.map(summary)).toEqual(['connecting']);
    await vi.advanceTimersByTimeAsync(LIVE_CONNECT_MS + 30 * LIVE_STEP_MS);
    const states = seen.map(summary);
    expect(states.slice(0, 4)).toEqual(['connecting', 'syncing', 'syncing INBOX 0/10000', 'syncing INBOX 1000/10000']);
    expect(states).toContain('syncing Archive 1200/1200');
    expect(states[states.length - 1]).toBe('connected idle');
    expect(seen.every((s) => s.account === 1 && s.error === null && s.retry_at === null)).toBe(true);
    expect(seen.filter((s) => s.progress).every((s) => s.progress?.account === 1)).toBe(true);
    stop();
  });

  it('offline: an error and a retry time, then connecting again; back online at a retry', async () => {
    vi.useFakeTimers({ now: Date.parse('2026-06-10T14:00:00Z') });
    const fake = createFakeBackend({ live: true, offline: true });
    const seen: LiveStatus[] = [];
    const stop = fake.onStatus((status) => seen.push(status));
    await vi.advanceTimersByTimeAsync(LIVE_CONNECT_MS);
    expect(last(seen)).toEqual({
      account: 1,
      state: 'offline',
      mode: '',
      error: 'Cannot reach imap.example.com:993: the network is unreachable.',
      error_code: 'unreachable',
      retry_at: '2026-06-10T14:00:20Z',
      progress: null,
    });
    await vi.advanceTimersByTimeAsync(LIVE_RETRY_MS);
    expect(last(seen).state).toBe('connecting');
    await vi.advanceTimersByTimeAsync(LIVE_CONNECT_MS);
    expect(last(seen).state).toBe('offline');

    fake.setOffline(false);
    await vi.advanceTimersByTimeAsync(LIVE_RETRY_MS + LIVE_CONNECT_MS + 30 * LIVE_STEP_MS);
    expect(last(seen).state).toBe('connected');
    // Losing the network while connected: offline at once.
    fake.setOffline(true);
    expect(last(seen).state).toBe('offline');
    stop();
    const count = seen.length;
    await vi.advanceTimersByTimeAsync(LIVE_RETRY_MS * 3);
    expect(seen.length).toBe(count);
  });

  it('an added account polls; local accounts get no status; without live only emitStatus', async () => {
    vi.useFakeTimers();
    const live = createFakeBackend({ live: true, seed: false });
    const seen: LiveStatus[] = [];
    const stop = live.onStatus((status) => seen.push(status));
    // Both wait a (fake) moment.
    const sample = live.openSample();
    await vi.advanceTimersByTimeAsync(1);
    await sample;
    const added = live.addAccount(good);
    await vi.advanceTimersByTimeAsync(1);
    const id = await added;
    await vi.advanceTimersByTimeAsync(LIVE_CONNECT_MS + 30 * LIVE_STEP_MS);
    expect(new Set(seen.map((s) => s.account))).toEqual(new Set([id]));
    expect(last(seen)).toMatchObject({ account: id, state: 'connected', mode: 'poll' });
    stop();

    const quiet = createFakeBackend();
    const heard: LiveStatus[] = [];
    quiet.onStatus((status) => heard.push(status));
    await vi.advanceTimersByTimeAsync(LIVE_RETRY_MS);
    expect(heard).toEqual([]);
    const status: LiveStatus = { account: 1, state: 'stopped', mode: '', error: null, error_code: null, retry_at: null, progress: null };
    quiet.emitStatus(status);
    expect(heard).toEqual([status]);
  });
});

describe('fake backend: calendars', () => {
  // A Wednesday noon (UTC); times below are compared as instants, whatever the local zone.
  const now = Date.parse('2027-01-06T12:00:00Z');
  const week = { from: '2027-01-01T00:00:00Z', to: '2027-01-15T00:00:00Z' };

  it('adds a CalDAV account with its calendars, errors at their field', async () => {
    const fake = createFakeBackend({ seed: false });
    const input = { url: 'https://dav.example.com/', username: 'me', password: 'secret' };
    await expect(fake.addCaldavAccount({ ...input, url: 'dav' })).rejects.toMatchObject({ field: 'url' });
    await expect(fake.addCaldavAccount({ ...input, url: 'http://dav.example.com/' })).rejects.toMatchObject({ field: 'url' });
    await expect(fake.addCaldavAccount({ ...input, password: '' })).rejects.toMatchObject({ field: 'password' });
    await expect(fake.addCaldavAccount({ ...input, password: 'wrong' })).rejects.toMatchObject({ code: 'auth_failed', field: 'password' });
    await expect(fake.addCaldavAccount({ ...input, ca_file: '/tmp/cert.txt' })).rejects.toMatchObject({ field: 'ca_file' });
    await expect(fake.addCaldavAccount({ ...input, url: 'https://dav.invalid/' })).rejects.toMatchObject({ code: 'unreachable', field: 'url' });
    const id = await fake.addCaldavAccount({ ...input, url: 'http://127.0.0.1:5232/' });
    expect(await fake.accounts()).toEqual([expect.objectContaining({ id, kind: 'caldav', name: 'me@127.0.0.1', email: '' })]);
    const calendars = await fake.calendars();
    expect(calendars.map((c) => [c.name, c.components, c.tasks_go_here])).toEqual([
      ['Personal', ['VEVENT'], false],
      ['Tasks', ['VTODO'], true],
    ]);
  });

  it('chooses the one task list over every account, only among task lists', async () => {
    const fake = createFakeBackend({ now, calendar: true });
    // A second CalDAV account: its task list does not take the tasks, one list does already.
    const second = await fake.addCaldavAccount({ url: 'https://dav.example.org/', username: 'me', password: 'secret' });
    const calendars = await fake.calendars();
    expect(calendars.filter((c) => c.tasks_go_here).map((c) => [c.account === second, c.name])).toEqual([[false, 'Tasks']]);
    const personal = calendars.find((c) => c.name === 'Personal')!;
    const work = calendars.find((c) => c.name === 'Work')!;
    const after = await fake.setTaskCalendar(personal.id);
    expect(after.filter((c) => c.tasks_go_here).map((c) => c.name)).toEqual(['Personal']);
    const other = after.find((c) => c.account === second && c.name === 'Tasks')!;
    const moved = await fake.setTaskCalendar(other.id);
    expect(moved.filter((c) => c.tasks_go_here).map((c) => c.id)).toEqual([other.id]);
    await expect(fake.setTaskCalendar(work.id)).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(fake.setTaskCalendar(999)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('lists the occurrences in a range, recurring ones expanded, sorted by start', async () => {
    const fake = createFakeBackend({ now, calendar: true });
    const list = await fake.calendarEvents(week.from, week.to);
    const starts = list.map((o) => (o.all_day ? new Date(`${o.start}T00:00`).getTime() : Date.parse(o.start)));
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);
    const meetings = list.filter((o) => o.title === 'Team meeting');
    expect(meetings.length).toBeGreaterThanOrEqual(2);
    expect(new Set(meetings.map((o) => o.id)).size).toBe(1);
    expect(meetings.every((o) => o.recurring && o.recurrence_id === o.start)).toBe(true);
    expect(Date.parse(meetings[1].start) - Date.parse(meetings[0].start)).toBe(7 * 86_400_000);
    expect(list.find((o) => o.title === 'Conference')).toMatchObject({ all_day: true, location: 'KLCC' });
    expect(list.find((o) => o.title === 'Budget call')?.pending).toBe(true);
    expect(list.find((o) => o.title === 'Yoga')?.sync_error).toContain('the server has');
    // Events are items of kind `event` with their start and place.
    const [item] = await fake.timeline({ kind: 'event', limit: 1 });
    expect(item.event).toMatchObject({ start: expect.any(String), location: expect.any(String) });
    await expect(fake.calendarEvents('soon', week.to)).rejects.toMatchObject({ field: 'from' });
  });

  it('adds, edits and deletes events with change events; checks them like the core', async () => {
    const fake = createFakeBackend({ now, calendar: true });
    const events: string[] = [];
    fake.onChange((e) => events.push(`${e.change}:${e.kind}`));
    const input = { title: 'Review', start: '2027-01-07T09:00:00Z', end: '2027-01-07T10:00:00Z', all_day: false, time_zone: 'UTC' };
    await expect(fake.addEvent({ ...input, end: '2027-01-07T08:00:00Z' })).rejects.toMatchObject({ field: 'end' });
    await expect(fake.addEvent({ ...input, time_zone: 'Mars/Olympus' })).rejects.toMatchObject({ field: 'time_zone' });
    await expect(fake.addEvent({ ...input, rrule: 'EVERY DAY' })).rejects.toMatchObject({ field: 'rrule' });
    await expect(fake.addEvent({ ...input, all_day: true })).rejects.toMatchObject({ field: 'start' });
    const added = await fake.addEvent({ ...input, rrule: 'FREQ=DAILY;COUNT=3' });
    expect(added).toMatchObject({ title: 'Review', pending: true, recurring: true, rrule: 'FREQ=DAILY;COUNT=3' });
    expect((await fake.calendars()).find((c) => c.id === added.calendar)?.name).toBe('Personal');
    expect((await fake.calendarEvents(week.from, week.to)).filter((o) => o.id === added.id)).toHaveLength(3);
    const edited = await fake.editEvent(added.id, { ...input, title: 'Review 2', all_day: true, start: '2027-01-08', end: '2027-01-09' });
    expect(edited).toMatchObject({ title: 'Review 2', all_day: true, start: '2027-01-08', rrule: '', time_zone: '' });
    expect((await fake.item(added.id)).event).toMatchObject({ all_day: true, start: '2027-01-08', recurring: false });
    await fake.deleteEvent(added.id);
    await expect(fake.event(added.id)).rejects.toMatchObject({ code: 'not_found' });
    expect(events).toEqual(['added:event', 'updated:event', 'removed:event']);
  });

  it('resolves a conflict either way', async () => {
    const fake = createFakeBackend({ now, calendar: true });
    const yoga = (await fake.calendarEvents(week.from, week.to)).find((o) => o.title === 'Yoga')!;
    const kept = await fake.resolveEvent(yoga.id, false);
    expect(kept).toMatchObject({ sync_error: '', location: 'Park', pending: false });
    fake.conflict(yoga.id, 'Changed on both sides', { title: 'Server yoga' });
    expect(await fake.resolveEvent(yoga.id, true)).toMatchObject({ sync_error: '', title: 'Yoga', pending: true });
  });

  it('answers an invitation: resolves with it; the event goes into a calendar with the answer, or leaves it when declined', async () => {
    const fake = createFakeBackend({ now, calendar: true });
    const [mail] = await fake.search({ text: 'kick-off' });
    const shown = await fake.show(mail.id);
    expect(shown.invitation).toMatchObject({ method: 'REQUEST', answer: null, event: null });
    const answered = await fake.answerInvitation(mail.id, 'tentative');
    expect(answered).toMatchObject({ uid: shown.invitation!.uid, title: 'Project kick-off', answer: 'tentative', event: expect.any(Number) });
    const id = answered.event!;
    const event = await fake.event(id);
    expect(event.calendar).toBe((await fake.calendars()).find((c) => c.components.includes('VEVENT'))!.id);
    expect(event.attendees.find((a) => a.email === 'aisha@example.com')?.partstat).toBe('tentative');
    expect((await fake.show(mail.id)).invitation).toEqual(answered);
    expect(await fake.answerInvitation(mail.id, 'accepted')).toMatchObject({ answer: 'accepted', event: id });
    expect((await fake.event(id)).attendees.filter((a) => a.email === 'aisha@example.com')).toEqual([
      expect.objectContaining({ partstat: 'accepted' }),
    ]);

    // Declining takes the event out of the calendar; the answer stays.
    const changes: string[] = [];
    fake.onChange((c) => changes.push(`${c.change}:${c.kind}:${c.id}`));
    const declined = await fake.answerInvitation(mail.id, 'declined');
    expect(declined).toMatchObject({ answer: 'declined', event: null });
    expect(changes).toEqual([`removed:event:${id}`, `updated:mail:${mail.id}`]);
    await expect(fake.event(id)).rejects.toMatchObject({ code: 'not_found' });
    expect((await fake.calendarEvents(week.from, '2030-01-01T00:00:00Z')).some((o) => o.id === id)).toBe(false);
    expect((await fake.show(mail.id)).invitation).toMatchObject({ answer: 'declined', event: null });
    // Accepting after all puts a new one in.
    const again = await fake.answerInvitation(mail.id, 'accepted');
    expect(again.event).not.toBeNull();
    expect(again.event).not.toBe(id);

    const other = (await fake.timeline({ kind: 'mail' })).find((i) => i.id !== mail.id)!;
    await expect(fake.answerInvitation(other.id, 'accepted')).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('an invitation accepted with no CalDAV account: an event on no calendar, not pending', async () => {
    const fake = createFakeBackend({ now, invitation: true });
    expect(await fake.calendars()).toEqual([]);
    const [mail] = await fake.search({ text: 'kick-off' });
    const answered = await fake.answerInvitation(mail.id, 'accepted');
    const event = await fake.event(answered.event!);
    expect(event).toMatchObject({ calendar: null, pending: false, title: 'Project kick-off' });
    expect((await fake.calendarEvents(week.from, '2030-01-01T00:00:00Z')).find((o) => o.id === event.id)?.calendar).toBeNull();
    // An edit without a calendar keeps it on none.
    const edited = await fake.editEvent(event.id, { title: 'Kick-off', start: event.start, end: event.end, all_day: false });
    expect(edited).toMatchObject({ calendar: null, title: 'Kick-off', pending: false });
    expect(await fake.answerInvitation(mail.id, 'declined')).toMatchObject({ answer: 'declined', event: null });
    await expect(fake.event(event.id)).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('fake backend: chat (Matrix)', () => {
  const chat = () => createFakeBackend({ chat: true });

  it('seeds a Matrix account with rooms, most recently active first; its messages share the room key', async () => {
    const fake = chat();
    const account = (await fake.accounts()).find((a) => a.kind === 'matrix')!;
    expect(account).toMatchObject({ username: '@aisha:example.org', url: 'https://matrix.example.org/', email: '' });
    const rooms = await fake.chatRooms();
    expect(rooms.map((r) => [r.name, r.membership, r.unread, r.muted, r.more_history])).toEqual([
      ['Harbour Museum team', 'join', 1, false, true],
      ['Wei Ling', 'join', 1, false, false],
      ['Security team', 'join', 0, true, false],
      ['Book club', 'invite', 0, false, false],
    ]);
    expect(await fake.chatRooms(account.id)).toEqual(rooms);
    await expect(fake.chatRooms(99)).rejects.toMatchObject({ code: 'not_found' });
    const team = rooms[0];
    const thread = await fake.timeline({ thread: team.thread! });
    expect(thread).toHaveLength(team.messages);
    expect(thread.every((i) => i.kind === 'chat' && i.chat?.room === team.id && i.title === team.name)).toBe(true);
    expect(rooms[3].thread).toBeNull();
    // The demo's chat item lives in the Matrix account now.
    expect((await fake.timeline({ kind: 'chat' })).every((i) => i.account === account.id)).toBe(true);
  });

  it('sends (errors at text, room, reply_to), with the reply quoted in show()', async () => {
    const fake = chat();
    const events: string[] = [];
    fake.onChange((e) => events.push(`${e.change}:${e.kind}`));
    await expect(fake.chatSend('1', '  ', null)).rejects.toMatchObject({ code: 'invalid_input', field: 'text' });
    await expect(fake.chatSend('42', 'Hi', null)).rejects.toMatchObject({ code: 'not_found', field: 'room' });
    await expect(fake.chatSend('4', 'Hi', null)).rejects.toMatchObject({ code: 'invalid_input', field: 'room' });
    const [mail] = await fake.timeline({ kind: 'mail', limit: 1 });
    await expect(fake.chatSend('1', 'Hi', mail.id)).rejects.toMatchObject({ field: 'reply_to' });
    const [other] = await fake.timeline({ thread: (await fake.chatRooms()).find((r) => r.id === 2)!.thread!, limit: 1 });
    await expect(fake.chatSend('1', 'Hi', other.id)).rejects.toMatchObject({ field: 'reply_to', message: expect.stringContaining('another room') });
    expect(events).toEqual([]);

    const [lunch] = await fake.search({ text: 'nasi lemak' });
    const sent = await fake.chatSend('Wei Ling', 'See you!', lunch.id);
    expect(sent).toMatchObject({ kind: 'chat', title: 'Wei Ling', unread: false, sender: { address: '@aisha:example.org' }, chat: { state: 'sent', room: 1 } });
    expect(events).toEqual(['added:chat']);
    expect((await fake.show(sent.id)).reply_to).toEqual({ item: lunch.id, sender: 'Wei Ling', snippet: lunch.snippet });
    const messages = await fake.thread(sent.id);
    expect(messages[messages.length - 1].id).toBe(sent.id);
  });

  it('offline a message stays queued and goes out once back; retry is for failed ones', async () => {
    const fake = createFakeBackend({ chat: true, offline: true });
    const queued = await fake.chatSend('1', 'Later', null);
    expect(queued.chat).toMatchObject({ state: 'queued', event_id: null });
    await expect(fake.chatRetry(queued.id)).rejects.toMatchObject({ code: 'invalid_input', field: 'id' });
    fake.setOffline(false);
    expect((await fake.item(queued.id)).chat).toMatchObject({ state: 'sent', event_id: expect.any(String) });

    const [failed] = (await fake.timeline({ kind: 'chat' })).filter((i) => i.chat?.state === 'failed');
    expect(failed.chat?.error).toContain('M_LIMIT_EXCEEDED');
    expect(await fake.chatRetry(failed.id)).toMatchObject({ chat: { state: 'sent', error: null } });
  });

  it('reading a message reads its room up to it', async () => {
    const fake = chat();
    const thread = (await fake.chatRooms()).find((r) => r.id === 1)!.thread!;
    const messages = await fake.timeline({ thread });
    const first = messages[messages.length - 1];
    await fake.mark(first.id, { unread: true });
    expect((await fake.chatRooms()).find((r) => r.id === 1)!.unread).toBe(2);
    const [lunch] = await fake.search({ text: 'nasi lemak' });
    await fake.mark(lunch.id, { unread: false });
    expect((await fake.chatRooms()).find((r) => r.id === 1)!.unread).toBe(0);
  });

  it('loads older history, joins an invitation, mutes; a chat message becomes a task', async () => {
    const fake = chat();
    expect(await fake.chatHistory('2', 1)).toEqual({ room: 2, stored: 2, complete: true });
    expect((await fake.chatRooms()).find((r) => r.id === 2)).toMatchObject({ messages: 7, more_history: false });
    expect(await fake.chatHistory('2', 1)).toEqual({ room: 2, stored: 0, complete: true });
    expect(await fake.chatJoin('Book club')).toMatchObject({ membership: 'join', messages: 1, thread: expect.any(Number) });
    expect(await fake.setRoomMuted('1', true)).toMatchObject({ id: 1, muted: true });
    const [lunch] = await fake.search({ text: 'nasi lemak' });
    const task = await fake.taskFromMail(lunch.id);
    expect(task).toMatchObject({ kind: 'task', title: 'Nasi lemak at the usual place at 12:30?', todo: { mail: lunch.id } });
    expect(task.todo?.mail_link).toMatch(/^matrix:roomid\//);
    expect((await fake.item(lunch.id)).task).toBe(task.id);
    expect((await fake.taskFromMail(lunch.id)).id).toBe(task.id);
  });

  it('adds a Matrix account: what the core checks first, then the login', async () => {
    const fake = createFakeBackend({ seed: false });
    const base = { homeserver: 'https://matrix.example.org', user: 'alice', password: 'secret' };
    await expect(fake.addMatrixAccount({ ...base, homeserver: ' ' })).rejects.toMatchObject({ field: 'homeserver' });
    await expect(fake.addMatrixAccount({ ...base, homeserver: 'http://matrix.example.org' })).rejects.toMatchObject({ field: 'homeserver' });
    await expect(fake.addMatrixAccount({ ...base, password: null })).rejects.toMatchObject({ field: 'password' });
    await expect(fake.addMatrixAccount({ ...base, user: '' })).rejects.toMatchObject({ field: 'user' });
    await expect(fake.addMatrixAccount({ ...base, ca_file: '/tmp/ca.txt' })).rejects.toMatchObject({ field: 'ca_file' });
    await expect(fake.addMatrixAccount({ ...base, homeserver: 'https://nowhere.invalid' })).rejects.toMatchObject({ code: 'unreachable', field: 'homeserver' });
    await expect(fake.addMatrixAccount({ ...base, password: 'wrong' })).rejects.toMatchObject({ code: 'auth_failed', field: 'password' });
    const id = await fake.addMatrixAccount({ homeserver: 'http://127.0.0.1:8008', user: '', access_token: 'syt_token' });
    expect((await fake.accounts()).find((a) => a.id === id)).toMatchObject({ kind: 'matrix', username: '@me:127.0.0.1' });
    expect(await fake.chatRooms(id)).toHaveLength(1);
  });

  it('plays the live sync of a Matrix account: connected by long poll', async () => {
    const fake = createFakeBackend({ seed: false, live: true });
    const id = await fake.addMatrixAccount({ homeserver: 'https://matrix.example.org', user: 'alice', password: 'secret' });
    vi.useFakeTimers();
    try {
      const seen: LiveStatus[] = [];
      fake.onStatus((s) => seen.push(s));
      await vi.advanceTimersByTimeAsync(LIVE_CONNECT_MS);
      expect(seen.map((s) => [s.account, s.state, s.mode])).toEqual([
        [id, 'connecting', ''],
        [id, 'connected', 'longpoll'],
      ]);
    } finally {
      vi.useRealTimers();
    }
  });
});

