// CalDAV in the real window: the project's Radicale on 127.0.0.1 (tests/servers/radicale.sh) added
// through the CalDAV form in Settings; an event another client put on the server shows in the
// Calendar (g c); with the server down, `t` makes a task of a mail; once the server is back the app
// pushes it by itself, and the server has the VTODO with the link to the mail (URL:mid:, RFC 2392).
// Runs after the other tests in the same data directory (tests/e2e/run.sh).

import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Session, waitFor } from './webdriver.mjs';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const RADICALE = path.join(ROOT, 'tests/servers/radicale.sh');
const ITEM = '[data-testid="timeline-item"]';

function startRadicale() {
  const dir = mkdtempSync(path.join(tmpdir(), 'satu-e2e-radicale-'));
  const parse = (line) => Object.fromEntries(line.trim().split(/\s+/).map((pair) => pair.split('=')));
  const vars = parse(execFileSync('bash', [RADICALE, 'start', dir], { encoding: 'utf8' }));
  const stop = () => execFileSync('bash', [RADICALE, 'stop', dir]);
  const startAgain = () =>
    execFileSync('bash', [RADICALE, 'start', dir], {
      encoding: 'utf8',
      env: { ...process.env, RADICALE_PORT: vars.RADICALE_PORT, RADICALE_TLS_PORT: vars.RADICALE_TLS_PORT },
    });
  const curl = (...args) => execFileSync('curl', ['-s', '-u', 'alice:alice-pass', ...args], { encoding: 'utf8' });
  const base = vars.RADICALE_URL.replace(/\/$/, '');
  /** Every object of a collection, as text. */
  const objects = (collection) => {
    const listing = curl('-X', 'PROPFIND', '-H', 'Depth: 1', `${base}${collection}`);
    return [...listing.matchAll(/<href>([^<]+\.ics)<\/href>/g)].map((m) => curl(`${base}${m[1]}`));
  };
  return { dir, vars, stop, startAgain, curl, base, objects };
}

/** iCalendar UTC time. */
function ical(date) {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

test('a CalDAV account in the window: its events in the Calendar, a task made offline reaches the server', { timeout: 180_000 }, async (t) => {
  const radicale = startRadicale();
  t.after(() => radicale.stop());
  // Another client's event, an hour from now (today's column of the week view).
  const start = new Date(Date.now() + 3600_000);
  start.setUTCMinutes(0, 0, 0);
  const end = new Date(start.getTime() + 30 * 60_000);
  const eventFile = path.join(radicale.dir, 'standup.ics');
  writeFileSync(
    eventFile,
    [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//e2e//EN',
      'BEGIN:VEVENT',
      'UID:e2e-standup@example.com',
      `DTSTAMP:${ical(new Date())}`,
      `DTSTART:${ical(start)}`,
      `DTEND:${ical(end)}`,
      'SUMMARY:Harbour stand-up',
      'LOCATION:Room 2',
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n'),
  );
  radicale.curl('-X', 'PUT', '-H', 'Content-Type: text/calendar', '--data-binary', `@${eventFile}`, `${radicale.base}/alice/calendar/standup.ics`);

  const session = await Session.start();
  t.after(() => session.end().catch(() => {}));
  try {
    // Settings → Add CalDAV account.
    await session.click(await session.waitForElement('[data-testid="open-settings"]', { timeout: 30_000 }));
    await session.clickFor('[data-testid="add-caldav"]', '[data-testid="caldav-form"]');
    await session.sendKeys(await session.find('[data-testid="caldav-url"]'), radicale.vars.RADICALE_URL);
    await session.sendKeys(await session.find('[data-testid="caldav-username"]'), 'alice');
    await session.sendKeys(await session.find('[data-testid="caldav-password"]'), 'alice-pass');
    await session.click(await session.find('[data-testid="caldav-submit"]'));
    await waitFor(async () => (await session.findAll('[data-testid="caldav-form"]')).length === 0, {
      timeout: 20_000,
      message: 'the CalDAV form to close once discovery worked',
    });
    // Its calendars are listed, the task list chosen for tasks from mail.
    if ((await session.findAll('[data-testid="settings"]')).length === 0) {
      await session.click(await session.waitForElement('[data-testid="open-settings"]', { timeout: 5_000 }));
    }
    const calendars = await session.waitForElement('[data-testid="settings-calendars"]', { timeout: 5_000 });
    await waitFor(async () => (await session.text(calendars)).includes('Tasks'), { timeout: 10_000, message: 'the task list in Settings' });
    await session.screenshot('calendar-settings.png');
    await session.keys('\uE00C'); // Escape closes Settings.
    await waitFor(async () => (await session.findAll('[data-testid="settings"]')).length === 0, {
      timeout: 5_000,
      message: 'Settings to close',
    });

    // The other client's event in the Calendar, synced by itself.
    await session.click(await session.find('[data-testid="view-calendar"]'));
    await waitFor(
      async () => {
        for (const e of await session.findAll('[data-testid="calendar-event"]')) {
          if ((await session.property(e, 'textContent')).includes('Harbour stand-up')) return true;
        }
        return false;
      },
      { timeout: 45_000, message: 'the server’s event in the week view' },
    );
    const shot = await session.screenshot('calendar-week.png');
    t.diagnostic(`screenshot: ${shot}`);

    // Back to the timeline; the server goes away; `t` makes a task of a mail.
    await session.keys('ga');
    radicale.stop();
    const row = await waitFor(
      async () => {
        for (const r of await session.findAll(ITEM)) {
          if ((await session.property(r, 'textContent')).includes('Redirects are live on staging')) return r;
        }
        return null;
      },
      { timeout: 10_000, message: 'the sample mail in the timeline' },
    );
    await session.click(row);
    await waitFor(async () => (await session.text(await session.find('[data-testid="reading-pane"]'))).includes('Redirects are live'), {
      timeout: 5_000,
      message: 'the mail to open',
    });
    await session.keys('t');
    await session.waitForElement('[data-testid="pane-open-task"]', { timeout: 5_000 });
    await session.screenshot('calendar-task-offline.png');

    // The server is back: the app pushes the task without being asked.
    radicale.startAgain();
    const todo = await waitFor(
      async () => {
        try {
          return radicale.objects('/alice/tasks/').find((text) => text.includes('SUMMARY:Redirects are live')) ?? null;
        } catch {
          return null;
        }
      },
      { timeout: 60_000, interval: 1_000, message: 'the task made offline on the server' },
    );
    assert.match(todo, /BEGIN:VTODO/);
    assert.match(todo, /URL:mid:/, 'the VTODO links to its mail');
    t.diagnostic('the task made while Radicale was down reached it once it was back');
  } catch (e) {
    await session.saveFailureArtifacts('calendar-failure');
    throw e;
  }
});
