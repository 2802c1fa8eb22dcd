// A tiny W3C WebDriver client for the end-to-end tests: Node's global fetch, no npm packages.
// Spec: https://www.w3.org/TR/webdriver2/ . tauri-driver (on WEBDRIVER_URL) turns the
// `tauri:options` capability into WebKitWebDriver's `webkitgtk:browserOptions` and proxies the rest.
//
//   import { Session } from './webdriver.mjs';
//   const s = await Session.start();                   // launches SATU_APP_BIN
//   const el = await s.waitForElement('[data-testid="x"]');
//   await s.click(el); await s.text(el); await s.screenshot('name.png'); await s.end();

import { execFile, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The key under which W3C drivers return element references: the spec's "web element identifier"
 * (https://www.w3.org/TR/webdriver2/#elements). WebKitWebDriver returns exactly this one.
 */
export const ELEMENT_KEY = 'element-6066-11e4-a52e-4f735466cecf';

export class WebDriverError extends Error {
  constructor(status, error, message, request) {
    super(`${request}: ${error}${message ? `: ${message}` : ''} (HTTP ${status})`);
    this.name = 'WebDriverError';
    this.status = status;
    this.error = error; // e.g. 'no such element', 'stale element reference', 'session not created'
  }
}

export function webdriverUrl() {
  return (process.env.WEBDRIVER_URL ?? 'http://127.0.0.1:4444').replace(/\/+$/, '');
}

/** One WebDriver command: returns the response's `value`, throws WebDriverError on an error. */
export async function command(method, urlPath, body, { timeoutMs = 30_000, base = webdriverUrl() } = {}) {
  const request = `${method} ${urlPath}`;
  const init = { method, signal: AbortSignal.timeout(timeoutMs) };
  if (method === 'POST') {
    // W3C: every POST carries a JSON object, even an empty one (WebKitWebDriver insists).
    init.body = JSON.stringify(body ?? {});
    init.headers = { 'Content-Type': 'application/json; charset=utf-8' };
  }
  let res;
  try {
    res = await fetch(base + urlPath, init);
  } catch (e) {
    throw new WebDriverError(0, 'unreachable', `${e.cause?.message ?? e.message} (is tauri-driver running on ${base}?)`, request);
  }
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    throw new WebDriverError(res.status, 'invalid response', text.slice(0, 300), request);
  }
  const value = json?.value;
  if (!res.ok || (value && typeof value === 'object' && typeof value.error === 'string')) {
    throw new WebDriverError(res.status, value?.error ?? 'unknown error', value?.message ?? text.slice(0, 300), request);
  }
  return value ?? null;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `predicate` (sync or async) until it returns a truthy value, which is returned.
 * Errors thrown by the predicate (element not there yet, stale element, …) count as "not yet".
 * On timeout throws an Error naming `message` and the predicate's last result or error.
 */
export async function waitFor(predicate, { timeout = 10_000, interval = 100, message = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value;
      last = `last result: ${JSON.stringify(value)}`;
    } catch (e) {
      last = `last error: ${e.message}`;
    }
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeout} ms waiting for ${message} (${last})`);
    await sleep(Math.min(interval, Math.max(0, deadline - Date.now())));
  }
}

function elementId(ref, what) {
  // ELEMENT: the pre-W3C JSON Wire Protocol key, for old drivers.
  const id = ref?.[ELEMENT_KEY] ?? ref?.ELEMENT;
  if (!id) throw new Error(`${what}: the driver returned no element reference: ${JSON.stringify(ref)}`);
  return id;
}

export class Session {
  constructor(id, capabilities, base) {
    this.id = id;
    this.capabilities = capabilities;
    this.base = base;
  }

  /**
   * Starts the app through tauri-driver: a new session with
   * { capabilities: { alwaysMatch: { 'tauri:options': { application, args } } } }.
   * The app inherits the environment of tauri-driver (SATU_DATA_DIR, DISPLAY, …).
   */
  static async start({ application = process.env.SATU_APP_BIN, args = [], base = webdriverUrl(), timeoutMs = 60_000 } = {}) {
    if (!application) throw new Error('SATU_APP_BIN is not set: run the tests through tests/e2e/run.sh APP_BINARY');
    const value = await command(
      'POST',
      '/session',
      { capabilities: { alwaysMatch: { 'tauri:options': { application, args } } } },
      { timeoutMs, base },
    );
    if (!value?.sessionId) throw new Error(`new session: no sessionId in ${JSON.stringify(value)}`);
    const session = new Session(value.sessionId, value.capabilities, base);
    session.application = application;
    // Only for checking this harness with a stand-in browser (e.g. WebKitGTK's MiniBrowser and a
    // mock page): the real app shows its own UI and needs no navigation.
    if (process.env.E2E_START_URL) await session.navigate(process.env.E2E_START_URL);
    return session;
  }

  async navigate(url) {
    await this.cmd('POST', '/url', { url });
  }

  cmd(method, suffix, body, opts = {}) {
    return command(method, `/session/${this.id}${suffix}`, body, { base: this.base, ...opts });
  }

  /** The first element matching a CSS selector, or throws WebDriverError 'no such element'. */
  async find(css) {
    return elementId(await this.cmd('POST', '/element', { using: 'css selector', value: css }), css);
  }

  /** All elements matching a CSS selector (possibly none). */
  async findAll(css) {
    const refs = await this.cmd('POST', '/elements', { using: 'css selector', value: css });
    return refs.map((r) => elementId(r, css));
  }

  /** Elements inside element `parent` matching `css`. */
  async findAllIn(parent, css) {
    const refs = await this.cmd('POST', `/element/${parent}/elements`, { using: 'css selector', value: css });
    return refs.map((r) => elementId(r, css));
  }

  async count(css) {
    return (await this.findAll(css)).length;
  }

  async click(element) {
    // WebKit's driver does not scroll an element inside a scrolled dialog into view before
    // clicking it ("element not interactable"): scroll it there first, as a person would, and
    // once more if the layout moved it meanwhile.
    // A dialog whose sections load after it opened grows and moves its buttons: the driver
    // clicks at the point where the element was, so wait until it stays put (two reads 100 ms
    // apart agree, at most 2 s), as a person's eye would.
    const ref = { 'element-6066-11e4-a52e-4f735466cecf': element };
    for (let attempt = 1; ; attempt++) {
      await this.execute('arguments[0].scrollIntoView({ block: "center", inline: "nearest" });', [ref]);
      let last = '';
      for (let read = 0; read < 20; read++) {
        const rect = await this.execute(
          'const r = arguments[0].getBoundingClientRect(); return [r.x, r.y, r.width, r.height].join(",");',
          [ref],
        );
        if (rect === last) break;
        last = rect;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      try {
        await this.cmd('POST', `/element/${element}/click`, {});
        return;
      } catch (error) {
        if (attempt >= 3 || error?.error !== 'element not interactable') throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  /**
   * Clicks the button `css` until `expected` appears (what the click opens), at most three
   * times 3 s apart; returns that element. For a click that lands while its dialog is still
   * settling.
   */
  async clickFor(css, expected, { timeout = 5_000 } = {}) {
    for (let attempt = 1; ; attempt++) {
      await this.click(await this.waitForElement(css, { timeout }));
      try {
        return await this.waitForElement(expected, { timeout: 3_000 });
      } catch (error) {
        if (attempt >= 3) throw error;
      }
    }
  }

  /** The element's rendered text (innerText-like, as the W3C "Get Element Text"). */
  async text(element) {
    return this.cmd('GET', `/element/${element}/text`);
  }

  async attribute(element, name) {
    return this.cmd('GET', `/element/${element}/attribute/${encodeURIComponent(name)}`);
  }

  async property(element, name) {
    return this.cmd('GET', `/element/${element}/property/${encodeURIComponent(name)}`);
  }

  async displayed(element) {
    return this.cmd('GET', `/element/${element}/displayed`);
  }

  async sendKeys(element, text) {
    await this.cmd('POST', `/element/${element}/value`, { text });
  }

  /** Presses the keys of `text`, one by one, in whatever has the focus (W3C actions). */
  async keys(text) {
    const actions = [...text].flatMap((key) => [
      { type: 'keyDown', value: key },
      { type: 'keyUp', value: key },
    ]);
    await this.cmd('POST', '/actions', { actions: [{ type: 'key', id: 'keyboard', actions }] });
  }

  /** Waits until `element` stays where it is for one interval (a sidebar filling in moves it). */
  async waitUntilStill(element, { timeout = 10_000, interval = 300 } = {}) {
    let lastTop = null;
    await waitFor(
      async () => {
        const top = await this.execute('return arguments[0].getBoundingClientRect().top;', [{ [ELEMENT_KEY]: element }]);
        const still = top === lastTop;
        lastTop = top;
        return still;
      },
      { timeout, interval, message: 'the element to stop moving' },
    );
  }

  /** Runs `script` (a function body; `arguments` holds `args`) in the page and returns its result. */
  async execute(script, args = []) {
    return this.cmd('POST', '/execute/sync', { script, args });
  }

  /** Commands go to the frame `element` (an iframe of the current context) from now on. */
  async switchToFrame(element) {
    await this.cmd('POST', '/frame', { id: { [ELEMENT_KEY]: element } });
  }

  /** Commands go to the top-level document again. */
  async switchToTop() {
    await this.cmd('POST', '/frame', { id: null });
  }

  async title() {
    return this.cmd('GET', '/title');
  }

  /** Waits until an element matches `css` and returns it. */
  async waitForElement(css, { timeout = 10_000 } = {}) {
    return waitFor(() => this.find(css), { timeout, message: `an element matching ${css}` });
  }

  waitFor(predicate, opts) {
    return waitFor(predicate, opts);
  }

  /**
   * Saves a PNG of the window's page (W3C "Take Screenshot", base64) as `name` under
   * E2E_ARTIFACTS (default tests/artifacts/). Returns the file's path.
   */
  async screenshot(name, { dir = artifactsDir(), timeoutMs = 30_000 } = {}) {
    const base64 = await this.cmd('GET', '/screenshot', undefined, { timeoutMs });
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, name);
    await writeFile(file, Buffer.from(base64, 'base64'));
    return file;
  }

  /** The page's HTML as the driver serializes it. */
  async source() {
    return this.cmd('GET', '/source');
  }

  /**
   * A PNG of the whole X screen (window decorations included) with ImageMagick's `import`, when
   * it is installed; returns the file's path, or null without `import`.
   */
  async screenshotScreen(name, { dir = artifactsDir() } = {}) {
    const tool = onPath('import');
    if (!tool || !process.env.DISPLAY) return null;
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, name);
    await new Promise((resolve, reject) =>
      execFile(tool, ['-display', process.env.DISPLAY, '-window', 'root', file], { timeout: 30_000 }, (err) => (err ? reject(err) : resolve())),
    );
    return file;
  }

  /** Best effort after a failure: NAME.png (page), NAME-screen.png (X screen), NAME.html (DOM). */
  async saveFailureArtifacts(name) {
    const saved = [];
    for (const step of [
      () => this.screenshot(`${name}.png`, { timeoutMs: 10_000 }),
      () => this.screenshotScreen(`${name}-screen.png`),
      async () => {
        const file = path.join(artifactsDir(), `${name}.html`);
        await mkdir(artifactsDir(), { recursive: true });
        await writeFile(file, await this.source());
        return file;
      },
    ]) {
      try {
        const file = await step();
        if (file) saved.push(file);
      } catch (e) {
        console.error(`saving ${name} artifacts: ${e.message}`);
      }
    }
    if (saved.length) console.error(`saved after the failure: ${saved.join(', ')}`);
    return saved;
  }

  /** Ends the session (the driver closes the app). Safe to call twice. */
  async end() {
    if (!this.id) return;
    const id = this.id;
    this.id = null;
    try {
      await command('DELETE', `/session/${id}`, undefined, { base: this.base, timeoutMs: 30_000 });
    } finally {
      // A session that died (its web process crashed, say) leaves its app running, and every
      // later launch on that data directory would hand over to it: end it here.
      if (this.application) {
        const pattern = `^${this.application.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( |$)`;
        for (let i = 0; i < 50; i++) {
          if (spawnSync('pgrep', ['-f', pattern]).status !== 0) break;
          spawnSync('pkill', [i < 30 ? '-TERM' : '-KILL', '-f', pattern]);
          spawnSync('sleep', ['0.1']);
        }
      }
    }
  }
}

export function artifactsDir() {
  return process.env.E2E_ARTIFACTS || 'tests/artifacts';
}

function onPath(program) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, program);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return null;
}

/** GET /status of the driver: { ready, message }. */
export function status(base = webdriverUrl()) {
  return command('GET', '/status', undefined, { base, timeoutMs: 5_000 });
}
