// Chat in the real window: the project's Synapse on 127.0.0.1 (tests/servers/synapse.sh); a Matrix
// account added through the form in Settings; bob's message (sent over plain HTTP) shows in the
// unified timeline beside the sample mailbox's mail; alice answers it from the reading pane's reply
// box, and bob's client sees the answer as a reply to his message.
// Runs after the other tests in the same data directory (tests/e2e/run.sh).

import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Session, sleep, waitFor } from './webdriver.mjs';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const SYNAPSE = path.join(ROOT, 'tests/servers/synapse.sh');
const ITEM = '[data-testid="timeline-item"]';

function startSynapse() {
  const dir = mkdtempSync(path.join(tmpdir(), 'satu-e2e-synapse-'));
  const parse = (line) => Object.fromEntries(line.trim().split(/\s+/).map((pair) => pair.split('=')));
  const vars = parse(execFileSync('bash', [SYNAPSE, 'start', dir], { encoding: 'utf8' }));
  const stop = () => execFileSync('bash', [SYNAPSE, 'stop', dir]);
  const base = vars.SYNAPSE_URL.replace(/\/$/, '');
  /** A Matrix client-server call with curl (another client than Satu's). */
  const call = (token, method, apiPath, body) => {
    const args = ['-sS', '-X', method, `${base}/_matrix/client${apiPath}`];
    if (token) args.push('-H', `Authorization: Bearer ${token}`);
    if (body) args.push('-H', 'Content-Type: application/json', '--data-binary', JSON.stringify(body));
    return JSON.parse(execFileSync('curl', args, { encoding: 'utf8' }));
  };
  const login = (user, password) =>
    call('', 'POST', '/v3/login', { type: 'm.login.password', identifier: { type: 'm.id.user', user }, password }).access_token;
  return { dir, vars, stop, call, login };
}

/** The first element of `css` whose text includes `text`, or null. */
async function withText(session, css, text) {
  for (const e of await session.findAll(css)) {
    if ((await session.property(e, 'textContent')).includes(text)) return e;
  }
  return null;
}

/**
 * The timeline row of `css` whose text includes `text`, scrolling the list down for it: the list is
 * virtualized, so a row further down than the view (plus its margin) is not in the document.
 * Leaves the list scrolled back to the top.
 */
async function findInTimeline(session, css, text) {
  const scroll = (to) =>
    session.execute(
      `const list = document.querySelector('section.timeline');
       if (!list) return false;
       const before = list.scrollTop;
       list.scrollTop = arguments[0] === 'top' ? 0 : before + list.clientHeight / 2;
       return list.scrollTop !== before;`,
      [to],
    );
  try {
    await scroll('top');
    for (let step = 0; step < 60; step += 1) {
      const row = await withText(session, css, text);
      if (row) return { row, step };
      if (!(await scroll('down'))) break;
      await sleep(200);
    }
    return { row: null, step: -1 };
  } finally {
    await scroll('top');
    await sleep(200);
  }
}

test('a chat message beside mail in the unified timeline, answered from the window', { timeout: 180_000 }, async (t) => {
  const synapse = startSynapse();
  t.after(() => synapse.stop());
  const bob = synapse.login('bob', 'bob-pass');
  const aliceWeb = synapse.login('alice', 'alice-pass');
  const room = synapse.call(bob, 'POST', '/v3/createRoom', { name: 'Harbour crew', invite: ['@alice:localhost'], preset: 'private_chat' }).room_id;
  const enc = encodeURIComponent;
  synapse.call(aliceWeb, 'POST', `/v3/join/${enc(room)}`, {});
  const asked = synapse.call(bob, 'PUT', `/v3/rooms/${enc(room)}/send/m.room.message/e2e-1`, {
    msgtype: 'm.text',
    body: 'Can you check the ferry times?',
  }).event_id;

  const session = await Session.start();
  t.after(() => session.end().catch(() => {}));
  try {
    // Settings → Add chat account.
    await session.click(await session.waitForElement('[data-testid="open-settings"]', { timeout: 30_000 }));
    const homeserver = await session.clickFor('[data-testid="add-matrix"]', '[data-testid="matrix-homeserver"]');
    await session.sendKeys(homeserver, synapse.vars.SYNAPSE_URL);
    await session.sendKeys(await session.find('[data-testid="matrix-user"]'), 'alice');
    await session.sendKeys(await session.find('[data-testid="matrix-password"]'), 'alice-pass');
    await session.click(await session.find('[data-testid="matrix-submit"]'));
    await waitFor(async () => (await session.findAll('[data-testid="matrix-homeserver"]')).length === 0, {
      timeout: 20_000,
      message: 'the Matrix form to close once the login worked',
    });
    if ((await session.findAll('[data-testid="settings"]')).length > 0) {
      await session.keys('\uE00C'); // Escape closes Settings.
    }

    // The unified timeline: bob's message arrives by itself, beside the sample mailbox's mail.
    await session.keys('ga');
    const chatRow = () => withText(session, `${ITEM}[data-kind="chat"]`, 'ferry times');
    await waitFor(chatRow, { timeout: 45_000, message: 'bob’s message in the unified timeline' });
    const rows = async () => {
      const out = [];
      for (const e of await session.findAll(ITEM)) {
        out.push(`${await session.attribute(e, 'data-kind')}: ${(await session.property(e, 'textContent')).trim().slice(0, 60)}`);
      }
      return out;
    };
    const rendered = await rows();
    const mail = await findInTimeline(session, `${ITEM}[data-kind="mail"]`, 'Redirects are live on staging');
    t.diagnostic(
      mail.row
        ? `the sample mail was found after ${mail.step} scroll(s); ${rendered.length} rows were in the document at first`
        : `rows in the document at first:\n${rendered.join('\n')}`,
    );
    assert.ok(mail.row, 'a mail of the sample mailbox in the same timeline');
    const chat = await waitFor(chatRow, { timeout: 5_000, message: 'bob’s message at the top again' });
    assert.match(await session.property(chat, 'textContent'), /Harbour crew|bob/i, 'the row names its room or sender');
    const shot = await session.screenshot('chat-timeline.png');
    t.diagnostic(`screenshot: ${shot}`);

    // Open it and answer from the reply box.
    await session.click(chat);
    await waitFor(() => withText(session, '[data-testid="chat-message"]', 'ferry times'), {
      timeout: 10_000,
      message: 'the room’s conversation in the reading pane',
    });
    const bubble = await withText(session, '[data-testid="chat-message"]', 'ferry times');
    const [replyButton] = await session.findAllIn(bubble, '[data-testid="chat-reply-to"]');
    assert.ok(replyButton, 'a Reply action on bob’s message');
    await session.click(replyButton);
    await session.waitForElement('[data-testid="chat-replying"]', { timeout: 5_000 });
    const box = await session.waitForElement('[data-testid="chat-reply"]', { timeout: 5_000 });
    await session.sendKeys(box, 'The ferry leaves at 9:40');
    await session.click(await session.find('[data-testid="chat-send"]'));
    await waitFor(() => withText(session, '[data-testid="chat-message"]', 'leaves at 9:40'), {
      timeout: 10_000,
      message: 'the answer in the conversation',
    });
    await session.screenshot('chat-answered.png');

    // Bob's client sees it, from alice, as a reply to his message.
    const answer = await waitFor(
      () => {
        const page = synapse.call(bob, 'GET', `/v3/rooms/${enc(room)}/messages?dir=b&limit=20`);
        return page.chunk.find((e) => e.type === 'm.room.message' && String(e.content.body ?? '').includes('leaves at 9:40')) ?? null;
      },
      { timeout: 20_000, interval: 500, message: 'the answer on the homeserver' },
    );
    assert.equal(answer.sender, '@alice:localhost');
    assert.equal(answer.content['m.relates_to']?.['m.in_reply_to']?.event_id, asked, 'a reply to bob’s message');
    t.diagnostic('the answer written in the window reached bob’s client');
  } catch (e) {
    await session.saveFailureArtifacts('chat-failure');
    throw e;
  }
});
