// Rules and progress in the real window (#24): an account on the project's Dovecot; a rule is
// made in Settings (its live count says how many of the mail here it matches); a matching mail
// pushed afterwards becomes a task by itself; a reply saying "50% there" moves the task's
// progress bar (screenshot rules-progress.png).

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

function message(id, subject, from, text, extra = '') {
  return [
    `From: ${from}`,
    'To: alice@localhost',
    `Subject: ${subject}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${id}@rules.test>`,
    ...(extra ? [extra] : []),
    'Content-Type: text/plain; charset=utf-8',
    '',
    text,
    '',
  ].join('\r\n');
}

test('a rule made in Settings turns a pushed mail into a task, and a reply moves its progress', { timeout: 180_000 }, async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'satu-e2e-dovecot-'));
  const line = execFileSync('bash', [DOVECOT, 'start', dir], { encoding: 'utf8' }).trim();
  t.after(() => execFileSync('bash', [DOVECOT, 'stop', dir]));
  const vars = Object.fromEntries(line.split(/\s+/).map((pair) => pair.split('=')));
  const append = (id, raw) => {
    const file = path.join(dir, `${id}.eml`);
    writeFileSync(file, raw);
    execFileSync('bash', [DOVECOT, 'append', dir, 'alice', 'INBOX', file]);
  };
  append('old', message('old', 'Quote for the ferry', 'Siti <siti@harbour.test>', 'The old quote.'));

  const { application } = ownDataDir('rules', vars.IMAP_PORT);
  const session = await Session.start({ application });
  t.after(() => session.end().catch(() => {}));
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
  await rowWith('Quote for the ferry');

  // Settings → Rules: the live count, then the rule.
  await session.click(await session.waitForElement('[data-testid="open-settings"]', { timeout: 10_000 }));
  const when = await session.waitForElement('[data-testid="rule-when"]', { timeout: 10_000 });
  await session.sendKeys(await session.find('[data-testid="rule-name"]'), 'Harbour quotes');
  await session.sendKeys(when, 'from:harbour.test subject:quote');
  await waitFor(async () => /Would match 1 of/.test(await session.property(await session.find('[data-testid="rule-count"]'), 'textContent')), {
    timeout: 10_000,
    message: 'the live count',
  });
  await session.sendKeys(await session.find('[data-testid="rule-then"]'), 'task due:+2d');
  await session.click(await session.find('[data-testid="rule-add"]'));
  await waitFor(async () => (await session.findAll('[data-testid="rule"]')).length === 1, { timeout: 10_000, message: 'the rule listed' });
  t.diagnostic(`screenshot: ${await session.screenshot('rules-settings.png')}`);
  await session.keys('\uE00C'); // Escape closes Settings.

  // A matching mail pushed now becomes a task; the reply "50% there" moves its progress.
  append('new', message('new', 'Quote for the new pier', 'Siti <siti@harbour.test>', 'Please quote the pier.'));
  await rowWith('Quote for the new pier');
  await session.keys('gt');
  const task = await rowWith('Quote for the new pier');
  await session.keys('gi');
  append(
    'reply',
    message('reply', 'Re: Quote for the new pier', 'Siti <siti@harbour.test>', 'About 50% there, the rest on Friday.', 'In-Reply-To: <new@rules.test>\r\nReferences: <new@rules.test>'),
  );
  await rowWith('50% there');
  await session.keys('gt');
  await session.click(await rowWith('Quote for the new pier'));
  const percent = await waitFor(
    async () => {
      const found = await session.findAll('[data-testid="pane-task-percent"]');
      return found.length > 0 && (await session.property(found[0], 'textContent')).includes('50') ? found[0] : null;
    },
    { timeout: 30_000, message: 'the task at 50 %' },
  );
  assert.ok(percent);
  assert.ok(task);
  // The reply matched the rule too, but its conversation is a task already: one task.
  assert.equal((await session.findAll('[data-testid="timeline-item"]')).length, 1, 'one task in Tasks');
  t.diagnostic(`screenshot: ${await session.screenshot('rules-progress.png')}`);
});
