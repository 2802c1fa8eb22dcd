// A real account in the real window: the project's Dovecot on 127.0.0.1 (tests/servers/dovecot.sh),
// added through the account form (a wrong password first: the error shows at the password field),
// its mail arriving, `t` making a task of one, and another client flagging a second one on the
// server, whose task then appears by itself; new mail is pushed into the open window.
// Runs after the other tests in the same data directory (tests/e2e/run.sh).

import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Session, waitFor } from './webdriver.mjs';

/** Whether `name` is a command on PATH. */
function hasCommand(name) {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const DOVECOT = path.join(ROOT, 'tests/servers/dovecot.sh');
const SMTP = path.join(ROOT, 'tests/servers/smtp.sh');
const ITEM = '[data-testid="timeline-item"]';

/** `minutesAgo` before now: newer than the sample mailbox, so at the top of the timeline. */
function message(id, subject, minutesAgo) {
  return [
    'From: Carol Tan <carol@example.com>',
    'To: alice@example.com',
    `Subject: ${subject}`,
    `Date: ${new Date(Date.now() - minutesAgo * 60_000).toUTCString()}`,
    `Message-ID: <${id}@example.com>`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    `The body of ${subject}.`,
    '',
  ].join('\r\n');
}

function startDovecot() {
  const dir = mkdtempSync(path.join(tmpdir(), 'satu-e2e-dovecot-'));
  const line = execFileSync('bash', [DOVECOT, 'start', dir], { encoding: 'utf8' }).trim();
  const vars = Object.fromEntries(line.split(/\s+/).map((pair) => pair.split('=')));
  const append = (subject, id, minutesAgo) => {
    const file = path.join(dir, `${id}.eml`);
    writeFileSync(file, message(id, subject, minutesAgo));
    execFileSync('bash', [DOVECOT, 'append', dir, 'alice', 'INBOX', file]);
  };
  const doveadm = (...args) => execFileSync('doveadm', ['-c', vars.DOVECOT_CONF, ...args], { encoding: 'utf8' });
  const stop = () => execFileSync('bash', [DOVECOT, 'stop', dir]);
  return { dir, vars, append, doveadm, stop };
}

/** The project's SMTP submission server, with Dovecot's certificate (one CA for the account). */
function startSmtp(dovecotDir) {
  const dir = mkdtempSync(path.join(tmpdir(), 'satu-e2e-smtp-'));
  for (const file of ['ca.pem', 'cert.pem', 'key.pem']) copyFileSync(path.join(dovecotDir, file), path.join(dir, file));
  const line = execFileSync('bash', [SMTP, 'start', dir], { encoding: 'utf8' }).trim();
  const vars = Object.fromEntries(line.split(/\s+/).map((pair) => pair.split('=')));
  const log = () =>
    readFileSync(vars.SMTP_LOG, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  const stop = () => execFileSync('bash', [SMTP, 'stop', dir]);
  return { dir, vars, log, stop };
}

test('an IMAP account added in the window: mail arrives, t makes a task, a flag elsewhere makes one', { timeout: 180_000 }, async (t) => {
  const dovecot = startDovecot();
  t.after(() => dovecot.stop());
  const smtp = startSmtp(dovecot.dir);
  t.after(() => smtp.stop());
  dovecot.append('Quarterly numbers', 'quarterly', 30);
  dovecot.append('Team lunch on Friday', 'lunch', 20);

  const session = await Session.start();
  t.after(() => session.end().catch(() => {}));
  const rowWith = (text) =>
    waitFor(
      async () => {
        for (const row of await session.findAll(ITEM)) {
          if ((await session.property(row, 'textContent')).includes(text)) return row;
        }
        return null;
      },
      { timeout: 20_000, message: `a timeline row with "${text}"` },
    );
  try {
    // The sidebar fills in (accounts, then their folders) and moves the button down: click it
    // once it stays where it is, not where it was a moment ago.
    const addAccount = await session.waitForElement('[data-testid="add-account"]', { timeout: 30_000 });
    await session.waitUntilStill(addAccount);
    await session.click(addAccount);
    const field = (name) => session.find(`[data-testid="field-${name}"]`);
    await session.waitForElement('[data-testid="field-email"]', { timeout: 5_000 });
    await session.sendKeys(await field('email'), 'alice@example.com');
    await session.sendKeys(await field('name'), 'Alice at Dovecot');
    await session.sendKeys(await field('imap'), `localhost:${dovecot.vars.IMAP_PORT}`);
    await session.sendKeys(await field('smtp'), `localhost:${smtp.vars.SMTP_PORT}`);
    await session.click(await session.find('[data-testid="field-security"] option[value="starttls"]'));
    await session.sendKeys(await field('username'), 'alice');
    await session.sendKeys(await field('ca-file'), dovecot.vars.CA_FILE);
    // A wrong password: the server's refusal shows at the password field, nothing is added.
    await session.sendKeys(await field('password'), 'wrong-pass');
    await session.click(await session.find('[data-testid="submit-account"]'));
    const problem = await session.waitForElement('[data-testid="field-error-password"]', { timeout: 20_000 });
    await waitFor(async () => (await session.text(problem)).length > 0, { message: 'the password error text' });
    await session.screenshot('imap-account-wrong-password.png');
    const password = await field('password');
    await session.execute('arguments[0].value = ""; arguments[0].dispatchEvent(new Event("input"));', [
      { 'element-6066-11e4-a52e-4f735466cecf': password },
    ]);
    await session.sendKeys(password, 'alice-pass');
    await session.click(await session.find('[data-testid="submit-account"]'));
    await waitFor(async () => (await session.findAll('[data-testid="submit-account"]')).length === 0, {
      timeout: 20_000,
      message: 'the account form to close once the login worked',
    });

    // The live sync brings the mail in.
    const quarterly = await rowWith('Quarterly numbers');
    await rowWith('Team lunch on Friday');

    // Open one and make it a task with `t`.
    await session.click(quarterly);
    await waitFor(async () => (await session.text(await session.find('[data-testid="reading-pane"]'))).includes('Quarterly numbers'), {
      timeout: 5_000,
      message: 'the mail to open',
    });
    await session.keys('t');
    await session.waitForElement('[data-testid="pane-open-task"]', { timeout: 5_000 });

    // Another client flags the other mail on the server: its task appears here by itself.
    const uid = dovecot
      .doveadm('fetch', '-u', 'alice', 'uid hdr.message-id', 'mailbox', 'INBOX')
      .split('\f')
      .find((record) => record.includes('lunch@example.com'))
      ?.match(/uid: (\d+)/)?.[1];
    assert.ok(uid, 'the lunch message on the server');
    dovecot.doveadm('flags', 'add', '-u', 'alice', '\\Flagged', 'mailbox', 'INBOX', 'uid', uid);
    await waitFor(
      async () => {
        const [count] = await session.findAll('[data-testid="count-tasks"]');
        return count && (await session.property(count, 'textContent')) === '2';
      },
      { timeout: 10_000, message: 'two open tasks: the one made with t and the flagged mail’s' },
    );
    // The mail shows its flag (its task, made just now, has the same title and no flag).
    await waitFor(
      async () => {
        for (const row of await session.findAll(ITEM)) {
          const text = await session.property(row, 'textContent');
          if (text.includes('Team lunch on Friday') && text.includes('⚑')) return true;
        }
        return false;
      },
      { timeout: 5_000, message: 'the flagged mail' },
    );

    // New mail is pushed into the open window.
    dovecot.append('Pushed while watching', 'pushed', 0);
    await rowWith('Pushed while watching');
    const file = await session.screenshot('imap-account.png');
    t.diagnostic(`screenshot: ${file}`);

    await clickTheNotification(session, t);
    await replyInTheWindow(session, dovecot, smtp, t);
    await writeFromAnAlias(session, smtp, t);
    await snoozeAndReturn(session, dovecot, t);
    await keepRunningWhenClosed(session, dovecot, t);
    await useTheTrayMenu(session, dovecot, t);
  } catch (e) {
    await session.saveFailureArtifacts('imap-account-failure');
    throw e;
  }
});

/** `dunstctl` on the app's session bus (the notification daemon the e2e run starts). */
function dunst() {
  const bus = process.env.E2E_DBUS_ADDRESS_FILE && readFileSync(process.env.E2E_DBUS_ADDRESS_FILE, 'utf8');
  // Not skipped when missing: a run without the notification daemon tests less than it says.
  assert.ok(bus, 'a private D-Bus session for the app (dbus-run-session; tests/servers/install.sh installs dbus)');
  assert.ok(hasCommand('dunstctl'), 'dunst on the session bus (tests/servers/install.sh installs it)');
  return (...args) =>
    execFileSync('dunstctl', args, { encoding: 'utf8', env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: bus } }).trim();
}

/**
 * The app's icon in the notification area, as a tray host sees it: its StatusNotifierItem's
 * menu (com.canonical.dbusmenu) on the app's session bus. `labels()` reads the entries;
 * `click(label)` clicks one as a tray host does.
 */
function trayMenu() {
  const bus = readFileSync(process.env.E2E_DBUS_ADDRESS_FILE, 'utf8');
  const gdbus = (...args) =>
    execFileSync('gdbus', args, {
      encoding: 'utf8',
      env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: bus },
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  const item = '/org/ayatana/NotificationItem/tray_icon_tray_app_satu';
  const names = gdbus('call', '--session', '--dest', 'org.freedesktop.DBus', '--object-path', '/org/freedesktop/DBus', '--method', 'org.freedesktop.DBus.ListNames');
  const owner = (names.match(/:1\.\d+/g) ?? []).find((name) => {
    try {
      return gdbus('introspect', '--session', '--dest', name, '--object-path', item).includes('org.kde.StatusNotifierItem');
    } catch {
      return false;
    }
  });
  assert.ok(owner, 'the app\'s StatusNotifierItem on the session bus');
  const call = (method, ...args) =>
    gdbus('call', '--session', '--dest', owner, '--object-path', `${item}/Menu`, '--method', `com.canonical.dbusmenu.${method}`, '--', ...args);
  /** [id, label] of each entry with a label. */
  const entries = () => [...call('GetLayout', '0', '-1', '[]').matchAll(/\((\d+), \{'label': <'([^']*)'>/g)].map((m) => [m[1], m[2]]);
  return {
    /** What the desktop shows beside the icon (the unread count; '' with none). */
    label: () => gdbus('call', '--session', '--dest', owner, '--object-path', item, '--method', 'org.freedesktop.DBus.Properties.Get', 'org.kde.StatusNotifierItem', 'XAyatanaLabel').match(/'([^']*)'/)?.[1] ?? '',
    labels: () => entries().map(([, label]) => label),
    click: (label) => {
      const entry = entries().find(([, l]) => l === label);
      assert.ok(entry, `a tray menu entry "${label}" (the menu has ${entries().map(([, l]) => l).join(', ')})`);
      call('Event', entry[0], 'clicked', '<0>', '0');
    },
  };
}

/** tests/e2e/x11.py: what a window manager would do with the app's window. */
const x11 = (...args) => execFileSync('python3', [path.join(ROOT, 'tests/e2e/x11.py'), ...args], { encoding: 'utf8' }).trim();

/** The pushed mail raised a desktop notification (dunst, on the app's session bus); clicking it
 * opens the mail in the window. */
async function clickTheNotification(session, t) {
  const dunstctl = dunst();
  t.diagnostic('dunst is on the session bus');
  await waitFor(async () => Number(dunstctl('count', 'displayed')) > 0, {
    timeout: 10_000,
    message: 'the new-mail notification on screen (dunst)',
  });
  const shownNotice = await session.screenshotScreen('imap-account-notification.png');
  if (shownNotice) t.diagnostic(`whole screen: ${shownNotice}`);
  dunstctl('action', '0');
  await waitFor(
    async () => (await session.text(await session.find('[data-testid="reading-pane"]'))).includes('Pushed while watching'),
    { timeout: 10_000, message: 'the clicked notification to open its mail' },
  );
  t.diagnostic('the new-mail notification was clicked (dunstctl action) and opened its mail');
}

/**
 * Reply to a mail in the window (r, type, Send): after the undo delay the outbox sends it
 * through the project's SMTP server; it is in the conversation here and in Sent on the server.
 */
async function replyInTheWindow(session, dovecot, smtp, t) {
  // The mail's row, not its task's (same title): the kind icon's title says which.
  const mailRow = (subject) =>
    waitFor(
      async () => {
        for (const row of await session.findAll(ITEM)) {
          if (!(await session.property(row, 'textContent')).includes(subject)) continue;
          const [kind] = await session.findAllIn(row, '.kind');
          if (kind && (await session.attribute(kind, 'title')) === 'Mail') return row;
        }
        return null;
      },
      { timeout: 20_000, message: `the mail row "${subject}"` },
    );
  await session.click(await mailRow('Quarterly numbers'));
  const pane = await session.find('[data-testid="reading-pane"]');
  await waitFor(async () => (await session.text(pane)).includes('Quarterly numbers'), { timeout: 5_000, message: 'the mail to open' });
  await session.keys('r');
  const body = await session.waitForElement('[data-testid="compose-body"]', { timeout: 5_000 });
  // The reply's recipient, as a chip.
  const to = await session.find('[data-testid="compose-to-chips"]');
  assert.match(await session.property(to, 'textContent'), /Carol/);
  const [chip] = await session.findAllIn(to, '[data-testid="recipient-chip"]');
  assert.match(await session.attribute(chip, 'title'), /carol@example\.com/);
  await session.sendKeys(body, 'The numbers look right to me.');
  await session.click(await session.find('[data-testid="compose-send"]'));
  // Undo send: the status line offers it while the message waits.
  await session.waitForElement('[data-testid="notice-action"]', { timeout: 5_000 });
  const sent = await waitFor(() => smtp.log().find((m) => m.auth_user === 'alice') ?? null, {
    timeout: 30_000,
    interval: 250,
    message: 'the reply at the SMTP server (after the undo delay)',
  });
  const raw = readFileSync(sent.file, 'utf8');
  assert.match(raw, /Subject: Re: Quarterly numbers/);
  assert.match(raw, /In-Reply-To: <quarterly@example\.com>/);
  assert.match(raw, /The numbers look right to me\./);
  // In Sent on the server (appended by the app, \Seen).
  await waitFor(
    () => /Re: Quarterly numbers/.test(dovecot.doveadm('fetch', '-u', 'alice', 'hdr.subject flags', 'mailbox', 'Sent')),
    { timeout: 10_000, message: 'the reply in the server\'s Sent folder' },
  );
  assert.match(dovecot.doveadm('fetch', '-u', 'alice', 'flags', 'mailbox', 'Sent'), /\\Seen/);
  // In the conversation of the mail it answers.
  await session.click(await mailRow('Quarterly numbers'));
  await waitFor(async () => (await session.findAll('[data-testid="conversation-message"]')).length === 2, {
    timeout: 10_000,
    message: 'the conversation to hold the mail and the reply',
  });
  const file = await session.screenshot('imap-account-reply.png');
  t.diagnostic(`screenshot: ${file}`);
}

/**
 * Closing the window (its title bar's close button: the WM_DELETE_WINDOW a window manager sends)
 * hides it and Satu keeps running: a mail pushed meanwhile still raises its notification, and
 * clicking that brings the window back with the mail open.
 */
async function keepRunningWhenClosed(session, dovecot, t) {
  const dunstctl = dunst();
  const shown = x11('find', 'Satu')
    .split('\n')
    .filter(Boolean)
    .filter((id) => x11('mapped', id) === 'yes');
  assert.equal(shown.length, 1, `one shown top-level window named Satu (found ${shown.join(', ') || 'none'})`);
  const [window] = shown;
  x11('close', window);
  await waitFor(() => x11('mapped', window) === 'no', { timeout: 5_000, message: 'the closed window to be hidden' });
  assert.equal(await session.execute('return 1 + 1;'), 2, 'the app still runs with its window closed');
  t.diagnostic(`window ${window} closed: hidden, the app runs on`);
  dunstctl('close-all');
  dovecot.append('Pushed while closed', 'pushed-closed', 0);
  await waitFor(async () => Number(dunstctl('count', 'displayed')) > 0, {
    timeout: 15_000,
    message: 'the notification of a mail pushed while the window is closed (dunst)',
  });
  const shot = await session.screenshotScreen('imap-account-closed-notification.png');
  if (shot) t.diagnostic(`whole screen: ${shot}`);
  dunstctl('action', '0');
  await waitFor(() => x11('mapped', window) === 'yes', { timeout: 10_000, message: 'the clicked notification to show the window again' });
  await waitFor(
    async () => (await session.text(await session.find('[data-testid="reading-pane"]'))).includes('Pushed while closed'),
    { timeout: 10_000, message: 'the mail pushed while closed, open in the window' },
  );
  t.diagnostic('a mail pushed while the window was closed notified; its notification brought the window back');
}

/**
 * The tray's menu, clicked as a tray host does: Pause sync holds new mail back (the window says
 * so; its Resume brings the mail), Open Satu shows a closed window, New message opens Compose,
 * and Quit ends the app (the next test file starts it again).
 */
async function useTheTrayMenu(session, dovecot, t) {
  const tray = trayMenu();
  assert.deepEqual(tray.labels(), ['Open Satu', 'New message', 'Pause sync', 'Quit Satu']);
  // The unread count beside the icon is the window's.
  await waitFor(
    async () => {
      const [count] = await session.findAll('[data-testid="count-unread"]');
      return count && tray.label() === (await session.property(count, 'textContent')).trim();
    },
    { timeout: 10_000, message: 'the unread count beside the tray icon' },
  );
  t.diagnostic(`the tray shows ${tray.label()} unread`);
  tray.click('Pause sync');
  await session.waitForElement('[data-testid="paused-banner"]', { timeout: 5_000 });
  await waitFor(() => tray.labels().includes('Resume sync'), { timeout: 5_000, message: 'the tray to offer Resume sync' });
  dovecot.append('Sent while paused', 'while-paused', 0);
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const rows = async () => (await Promise.all((await session.findAll(ITEM)).map((row) => session.property(row, 'textContent')))).join('\n');
  assert.ok(!(await rows()).includes('Sent while paused'), 'no mail comes in while the sync is paused');
  await session.screenshot('tray-paused.png');
  await session.click(await session.find('[data-testid="resume-sync"]'));
  await waitFor(async () => (await rows()).includes('Sent while paused'), { timeout: 20_000, message: 'the mail held back to arrive on Resume' });
  await waitFor(() => tray.labels().includes('Pause sync'), { timeout: 5_000, message: 'the tray to offer Pause sync again' });
  assert.equal((await session.findAll('[data-testid="paused-banner"]')).length, 0);
  t.diagnostic('Pause sync from the tray held a mail back; Resume in the window brought it');

  const [window] = x11('find', 'Satu').split('\n').filter((id) => id && x11('mapped', id) === 'yes');
  x11('close', window);
  await waitFor(() => x11('mapped', window) === 'no', { timeout: 5_000, message: 'the closed window to be hidden' });
  tray.click('Open Satu');
  await waitFor(() => x11('mapped', window) === 'yes', { timeout: 5_000, message: 'Open Satu to show the window' });
  tray.click('New message');
  await session.waitForElement('[data-testid="compose-body"]', { timeout: 5_000 });
  await session.screenshot('tray-new-message.png');
  await session.click(await session.find('[data-testid="compose-discard"]'));
  t.diagnostic('Open Satu showed the closed window; New message opened Compose');

  tray.click('Quit Satu');
  await waitFor(() => x11('find', 'Satu') === '', { timeout: 10_000, message: 'Quit to end the app' });
  t.diagnostic('Quit Satu ended the app');
}

/**
 * Snooze a read mail from the window (b, a time picked a few seconds on): it leaves the Inbox,
 * then comes back to its top by itself, unread here and on the server.
 */
async function snoozeAndReturn(session, dovecot, t) {
  const subject = 'Pushed while watching';
  const flags = () =>
    dovecot
      .doveadm('fetch', '-u', 'alice', 'flags hdr.subject', 'mailbox', 'INBOX')
      .split('\f')
      .find((record) => record.includes(subject)) ?? '';
  const rowTexts = async () => Promise.all((await session.findAll(ITEM)).map((row) => session.property(row, 'textContent')));
  const row = await waitFor(
    async () => {
      for (const candidate of await session.findAll(ITEM)) {
        if ((await session.property(candidate, 'textContent')).includes(subject)) return candidate;
      }
      return null;
    },
    { timeout: 10_000, message: `the row "${subject}"` },
  );
  await session.click(row);
  // Opened, it is read, here and on the server.
  await waitFor(() => /\\Seen/.test(flags()), { timeout: 15_000, message: 'the opened mail read on the server' });
  await session.keys('b');
  const picker = await session.waitForElement('[data-testid="snooze-pick"]', { timeout: 5_000 });
  // Local time, eight seconds on (the picker's own format, seconds included).
  await session.execute(
    `const at = new Date(Date.now() + 8000);
     const pad = (n) => String(n).padStart(2, '0');
     arguments[0].value = at.getFullYear() + '-' + pad(at.getMonth() + 1) + '-' + pad(at.getDate()) + 'T' +
       pad(at.getHours()) + ':' + pad(at.getMinutes()) + ':' + pad(at.getSeconds());
     arguments[0].dispatchEvent(new Event('input', { bubbles: true }));`,
    [{ 'element-6066-11e4-a52e-4f735466cecf': picker }],
  );
  await session.click(await session.find('[data-testid="snooze-submit"]'));
  await waitFor(async () => !(await rowTexts()).some((text) => text.includes(subject)), {
    timeout: 5_000,
    message: 'the snoozed mail to leave the Inbox',
  });
  await session.screenshot('snoozed.png');
  await waitFor(async () => (await rowTexts())[0]?.includes(subject), {
    timeout: 30_000,
    interval: 500,
    message: 'the snoozed mail back at the top of the Inbox',
  });
  await waitFor(() => !/\\Seen/.test(flags()), { timeout: 15_000, message: 'the mail back from its snooze unread on the server' });
  await session.screenshot('snooze-returned.png');
  t.diagnostic('a mail snoozed from the window came back to the top of the Inbox, unread here and on the server');
}

/**
 * Compose as people do: an alias added in Settings with its signature, the sender chosen in
 * Compose (its signature follows), the recipient completed from the mail seen, a file dropped
 * on the window; the message reaches the SMTP server from the alias, signed, with the file.
 */
async function writeFromAnAlias(session, smtp, t) {
  const el = (element) => ({ 'element-6066-11e4-a52e-4f735466cecf': element });
  await session.click(await session.find('[data-testid="open-settings"]'));
  await session.click(await session.waitForElement('[data-testid="identity-add"]', { timeout: 5_000 }));
  await session.sendKeys(await session.find('[data-testid="identity-address"]'), 'sales@example.com');
  await session.sendKeys(await session.find('[data-testid="identity-name"]'), 'Alice at Sales');
  await session.sendKeys(await session.find('[data-testid="identity-signature"]'), 'Alice\uE007The sales desk');
  await session.click(await session.find('[data-testid="identity-save"]'));
  await waitFor(async () => (await session.findAll('[data-testid="identity"]')).length === 2, {
    timeout: 5_000,
    message: 'the alias in Settings',
  });
  await session.screenshot('compose-alias-settings.png');
  await session.click(await session.find('[data-testid="settings-close"]'));

  await session.keys('c');
  const body = await session.waitForElement('[data-testid="compose-body"]', { timeout: 5_000 });
  const alias = await waitFor(
    async () => {
      for (const option of await session.findAll('[data-testid="compose-account"] option')) {
        if ((await session.property(option, 'textContent')).includes('sales@example.com')) return option;
      }
      return null;
    },
    { timeout: 5_000, message: 'the alias offered as sender' },
  );
  await session.click(alias);
  await waitFor(async () => (await session.property(body, 'value')).includes('-- \nAlice\nThe sales desk'), {
    timeout: 5_000,
    message: "the alias's signature in the text",
  });
  // The recipient, completed from the mail seen (Carol wrote to Alice).
  const to = await session.find('[data-testid="compose-to"]');
  await session.sendKeys(to, 'car');
  const suggestion = await session.waitForElement('[data-testid="recipient-suggestion"]', { timeout: 5_000 });
  assert.match(await session.property(suggestion, 'textContent'), /carol@example\.com/);
  await session.sendKeys(to, '\uE007');
  await waitFor(async () => (await session.findAll('[data-testid="recipient-chip"]')).length === 1, {
    timeout: 5_000,
    message: 'the completed recipient as a chip',
  });
  await session.sendKeys(await session.find('[data-testid="compose-subject"]'), 'Price list');
  // Above the signature (WebDriver's typing goes to the end of a text field).
  await session.execute(
    "arguments[0].value = 'The price list is attached.' + arguments[0].value; arguments[0].dispatchEvent(new Event('input', { bubbles: true }));",
    [el(body)],
  );
  // A file dropped on the compose window (as the desktop's drag and drop hands it over).
  await session.execute(
    `const target = arguments[0];
     const files = new DataTransfer();
     files.items.add(new File(['Widget,12.50\\n'], 'prices.csv', { type: 'text/csv' }));
     target.dispatchEvent(new DragEvent('dragover', { bubbles: true, cancelable: true, dataTransfer: files }));
     target.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: files }));`,
    [el(await session.find('[data-testid="compose"]'))],
  );
  await waitFor(async () => (await session.findAll('[data-testid="compose-file"]')).length === 1, {
    timeout: 5_000,
    message: 'the dropped file attached',
  });
  await session.screenshot('compose-alias.png');
  await session.click(await session.find('[data-testid="compose-send"]'));
  const sent = await waitFor(() => smtp.log().find((m) => m.mail_from === 'sales@example.com') ?? null, {
    timeout: 30_000,
    interval: 250,
    message: 'the message from the alias at the SMTP server',
  });
  assert.deepEqual(sent.rcpt, ['carol@example.com']);
  const raw = readFileSync(sent.file, 'utf8');
  assert.match(raw, /From: "?Alice at Sales"? <sales@example\.com>/);
  assert.match(raw, /Subject: Price list/);
  assert.match(raw, /The price list is attached\.\r?\n\r?\n-- \r?\nAlice\r?\nThe sales desk/);
  assert.match(raw, /filename="?prices\.csv"?/);
  t.diagnostic('a message from an alias, signed, to a completed recipient, with a dropped file reached the SMTP server');
}
