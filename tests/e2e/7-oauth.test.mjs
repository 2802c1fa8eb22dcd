// An account added in the real window through its provider's sign-in (OAuth2): the person types
// the address and the servers, names the organisation's sign-in address (an OpenID Connect issuer
// that tests/e2e/run.sh started, tests/servers/oidc.sh) and presses "Sign in with …". The app asks
// SATU_BROWSER to open the provider's page (oidc_browser.py signs in as alice and consents), gets
// the code on its loopback listener, logs in to Dovecot with the token (Dovecot checks it with the
// provider), and the account appears. No password is typed anywhere in the window.

import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Session, waitFor } from './webdriver.mjs';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const DOVECOT = path.join(ROOT, 'tests/servers/dovecot.sh');

test('an account through the provider sign-in button: no password, the token logs in', { timeout: 120_000 }, async (t) => {
  assert.ok(process.env.OIDC_ISSUER, 'tests/e2e/run.sh started the OpenID Connect provider (see oidc.log)');
  const dir = mkdtempSync(path.join(tmpdir(), 'satu-e2e-dovecot-'));
  const line = execFileSync('bash', [DOVECOT, 'start', dir], {
    encoding: 'utf8',
    env: { ...process.env, OAUTH2_INTROSPECTION_URL: process.env.OIDC_INTROSPECTION_URL },
  }).trim();
  const vars = Object.fromEntries(line.split(/\s+/).map((pair) => pair.split('=')));
  t.after(() => execFileSync('bash', [DOVECOT, 'stop', dir]));

  const session = await Session.start();
  t.after(() => session.end().catch(() => {}));
  try {
    const addAccount = await session.waitForElement('[data-testid="add-account"]', { timeout: 30_000 });
    await session.waitUntilStill(addAccount);
    await session.click(addAccount);
    const field = (name) => session.find(`[data-testid="field-${name}"]`);
    await session.waitForElement('[data-testid="field-email"]', { timeout: 5_000 });
    await session.sendKeys(await field('email'), 'alice@localhost');
    await session.sendKeys(await field('imap'), `127.0.0.1:${vars.IMAP_PORT}`);
    await session.sendKeys(await field('smtp'), '127.0.0.1:2587');
    await session.click(await session.find('[data-testid="field-security"] option[value="plain"]'));
    await session.sendKeys(await field('username'), 'alice');
    await session.click(await session.find('details.issuer summary'));
    await session.sendKeys(await field('issuer'), process.env.OIDC_ISSUER);
    await session.click(await session.find('[data-testid="signin-oauth"]'));
    await waitFor(async () => (await session.findAll('[data-testid="submit-account"]')).length === 0, {
      timeout: 40_000,
      message: 'the account form to close once the sign-in and the login worked',
    });
    await waitFor(
      async () => (await session.property(await session.find('body'), 'textContent')).includes('alice@localhost'),
      { timeout: 10_000, message: 'the new account in the window' },
    );
    const file = await session.screenshot('oauth-added.png');
    t.diagnostic(`screenshot: ${file}`);
  } catch (e) {
    await session.saveFailureArtifacts('oauth-failure');
    throw e;
  }
});
