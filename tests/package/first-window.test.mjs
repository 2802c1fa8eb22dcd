// The installed package's app starts and shows its first window (tests/package/run.sh installs
// the .deb, then runs this through tests/e2e/run.sh with the installed binary).

import test from 'node:test';
import assert from 'node:assert/strict';
import { Session } from '../e2e/webdriver.mjs';

test('the installed app shows its first window', { timeout: 120_000 }, async (t) => {
  const session = await Session.start();
  t.after(() => session.end().catch(() => {}));
  try {
    // An empty store: the first-run screen, in the app's own window.
    await session.waitForElement('[data-testid="empty-state"]', { timeout: 60_000 });
    assert.equal(await session.title(), 'Satu');
    const file = await session.screenshot('installed-first-window.png');
    t.diagnostic(`screenshot: ${file}`);
  } catch (e) {
    await session.saveFailureArtifacts('installed-failure');
    throw e;
  }
});
