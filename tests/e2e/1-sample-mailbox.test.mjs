// A newcomer with no server: the app starts on an empty store, "Open the sample mailbox" fills the
// timeline from assets/sample.mbox, and the welcome message opens in the reading pane.
// Run through tests/e2e/run.sh APP_BINARY (it provides WEBDRIVER_URL, SATU_APP_BIN, SATU_DATA_DIR).

import test from 'node:test';
import assert from 'node:assert/strict';
import { Session, waitFor } from './webdriver.mjs';

// The subject of the newest message of assets/sample.mbox.
const WELCOME_SUBJECT = 'Welcome to Satu';
const ITEM = '[data-testid="timeline-item"]';

test('the sample mailbox opens from the empty state and shows the welcome message', { timeout: 120_000 }, async (t) => {
  const session = await Session.start();
  t.after(() => session.end().catch(() => {}));
  try {
    // A fresh SATU_DATA_DIR: the app greets with its empty state.
    await session.waitForElement('[data-testid="empty-state"]', { timeout: 30_000 });
    await session.click(await session.find('[data-testid="open-sample"]'));

    // The import fills the timeline: at least 20 rows, one of them the welcome message.
    const welcome = await waitFor(
      async () => {
        const rows = await session.findAll(ITEM);
        if (rows.length < 20) return null;
        for (const row of rows) {
          // textContent: WebKitWebDriver's element text of these rows leaves out all but the time.
          if ((await session.property(row, 'textContent')).includes(WELCOME_SUBJECT)) return row;
        }
        return null;
      },
      { timeout: 15_000, interval: 200, message: `>= 20 ${ITEM} rows, one containing "${WELCOME_SUBJECT}"` },
    );

    await session.click(welcome);
    const pane = await session.waitForElement('[data-testid="reading-pane"]', { timeout: 5_000 });
    const shown = await waitFor(
      async () => {
        const text = await session.text(pane);
        return text.includes(WELCOME_SUBJECT) ? text : null;
      },
      { timeout: 5_000, message: `the reading pane to show "${WELCOME_SUBJECT}"` },
    );
    assert.ok(shown.includes(WELCOME_SUBJECT));

    // Reading it marks it read (through the real `mark` command), and `s` flags it.
    await waitFor(
      async () => !(await session.property(welcome, 'className')).split(/\s+/).includes('unread'),
      { timeout: 5_000, message: 'the opened message to be marked read' },
    );
    // The sidebar's unread count follows (27 sample messages, one now read).
    await waitFor(
      async () => {
        const [count] = await session.findAll('[data-testid="count-unread"]');
        return count && (await session.property(count, 'textContent')) === '26';
      },
      { timeout: 5_000, message: 'the Unread count to drop to 26' },
    );

    // `t` makes the open mail a task (the real `task_from_mail` command): the mail links to it.
    await session.keys('t');
    await session.waitForElement('[data-testid="pane-open-task"]', { timeout: 5_000 });
    await session.keys('s');
    await waitFor(
      async () => (await session.property(welcome, 'textContent')).includes('⚑'),
      { timeout: 5_000, message: 'the message to show its flag after `s`' },
    );

    // The task opens from the mail; `t` there completes it, which unflags the mail.
    const paneText = async (testid) => {
      const found = await session.findAll(`[data-testid="${testid}"]`);
      return found.length ? session.property(found[0], 'textContent') : null;
    };
    await session.click(await session.find('[data-testid="pane-open-task"]'));
    await waitFor(async () => (await paneText('pane-task-status')) === 'To do', {
      timeout: 5_000,
      message: 'the task to open, not done',
    });
    await session.keys('t');
    await waitFor(async () => (await paneText('pane-task-status')) === 'Done', {
      timeout: 5_000,
      message: 'the task to be done after `t`',
    });
    await waitFor(async () => !(await session.property(welcome, 'textContent')).includes('⚑'), {
      timeout: 5_000,
      message: 'the mail to be unflagged once its task is done',
    });
    const taskShot = await session.screenshot('sample-mailbox-task.png');
    t.diagnostic(`screenshot: ${taskShot}`);
    await session.click(await session.find('[data-testid="pane-open-mail"]'));
    await waitFor(async () => (await session.text(pane)).includes(WELCOME_SUBJECT) && (await paneText('pane-open-task')) !== null, {
      timeout: 5_000,
      message: 'the task to lead back to its mail',
    });

    // Conversations: the toolbar toggle groups the timeline by thread (the real `timeline` with
    // `threads`). The sample's 27 messages and the task made above are 23 conversations (the
    // kick-off thread has 4 messages, the lunch and translation threads 2 each); the translation
    // one opens as a conversation.
    const setSize = async () => {
      const [row] = await session.findAll(ITEM);
      return row ? Number(await session.attribute(row, 'aria-setsize')) : null;
    };
    // The window opens on the Inbox, which the done task has left; All still has it.
    await waitFor(async () => (await setSize()) === 27, { timeout: 5_000, message: 'the Inbox: 27 mails, no done task' });
    await session.click(await session.find('[data-testid="view-all"]'));
    await waitFor(async () => (await setSize()) === 28, { timeout: 5_000, message: 'All: the done task too' });
    assert.equal(await setSize(), 28, 'ungrouped: one row per item');
    await session.click(await session.find('[data-testid="toggle-threads"]'));
    await waitFor(async () => (await setSize()) === 23, { timeout: 5_000, message: '23 conversation rows' });
    const translation = await waitFor(
      async () => {
        for (const row of await session.findAll(ITEM)) {
          if (!(await session.property(row, 'textContent')).includes('Traduction de la page')) continue;
          const [badge] = await session.findAllIn(row, '[data-testid="thread-size"]');
          if (badge && (await session.property(badge, 'textContent')).trim() === '2') return row;
        }
        return null;
      },
      { timeout: 5_000, message: 'the translation conversation row, showing 2 messages' },
    );
    await session.click(translation);
    await waitFor(async () => (await session.findAll('[data-testid="conversation-message"]')).length === 2, {
      timeout: 5_000,
      message: 'the reading pane to show the 2 messages of the conversation',
    });
    const conversationShot = await session.screenshot('sample-mailbox-conversation.png');
    t.diagnostic(`screenshot: ${conversationShot}`);
    // Back to one row per message (the later tests share this data directory and its settings).
    await session.click(await session.find('[data-testid="toggle-threads"]'));
    await waitFor(async () => (await setSize()) === 28, { timeout: 5_000, message: 'one row per item again' });

    const file = await session.screenshot('sample-mailbox.png');
    t.diagnostic(`screenshot: ${file}`);
    const screen = await session.screenshotScreen('sample-mailbox-screen.png');
    if (screen) t.diagnostic(`whole screen: ${screen}`);
  } catch (e) {
    // Leave evidence for whoever reads the CI log.
    await session.saveFailureArtifacts('sample-mailbox-failure');
    throw e;
  }
});
