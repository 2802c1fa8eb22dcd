// Start at login, chosen in the real window's Settings: ticked, the desktop's autostart entry
// (~/.config/autostart, as freedesktop.org says) starts this app; unticked, it is gone again.
// And "keep running" unticked: closing the window quits the app.
// Runs after the other tests in the same data directory (tests/e2e/run.sh).

import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { Session, waitFor } from './webdriver.mjs';

const AUTOSTART = path.join(process.env.XDG_CONFIG_HOME || path.join(homedir(), '.config'), 'autostart');

/** The autostart entries that start this app. */
function entries() {
  if (!existsSync(AUTOSTART)) return [];
  return readdirSync(AUTOSTART)
    .filter((f) => f.endsWith('.desktop'))
    .filter((f) => readFileSync(path.join(AUTOSTART, f), 'utf8').includes(process.env.SATU_APP_BIN));
}

test('start at login: ticked, an autostart entry starts the app; unticked, it is gone', { timeout: 120_000 }, async (t) => {
  const session = await Session.start();
  t.after(() => session.end().catch(() => {}));
  try {
    await session.waitForElement('[data-testid="open-settings"]', { timeout: 30_000 });
    await session.click(await session.find('[data-testid="open-settings"]'));
    const box = await session.waitForElement('[data-testid="setting-start-at-login"]', { timeout: 10_000 });
    assert.equal(await session.property(box, 'checked'), false, 'off by default');
    assert.deepEqual(entries(), []);
    await session.click(box);
    await waitFor(() => entries().length === 1, { timeout: 5_000, message: 'an autostart entry for the app' });
    assert.equal(await session.property(box, 'checked'), true);
    await session.click(box);
    await waitFor(() => entries().length === 0, { timeout: 5_000, message: 'the autostart entry removed' });
  } catch (e) {
    await session.saveFailureArtifacts('start-at-login-failure');
    throw e;
  }
});

/** tests/e2e/x11.py: what a window manager would do with the app's window. */
const x11 = (...args) =>
  execFileSync('python3', [path.join(path.dirname(new URL(import.meta.url).pathname), 'x11.py'), ...args], { encoding: 'utf8' }).trim();

test('keep running unticked: closing the window quits the app', { timeout: 120_000 }, async (t) => {
  const session = await Session.start();
  t.after(() => session.end().catch(() => {}));
  // The setting goes back on for the tests after this one (the app has quit by then).
  const satu = path.join(path.dirname(process.env.SATU_APP_BIN), 'satu');
  t.after(() => execFileSync(satu, ['settings', 'set', 'app.keep_running', 'true']));
  try {
    await session.click(await session.waitForElement('[data-testid="open-settings"]', { timeout: 30_000 }));
    const box = await session.waitForElement('[data-testid="setting-keep-running"]', { timeout: 10_000 });
    assert.equal(await session.property(box, 'checked'), true, 'on by default');
    await session.click(box);
    await waitFor(
      () => JSON.parse(execFileSync(satu, ['--json', 'settings'], { encoding: 'utf8' })).some((s) => s.key === 'app.keep_running' && s.value === false),
      { timeout: 5_000, message: 'the setting stored' },
    );
    await session.click(await session.find('[data-testid="settings-close"]'));
    const [window] = x11('find', 'Satu').split('\n').filter((id) => id && x11('mapped', id) === 'yes');
    assert.ok(window, 'the app window');
    x11('close', window);
    await waitFor(() => x11('find', 'Satu') === '', { timeout: 10_000, message: 'closing the window to quit the app' });
    t.diagnostic('with keep running off, closing the window quit the app');
  } catch (e) {
    await session.saveFailureArtifacts('keep-running-off-failure');
    throw e;
  }
});
