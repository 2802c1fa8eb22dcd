// Mail that looks as its sender made it, in the real window: the 32 mails of
// tests/data/html-corpus (newsletters, receipts, calendar notices, Outlook and Gmail replies,
// Arabic and Chinese mail) are imported with the real CLI and opened one by one. In each mail's
// frame the manifest's computed styles must hold (background colours, table layouts, font sizes,
// right-to-left direction), while the hostile bits some of them carry run nothing (a canary stays
// unset) and load nothing (a beacon on 127.0.0.1 hears no request). A screenshot of each is kept
// in the artifacts.
// Runs after the other tests in the same data directory (tests/e2e/run.sh).

import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Session, sleep, waitFor } from './webdriver.mjs';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const CORPUS = path.join(ROOT, 'tests/data/html-corpus');
const ITEM = '[data-testid="timeline-item"]';

/** A few words of the subject that the search finds it by. */
function searchWords(subject) {
  // As the index splits words: at anything that is not a letter or a digit.
  return subject
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 1)
    .slice(0, 3)
    .join(' ');
}

test('styled HTML mail keeps its look, and its hostile bits run and load nothing', { timeout: 600_000 }, async (t) => {
  const hits = [];
  const beacon = createServer((req, res) => {
    hits.push(req.url);
    res.end('');
  });
  await new Promise((resolve) => beacon.listen(0, '127.0.0.1', resolve));
  t.after(() => beacon.close());
  const port = beacon.address().port;

  const manifest = JSON.parse(readFileSync(path.join(CORPUS, 'manifest.json'), 'utf8'));
  const dir = mkdtempSync(path.join(tmpdir(), 'satu-corpus-'));
  const files = [];
  for (const name of readdirSync(CORPUS).filter((f) => f.endsWith('.eml'))) {
    const file = path.join(dir, name);
    // The mails point their beacons at 127.0.0.1:45999: here, at this test's beacon.
    writeFileSync(file, readFileSync(path.join(CORPUS, name), 'latin1').replaceAll('127.0.0.1:45999', `127.0.0.1:${port}`), 'latin1');
    files.push(file);
  }
  assert.equal(files.length, manifest.length, 'the manifest names every mail');
  const cli = path.join(path.dirname(process.env.SATU_APP_BIN), 'satu');
  execFileSync(cli, ['--data-dir', process.env.SATU_DATA_DIR, 'import', 'eml', ...files]);

  const session = await Session.start();
  t.after(() => session.end().catch(() => {}));
  const failures = [];
  try {
    await session.waitForElement(ITEM, { timeout: 30_000 });
    for (const mail of manifest) {
      await session.execute(
        "const i = document.getElementById('search'); i.value = arguments[0]; i.dispatchEvent(new Event('input', { bubbles: true }));",
        [searchWords(mail.subject)],
      );
      const row = await waitFor(
        async () => {
          for (const r of await session.findAll(ITEM)) {
            if ((await session.property(r, 'textContent')).includes(mail.subject.slice(0, 24))) return r;
          }
          return null;
        },
        { timeout: 10_000, message: `a row for "${mail.subject}"` },
      );
      await session.click(row);
      // The mail's frame, once it holds this mail (the one before may still show a moment, and
      // a loaded machine may take more than a moment to render it): up to 10 s.
      const selectors = mail.checks.map((c) => c.selector);
      const deadline = Date.now() + 10_000;
      for (;;) {
        const frame = await session.waitForElement('[data-testid="reading-pane"] iframe', { timeout: 5_000 });
        await sleep(300);
        await session.switchToFrame(frame);
        const ready = await session.execute(
          'return arguments[0].every((s) => document.querySelector(s) !== null);',
          [selectors],
        );
        if (ready || Date.now() > deadline) break;
        await session.switchToTop();
      }
      for (const check of mail.checks) {
        const actual = await session.execute(
          'const el = document.querySelector(arguments[0]); return el ? getComputedStyle(el).getPropertyValue(arguments[1]) : "(no element)";',
          [check.selector, check.property],
        );
        if (actual !== check.value) failures.push(`${mail.file}: ${check.selector} ${check.property} is ${actual}, not ${check.value}`);
      }
      const canary = await session.execute('return window.satuCanary === undefined ? null : String(window.satuCanary);');
      if (canary !== null) failures.push(`${mail.file}: a script ran (${canary})`);
      await session.switchToTop();
      await session.screenshot(`styled-${mail.file.replace(/\.eml$/, '')}.png`);
    }
    assert.equal(await session.execute('return window.satuCanary === undefined ? null : String(window.satuCanary);'), null, 'nothing ran in the app window');
    assert.deepEqual(hits, [], 'nothing was fetched from the beacon');
    const checks = manifest.reduce((n, m) => n + m.checks.length, 0);
    t.diagnostic(`${manifest.length} mails, ${checks - failures.length} of ${checks} style checks held`);
    assert.deepEqual(failures, [], 'every style check holds');
  } catch (e) {
    await session.saveFailureArtifacts('styled-mail-failure');
    throw e;
  }
});
