// The window comes back at the size it was left at (kept per data directory): resized, the app
// ended, started again; then put back to the configured size for the tests after it.
// Runs after the other tests in the same data directory (tests/e2e/run.sh).

import test from 'node:test';
import assert from 'node:assert/strict';
import { Session, sleep, waitFor } from './webdriver.mjs';

test('the window comes back at the size it was left at', { timeout: 120_000 }, async () => {
  const first = await Session.start();
  try {
    await first.waitForElement('[data-testid="compose-button"], [data-testid="add-account"]', { timeout: 30_000 });
    await first.cmd('POST', '/window/rect', { width: 1000, height: 700 });
    await waitFor(async () => (await first.cmd('GET', '/window/rect')).width === 1000, { timeout: 5_000, message: 'the window resized' });
    // Kept a moment after the last change.
    await sleep(1_500);
  } finally {
    await first.end().catch(() => {});
  }
  const second = await Session.start();
  try {
    await second.waitForElement('[data-testid="compose-button"], [data-testid="add-account"]', { timeout: 30_000 });
    const rect = await second.cmd('GET', '/window/rect');
    assert.ok(Math.abs(rect.width - 1000) <= 2 && Math.abs(rect.height - 700) <= 40, `the size it was left at: ${JSON.stringify(rect)}`);
    // Back to the configured size: the later tests (same data directory) expect it.
    await second.cmd('POST', '/window/rect', { width: 1200, height: 800 });
    await sleep(1_500);
  } catch (e) {
    await second.saveFailureArtifacts('window-size-failure');
    throw e;
  } finally {
    await second.end().catch(() => {});
  }
});
