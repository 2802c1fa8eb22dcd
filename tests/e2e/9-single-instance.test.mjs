// One app per data directory, in the real window: a second launch on the same data directory
// hands its mailto: link to the running app and ends at once; the running window opens Compose
// filled in as the link says. (A desktop entry starts `satu-app %u` for a mailto: link.)
// Runs after the other tests in the same data directory (tests/e2e/run.sh).

import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Session, waitFor } from './webdriver.mjs';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const DOVECOT = path.join(ROOT, 'tests/servers/dovecot.sh');

test('a second launch hands its mailto: link to the running window and ends', { timeout: 120_000 }, async (t) => {
  // A mail account to write from (the links open Compose from the first one).
  const dir = mkdtempSync(path.join(tmpdir(), 'satu-e2e-dovecot-'));
  const line = execFileSync('bash', [DOVECOT, 'start', dir], { encoding: 'utf8' }).trim();
  const vars = Object.fromEntries(line.split(/\s+/).map((pair) => pair.split('=')));
  t.after(() => execFileSync('bash', [DOVECOT, 'stop', dir]));
  const cli = path.join(path.dirname(process.env.SATU_APP_BIN), 'satu');
  const server = `127.0.0.1:${vars.IMAP_PORT}`;
  execFileSync(
    cli,
    ['--data-dir', process.env.SATU_DATA_DIR, 'account', 'add', '--email', 'carol@example.com', '--username', 'alice', '--imap', server, '--smtp', server, '--security', 'plain', '--password-stdin'],
    { input: 'alice-pass\n' },
  );

  const session = await Session.start();
  t.after(() => session.end().catch(() => {}));
  try {
    await session.waitForElement('[data-testid="compose-button"]', { timeout: 30_000 });
    const started = Date.now();
    const second = spawn(process.env.SATU_APP_BIN, ['mailto:ana@example.com?subject=From%20a%20link&body=Hello%20Ana'], {
      env: process.env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let said = '';
    second.stderr.on('data', (chunk) => (said += chunk));
    const code = await new Promise((resolve) => second.on('exit', resolve));
    assert.equal(code, 0, `the second launch ends cleanly: ${said}`);
    assert.ok(Date.now() - started < 10_000, 'the second launch ends at once');
    assert.match(said, /already runs/);
    const subject = await session.waitForElement('[data-testid="compose-subject"]', { timeout: 10_000 });
    assert.equal(await session.property(subject, 'value'), 'From a link');
    assert.match(await session.property(await session.find('[data-testid="compose-to-chips"]'), 'textContent'), /ana@example\.com/);
    assert.equal(await session.property(await session.find('[data-testid="compose-body"]'), 'value'), 'Hello Ana');
    const file = await session.screenshot('single-instance-mailto.png');
    t.diagnostic(`screenshot: ${file}`);
    // The app keeps its log in files (SATU_LOG_DIR here): the second launch is in it.
    const logs = readdirSync(process.env.SATU_LOG_DIR).filter((f) => f.startsWith('satu'));
    assert.ok(logs.length > 0, 'a log file');
    const log = logs.map((f) => readFileSync(path.join(process.env.SATU_LOG_DIR, f), 'utf8')).join('');
    assert.match(log, /Satu started/);
    assert.match(log, /already runs on this data directory/);
  } catch (e) {
    await session.saveFailureArtifacts('single-instance-failure');
    throw e;
  }
});
