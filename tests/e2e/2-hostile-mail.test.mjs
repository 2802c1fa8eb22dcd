// Hostile mail in the real window: a message full of script, event handlers, javascript: URLs,
// SVG, frames, meta refresh, base href, forms, CSS url(), object/embed and remote images that
// point at a beacon server on 127.0.0.1. Opening it must run nothing (a canary stays unset in the
// app's window) and load nothing (the beacon hears no request), and the HTML is shown only in a
// frame sandboxed without scripts.
// Runs after 1-sample-mailbox.test.mjs in the same data directory (tests/e2e/run.sh).

import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Session, sleep, waitFor } from './webdriver.mjs';

const SUBJECT = 'Your parcel is waiting';
const ITEM = '[data-testid="timeline-item"]';

function hostileMessage(beacon) {
  const html = `<html><head>
<meta http-equiv="refresh" content="0; url=${beacon}/refresh">
<base href="${beacon}/base/">
<link rel="stylesheet" href="${beacon}/link.css">
<style>body { background: url(${beacon}/style-bg.png); } @import url(${beacon}/import.css);</style>
<script>window.top.canary = 'script'; parent.canary = 'script';</script>
<script src="${beacon}/script.js"></script>
</head><body onload="window.top.canary='onload'">
<p>Your parcel is waiting. <a href="javascript:window.top.canary='link'">Track it</a></p>
<p><a id="plain-link" href="${beacon}/clicked">Track it online</a>
<a id="lookalike-link" href="https://xn--pypal-4ve.com/login">Log in to PayPal</a></p>
<img src="${beacon}/pixel.gif" width="1" height="1" onerror="window.top.canary='onerror'">
<img srcset="${beacon}/srcset.png 2x">
<div style="background-image: url('${beacon}/inline-bg.png')">styled</div>
<svg><image href="${beacon}/svg.png"/><script>window.top.canary='svg'</script></svg>
<iframe src="${beacon}/frame.html"></iframe>
<iframe srcdoc="<script>window.top.canary='srcdoc'</script>"></iframe>
<object data="${beacon}/object.swf"></object><embed src="${beacon}/embed.swf">
<form action="${beacon}/form"><input name="q" autofocus onfocus="window.top.canary='onfocus'"><button>Go</button></form>
<video poster="${beacon}/poster.png"></video><audio src="${beacon}/audio.mp3" autoplay></audio>
<table background="${beacon}/table.png"><tr><td>cell</td></tr></table>
</body></html>`;
  return [
    'From: "Parcel Service" <track@parcel.example>',
    'To: alex@example.com',
    `Subject: ${SUBJECT}`,
    'Date: Wed, 25 Nov 2026 09:00:00 +0000',
    'Message-ID: <hostile-e2e@parcel.example>',
    'MIME-Version: 1.0',
    'Content-Type: text/html; charset=utf-8',
    '',
    html,
    '',
  ].join('\r\n');
}

test('hostile HTML runs nothing and loads nothing', { timeout: 120_000 }, async (t) => {
  // The beacon: any request at all is a failure.
  const hits = [];
  const beacon = createServer((req, res) => {
    hits.push(req.url);
    res.end('');
  });
  await new Promise((resolve) => beacon.listen(0, '127.0.0.1', resolve));
  t.after(() => beacon.close());
  const url = `http://127.0.0.1:${beacon.address().port}`;

  // Imported with the real CLI into the app's data directory, as a sync would store it.
  const dir = mkdtempSync(path.join(tmpdir(), 'satu-hostile-'));
  const eml = path.join(dir, 'hostile.eml');
  writeFileSync(eml, hostileMessage(url));
  const cli = path.join(path.dirname(process.env.SATU_APP_BIN), 'satu');
  execFileSync(cli, ['--data-dir', process.env.SATU_DATA_DIR, 'import', 'eml', eml]);

  const session = await Session.start();
  t.after(() => session.end().catch(() => {}));
  try {
    const row = await waitFor(
      async () => {
        for (const r of await session.findAll(ITEM)) {
          if ((await session.property(r, 'textContent')).includes(SUBJECT)) return r;
        }
        return null;
      },
      { timeout: 15_000, message: `a row for "${SUBJECT}"` },
    );
    await session.click(row);
    const frame = await session.waitForElement('[data-testid="reading-pane"] iframe', { timeout: 5_000 });
    // No scripts, no same origin, no forms, no top navigation: a link may only ask for a window.
    assert.equal(await session.attribute(frame, 'sandbox'), 'allow-popups', 'the mail frame allows nothing else');
    // Give anything that would run or load the time to do it.
    await sleep(3_000);
    const canary = () => session.execute('return window.canary === undefined ? null : String(window.canary);');
    assert.equal(await canary(), null, 'no script of the mail ran in the app window');
    assert.deepEqual(hits, [], 'nothing was fetched from the beacon');
    await session.waitForElement('[data-testid="remote-bar"]', { timeout: 5_000 });
    await session.screenshot('hostile-mail.png');

    // Links: an ordinary one goes to the system browser (recorded by SATU_OPEN_LINKS_LOG), never
    // into the app; a look-alike one first shows its real host.
    const opened = () => (existsSync(process.env.SATU_OPEN_LINKS_LOG) ? readFileSync(process.env.SATU_OPEN_LINKS_LOG, 'utf8') : '');
    const appUrl = await session.execute('return location.href;');
    await session.switchToFrame(frame);
    await session.click(await session.find('a[href$="/clicked"]'));
    await session.switchToTop();
    await waitFor(() => opened().includes(`${url}/clicked`), { timeout: 5_000, message: 'the link handed to the browser' });
    assert.equal(await session.execute('return location.href;'), appUrl, 'the window did not navigate');
    await session.switchToFrame(frame);
    await session.click(await session.find('a[href*="xn--pypal"]'));
    await session.switchToTop();
    const warning = await session.waitForElement('[data-testid="link-warning"]', { timeout: 5_000 });
    assert.ok((await session.text(warning)).includes('pаypal.com'), 'the warning shows the host as it reads');
    assert.ok(!opened().includes('xn--pypal'), 'a look-alike link waits for the user');
    await session.screenshot('hostile-link-warning.png');
    await session.click(await session.find('[data-testid="link-open-anyway"]'));
    await waitFor(() => opened().includes('https://xn--pypal-4ve.com/login'), { timeout: 5_000, message: 'the confirmed link opened' });
    assert.deepEqual(hits, [], 'no link was fetched inside the app');

    // Remote content, once the user asks for it: the images load, and still nothing runs.
    await session.click(await session.find('[data-testid="remote-load"]'));
    await waitFor(() => hits.includes('/pixel.gif'), { timeout: 5_000, message: 'the remote image to load after consent' });
    await sleep(1_000);
    assert.equal(await canary(), null, 'still no script ran');
    const loaded = hits.filter((hit) => hit !== '/pixel.gif');
    assert.deepEqual(loaded, [], 'only the image loaded: no styles, frames, scripts or forms');
  } catch (e) {
    await session.saveFailureArtifacts('hostile-mail-failure');
    throw e;
  }
});

test('the window may call only its own commands: no emitting, no window, path or webview commands', { timeout: 60_000 }, async (t) => {
  const session = await Session.start();
  t.after(() => session.end().catch(() => {}));
  await session.waitForElement('[data-testid="add-account"], [data-testid="timeline-item"]', { timeout: 30_000 });
  const call = (command, args) =>
    session.execute(
      'return window.__TAURI_INTERNALS__.invoke(arguments[0], arguments[1]).then(() => "allowed", (e) => "refused: " + String(e));',
      [command, args],
    );
  assert.equal(await call('accounts', {}), 'allowed', 'its own commands answer');
  for (const [command, args] of [
    ['plugin:event|emit', { event: 'satu://open', payload: 1 }],
    ['plugin:window|title', { label: 'main' }],
    ['plugin:path|resolve_directory', { directory: 1 }],
    ['plugin:webview|print', { label: 'main' }],
    ['no_such_command', {}],
  ]) {
    assert.match(await call(command, args), /^refused/, `${command} is refused`);
  }
});
