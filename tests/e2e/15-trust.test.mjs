// Who sent a mail, in the real window (#23): an account on the project's Dovecot holding two
// mails from the same bank, each with the Authentication-Results the provider (mx.satu.test)
// wrote on top: one passed DMARC, one failed it under p=reject. The reading pane shows a
// "Verified" badge that explains itself (screenshot trust-badge.png), and for the forgery a
// "Failed its checks" badge with a warning bar, its links and images off until the user insists
// (screenshot trust-guard.png).

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

function message(id, subject, results) {
  return [
    `Authentication-Results: mx.satu.test; ${results}`,
    'Received: from mail.bank.test (mail.bank.test [192.0.2.40])',
    `\tby mx.satu.test (Satu test MX) with ESMTPS id ${id}; ${new Date().toUTCString()}`,
    'From: Bank Alerts <alerts@bank.test>',
    'To: alice@localhost',
    `Subject: ${subject}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${id}@bank.test>`,
    'MIME-Version: 1.0',
    'Content-Type: text/html; charset=utf-8',
    '',
    '<p>Your statement is ready. <a href="https://bank.test/login">Log in</a> to read it.</p>',
    '<p><img src="https://bank.test/logo.png" alt="Bank"></p>',
    '',
  ].join('\r\n');
}

test('the reading pane says who really sent a mail, and guards a forgery', { timeout: 180_000 }, async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'satu-e2e-dovecot-'));
  const line = execFileSync('bash', [DOVECOT, 'start', dir], { encoding: 'utf8' }).trim();
  t.after(() => execFileSync('bash', [DOVECOT, 'stop', dir]));
  const vars = Object.fromEntries(line.split(/\s+/).map((pair) => pair.split('=')));
  const append = (id, subject, results) => {
    const file = path.join(dir, `${id}.eml`);
    writeFileSync(file, message(id, subject, results));
    execFileSync('bash', [DOVECOT, 'append', dir, 'alice', 'INBOX', file]);
  };
  append('real', 'Your December statement', 'dkim=pass header.d=bank.test header.s=k1; spf=pass smtp.mailfrom=alerts@bank.test; dmarc=pass (p=reject) header.from=bank.test');
  append('forged', 'Urgent: confirm your account', 'dkim=none; spf=fail smtp.mailfrom=alerts@bank.test; dmarc=fail (p=reject) header.from=bank.test');

  const { application } = ownDataDir('trust', vars.IMAP_PORT);
  const session = await Session.start({ application });
  t.after(() => session.end().catch(() => {}));
  const open = async (text) => {
    const row = await waitFor(
      async () => {
        for (const r of await session.findAll('[data-testid="timeline-item"]')) {
          if ((await session.property(r, 'textContent')).includes(text)) return r;
        }
        return null;
      },
      { timeout: 30_000, message: `a timeline row with "${text}"` },
    );
    await session.click(row);
  };
  const badge = () => session.waitForElement('[data-testid="sender-badge"]', { timeout: 10_000 });
  const verdict = async () => session.attribute(await badge(), 'data-verdict');

  // The genuine one: verified, and the badge explains why.
  await open('Your December statement');
  await waitFor(async () => (await verdict()) === 'verified', { timeout: 20_000, message: 'a verified badge' });
  assert.equal((await session.findAll('[data-testid="trust-guard"]')).length, 0);
  await session.click(await badge());
  const explain = await session.waitForElement('[data-testid="sender-explain"]', { timeout: 5_000 });
  assert.match(await session.property(explain, 'textContent'), /mail provider/);
  t.diagnostic(`screenshot: ${await session.screenshot('trust-badge.png')}`);

  // The forgery: failed, a warning bar, no images and no links until the user insists.
  await open('Urgent: confirm your account');
  await waitFor(async () => (await verdict()) === 'failed', { timeout: 20_000, message: 'a failed badge' });
  const bar = await session.waitForElement('[data-testid="trust-guard"]', { timeout: 5_000 });
  assert.match(await session.property(bar, 'textContent'), /bank\.test/);
  const frame = await session.find('iframe.html');
  assert.equal(await session.attribute(frame, 'sandbox'), '');
  assert.equal(await session.attribute(frame, 'data-guarded'), 'true');
  assert.equal((await session.findAll('[data-testid="remote-bar"]')).length, 0, 'no offer to load images while guarded');
  t.diagnostic(`screenshot: ${await session.screenshot('trust-guard.png')}`);
  await session.click(await session.find('[data-testid="trust-insist"]'));
  await waitFor(async () => (await session.findAll('[data-testid="trust-guard"]')).length === 0, {
    timeout: 5_000,
    message: 'the bar gone once the user insists',
  });
  assert.equal(await session.attribute(await session.find('iframe.html'), 'sandbox'), 'allow-popups');
  assert.equal((await session.findAll('[data-testid="remote-bar"]')).length, 1, 'images may be loaded now, on request');
});
