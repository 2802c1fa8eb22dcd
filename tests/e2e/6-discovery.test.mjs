// An account added in the real window from an email address and a password alone: its servers
// are found in the domain's SRV records (RFC 6186) on the test DNS that tests/e2e/run.sh started
// (tests/servers/discovery.sh; the app asks it for every name), and the login is the address, as
// discovery proposes. The test CA is typed too: the test server's certificate is self-made.
// Runs after the other tests in the same data directory (tests/e2e/run.sh).

import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Session, waitFor } from './webdriver.mjs';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const DOVECOT = path.join(ROOT, 'tests/servers/dovecot.sh');

test('an account from its address and password: servers found in DNS, then added', { timeout: 120_000 }, async (t) => {
  assert.ok(process.env.DISCOVERY_DIR, 'tests/e2e/run.sh started the discovery servers (see discovery.log)');
  const dir = mkdtempSync(path.join(tmpdir(), 'satu-e2e-dovecot-'));
  const line = execFileSync('bash', [DOVECOT, 'start', dir], {
    encoding: 'utf8',
    env: { ...process.env, EXTRA_USERS: 'ana@srv.test:ana-pass' },
  }).trim();
  const vars = Object.fromEntries(line.split(/\s+/).map((pair) => pair.split('=')));
  t.after(() => execFileSync('bash', [DOVECOT, 'stop', dir]));
  // The domain's DNS says where its mail is: implicit TLS first, submission on STARTTLS.
  writeFileSync(
    path.join(process.env.DISCOVERY_DIR, 'zone.txt'),
    [
      `_imaps._tcp.srv.test. 60 IN SRV 0 1 ${vars.IMAPS_PORT} localhost.`,
      `_imap._tcp.srv.test. 60 IN SRV 0 1 ${vars.IMAP_PORT} localhost.`,
      `_submission._tcp.srv.test. 60 IN SRV 0 1 2587 localhost.`,
      '',
    ].join('\n'),
  );

  const session = await Session.start();
  t.after(() => session.end().catch(() => {}));
  try {
    const addAccount = await session.waitForElement('[data-testid="add-account"]', { timeout: 30_000 });
    await session.waitUntilStill(addAccount);
    await session.click(addAccount);
    const field = (name) => session.find(`[data-testid="field-${name}"]`);
    await session.waitForElement('[data-testid="field-email"]', { timeout: 5_000 });
    await session.sendKeys(await field('email'), 'ana@srv.test');
    await session.sendKeys(await field('ca-file'), vars.CA_FILE);
    // What was found, and where, before anything is added.
    await session.click(await session.find('[data-testid="discover"]'));
    const said = await session.waitForElement('[data-testid="discovered"]', { timeout: 15_000 });
    assert.match(await session.text(said), /DNS records/);
    assert.equal(await session.property(await field('imap'), 'value'), `localhost:${vars.IMAPS_PORT}`);
    await session.screenshot('discovery-found.png');
    await session.sendKeys(await field('password'), 'ana-pass');
    await session.click(await session.find('[data-testid="submit-account"]'));
    await waitFor(async () => (await session.findAll('[data-testid="submit-account"]')).length === 0, {
      timeout: 20_000,
      message: 'the account form to close once the login worked',
    });
    await waitFor(
      async () => (await session.property(await session.find('body'), 'textContent')).includes('ana@srv.test'),
      { timeout: 10_000, message: 'the new account in the window' },
    );
    const file = await session.screenshot('discovery-added.png');
    t.diagnostic(`screenshot: ${file}`);
  } catch (e) {
    await session.saveFailureArtifacts('discovery-failure');
    throw e;
  }
});
