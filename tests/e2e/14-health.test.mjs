// Sync health in the real window (#21): an account on the project's Dovecot, added with the CLI
// into a data directory of its own; the Health button's dot is green, a pushed mail gives a
// delivery delay, the panel shows the five indicators, the charts and the account's rates
// (screenshot artifact: health-panel.png), the diagnostics run from it; the dot turns red when
// Dovecot is stopped and green again once it is back.

import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ownDataDir } from './own-data-dir.mjs';
import { Session, waitFor } from './webdriver.mjs';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const DOVECOT = path.join(ROOT, 'tests/servers/dovecot.sh');

function message(id, subject) {
  return [
    'From: Carol Tan <carol@example.com>',
    'To: alice@example.com',
    `Subject: ${subject}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${id}@example.com>`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    `The body of ${subject}.`,
    '',
  ].join('\r\n');
}

test('the Health button turns red when the server stops and green when it is back', { timeout: 240_000 }, async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'satu-e2e-dovecot-'));
  const line = execFileSync('bash', [DOVECOT, 'start', dir], { encoding: 'utf8' }).trim();
  t.after(() => execFileSync('bash', [DOVECOT, 'stop', dir]));
  const vars = Object.fromEntries(line.split(/\s+/).map((pair) => pair.split('=')));
  const append = (id, subject) => {
    const file = path.join(dir, `${id}.eml`);
    writeFileSync(file, message(id, subject));
    execFileSync('bash', [DOVECOT, 'append', dir, 'alice', 'INBOX', file]);
  };
  append('first', 'Before the window');

  const { application } = ownDataDir('health', vars.IMAP_PORT);

  const session = await Session.start({ application });
  t.after(() => session.end().catch(() => {}));
  const dot = async () => session.attribute(await session.find('[data-testid="open-health"]'), 'data-status');
  const rowWith = (text) =>
    waitFor(
      async () => {
        for (const row of await session.findAll('[data-testid="timeline-item"]')) {
          if ((await session.property(row, 'textContent')).includes(text)) return row;
        }
        return null;
      },
      { timeout: 30_000, message: `a timeline row with "${text}"` },
    );
  await rowWith('Before the window');
  await waitFor(async () => (await dot()) === 'good', { timeout: 30_000, message: 'a green dot' });

  // Pushed while the window is open: its delivery delay is measured. (A few seconds first: the
  // server's arrival time has whole seconds, and mail that arrived before the live sync
  // started is not a delay of it.)
  await new Promise((resolve) => setTimeout(resolve, 3000));
  append('pushed', 'Pushed while open');
  await rowWith('Pushed while open');
  await session.click(await session.find('[data-testid="open-health"]'));
  await session.waitForElement('[data-testid="health-panel"]', { timeout: 10_000 });
  await waitFor(
    async () => {
      const first = await session.find('[data-testid="health-indicator"]');
      return (await session.attribute(first, 'data-status')) === 'good';
    },
    { timeout: 90_000, message: 'the delivery delay measured (the panel asks again every minute)' },
  );
  const keys = [];
  for (const indicator of await session.findAll('[data-testid="health-indicator"]')) keys.push(await session.attribute(indicator, 'data-key'));
  assert.deepEqual(keys, ['delivery_delay', 'read_sync', 'calendar_fresh', 'offline_coverage', 'backup']);
  assert.ok((await session.findAll('[data-testid="health-chart-delay"] rect')).length >= 1, 'a bar of delivery delay');
  assert.equal((await session.findAll('[data-testid="health-account"]')).length, 1);
  await session.click(await session.find('[data-testid="health-diagnose"]'));
  await waitFor(async () => (await session.findAll('[data-testid="health-finding"]')).length >= 3, {
    timeout: 30_000,
    message: 'the diagnostics',
  });
  await session.screenshot('health-panel.png');
  await session.click(await session.find('[data-testid="health-panel"] .actions .button'));

  // The server stops: red. It comes back: green again.
  execFileSync('bash', [DOVECOT, 'stop', dir]);
  await waitFor(async () => (await dot()) === 'bad', { timeout: 60_000, message: 'a red dot with the server stopped' });
  await session.screenshot('health-dot-red.png');
  execFileSync('bash', [DOVECOT, 'start', dir], { env: { ...process.env, IMAP_PORT: vars.IMAP_PORT, IMAPS_PORT: vars.IMAPS_PORT } });
  await waitFor(async () => (await dot()) === 'good', { timeout: 90_000, message: 'a green dot with the server back' });
});
