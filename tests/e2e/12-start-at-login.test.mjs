// Start at login, chosen in the real window's Settings: ticked, the desktop's autostart entry
// (~/.config/autostart, as freedesktop.org says) starts this app; unticked, it is gone again.
// Runs after the other tests in the same data directory (tests/e2e/run.sh).

import test from 'node:test';
import assert from 'node:assert/strict';
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
