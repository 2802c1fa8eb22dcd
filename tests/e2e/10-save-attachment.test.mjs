// Saving attachments from the real window: a mail with two attachments (imported with the real
// CLI) offers Save on each and Save all; the files land in the Downloads folder (SATU_DOWNLOAD_DIR,
// set by tests/e2e/run.sh) with their own bytes, and a second save of the same file never
// replaces the first.
// Runs after the other tests in the same data directory (tests/e2e/run.sh).

import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Session, waitFor } from './webdriver.mjs';

const SUBJECT = 'Minutes and the budget sheet';
const ITEM = '[data-testid="timeline-item"]';

function message() {
  return [
    'From: Nurul <nurul@example.com>',
    'To: alex@example.com',
    `Subject: ${SUBJECT}`,
    'Date: Thu, 26 Nov 2026 10:00:00 +0000',
    'Message-ID: <save-e2e@example.com>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Both files attached.',
    '--b1',
    'Content-Type: text/plain; name="minutes.txt"',
    'Content-Disposition: attachment; filename="minutes.txt"',
    '',
    'Minutes of the meeting.',
    '--b1',
    'Content-Type: text/csv; name="budget.csv"',
    'Content-Disposition: attachment; filename="budget.csv"',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from('item,amount\nhosting,120\n').toString('base64'),
    '--b1--',
    '',
  ].join('\r\n');
}

test('attachments are saved from the reading pane, one or all, never over a file', { timeout: 120_000 }, async (t) => {
  const downloads = process.env.SATU_DOWNLOAD_DIR;
  assert.ok(downloads, 'tests/e2e/run.sh sets SATU_DOWNLOAD_DIR');
  const dir = mkdtempSync(path.join(tmpdir(), 'satu-save-'));
  const eml = path.join(dir, 'save.eml');
  writeFileSync(eml, message());
  const cli = path.join(path.dirname(process.env.SATU_APP_BIN), 'satu');
  execFileSync(cli, ['--data-dir', process.env.SATU_DATA_DIR, 'import', 'eml', eml]);

  const session = await Session.start();
  t.after(() => session.end().catch(() => {}));
  try {
    await session.waitForElement(ITEM, { timeout: 30_000 });
    await session.execute(
      "const i = document.getElementById('search'); i.value = arguments[0]; i.dispatchEvent(new Event('input', { bubbles: true }));",
      ['Minutes budget sheet'],
    );
    const row = await waitFor(
      async () => {
        for (const r of await session.findAll(ITEM)) {
          if ((await session.property(r, 'textContent')).includes(SUBJECT)) return r;
        }
        return null;
      },
      { timeout: 10_000, message: `a row for "${SUBJECT}"` },
    );
    await session.click(row);
    const [first] = await waitFor(async () => {
      const buttons = await session.findAll('[data-testid="attachment-save"]');
      return buttons.length === 2 ? buttons : null;
    }, { timeout: 10_000, message: 'a Save button per attachment' });
    await session.click(first);
    const minutes = path.join(downloads, 'minutes.txt');
    await waitFor(() => existsSync(minutes), { timeout: 5_000, message: 'minutes.txt saved' });
    assert.equal(readFileSync(minutes, 'utf8'), 'Minutes of the meeting.');
    await session.click(await session.find('[data-testid="attachment-save-all"]'));
    await waitFor(() => readdirSync(downloads).length === 3, { timeout: 5_000, message: 'both saved again, the first beside its earlier copy' });
    assert.deepEqual(readdirSync(downloads).sort(), ['budget.csv', 'minutes (2).txt', 'minutes.txt']);
    assert.equal(readFileSync(path.join(downloads, 'budget.csv'), 'utf8'), 'item,amount\nhosting,120\n');
  } catch (e) {
    await session.saveFailureArtifacts('save-attachment-failure');
    throw e;
  }
});
