// End-to-end tests of the chat web UI: a real browser (Debian's chromium, driven by playwright-core)
// against `switchboard serve`, which serves web/dist/.
//
//   SB_SWITCHBOARD=build/bin/switchboard node --test tests/e2e/chat.test.mjs
//
// Env: SB_SWITCHBOARD (required: the server binary), SB_CHROMIUM (default /usr/bin/chromium).
// Needs `cd web && npm ci && npm run build` first. Screenshots go to build/e2e/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { browserMissing, eventually, launchBrowser, repo, screenshot } from './lib/browser.mjs';

const webDist = path.join(repo, 'web', 'dist');
const BIN = process.env.SB_SWITCHBOARD ? path.resolve(process.env.SB_SWITCHBOARD) : undefined;

const skipReason = !BIN
  ? 'SB_SWITCHBOARD is not set'
  : !fs.existsSync(BIN)
    ? `no server binary at ${BIN}`
    : browserMissing() ??
      (!fs.existsSync(path.join(webDist, 'index.html'))
        ? 'web/dist is not built (cd web && npm ci && npm run build)'
        : null);
// Run by hand without a server, the suite says why it skips; run by CTest (SB_SWITCHBOARD set),
// a missing piece is a failure: the project's scripts must have installed it.
if (skipReason && BIN) throw new Error(`chat e2e tests cannot run: ${skipReason}`);
if (skipReason) console.log(`# skipping chat e2e tests: ${skipReason}`);

const PHONE = { width: 390, height: 780 };
const DESKTOP = { width: 1100, height: 720 };

// ---------------------------------------------------------------- the server under test

class ServerProc {
  constructor(dataDir, args = []) {
    this.dataDir = dataDir;
    this.args = args;
    this.proc = null;
    this.url = null;
    this.port = 0;
    this.log = '';
  }

  async start(port = 0, deadlineMs = 10000) {
    const until = Date.now() + deadlineMs;
    for (;;) {
      try {
        await this.#spawnOnce(port, until);
        return this.url;
      } catch (e) {
        // the port may still be held a moment after a kill: try again until the deadline
        if (Date.now() > until) throw e;
        await sleep(250);
      }
    }
  }

  #spawnOnce(port, until) {
    return new Promise((resolve, reject) => {
      const proc = spawn(BIN, ['serve', '--port', String(port), '--data', this.dataDir, '--web', webDist, ...this.args], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let done = false;
      const finish = (err) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (err) {
          proc.kill('SIGKILL');
          reject(err);
        } else resolve();
      };
      const timer = setTimeout(
        () => finish(new Error(`server did not report "listening on" in time:\n${this.log.slice(-2000)}`)),
        Math.max(1000, until - Date.now()),
      );
      proc.stdout.on('data', (d) => {
        out += d;
        this.log += d;
        const m = out.match(/listening on (http:\/\/[^\s]+?)\/?(?:\s|$)/);
        if (m && !done) {
          this.proc = proc;
          this.url = m[1];
          this.port = Number(new URL(this.url).port);
          finish(null);
        }
      });
      proc.stderr.on('data', (d) => {
        this.log += d;
      });
      proc.on('exit', (code, sig) => finish(new Error(`server exited (${code ?? sig}) before listening:\n${this.log.slice(-2000)}`)));
      proc.on('error', finish);
    });
  }

  async kill() {
    const proc = this.proc;
    this.proc = null;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGKILL');
    await exited;
  }
}

// ---------------------------------------------------------------- helpers

/** Texts of the messages shown (delivered and pending), in order. */
const messageTexts = (page) => page.getByTestId('message-list').getByTestId('message-text').allTextContents();

async function connState(page) {
  return page.getByTestId('connection-state').first().getAttribute('data-state');
}

async function register(page, name) {
  await page.getByLabel('Display name').fill(name);
  await page.getByRole('button', { name: 'Connect' }).click();
  await eventually(async () => assert.equal(await page.getByTestId('my-name').textContent(), name), {
    what: `${name} in the chat`,
  });
  await waitConnected(page);
}

async function waitConnected(page, timeout = 10000) {
  await eventually(async () => assert.equal(await connState(page), 'connected'), { timeout, what: 'connected' });
}

/** Creates/joins a room through the UI (opening the menu on a phone-sized screen). */
async function enterRoom(page, room) {
  const toggle = page.getByRole('button', { name: 'Rooms', exact: true });
  if (await toggle.isVisible()) await toggle.click();
  const create = async () => {
    await page.getByLabel('New room').fill(room);
    await page.getByRole('button', { name: 'Create' }).click();
  };
  const inRoom = async () => assert.equal((await page.getByTestId('current-room').textContent()).trim(), `# ${room}`);
  await create();
  try {
    await eventually(inRoom, { timeout: 4000, what: `room ${room}` });
  } catch (e) {
    // Seen once in a fresh clone's run (two pages creating one room at once; the page stayed
    // in its room with no error shown): say what the page showed, then try once more, so
    // that the next occurrence says more than a timeout.
    await screenshot(page, `enter-room-retry-${room}`);
    const shown = await page.locator('[role="alert"], .error, [aria-invalid="true"]').allTextContents();
    console.warn(`enterRoom(${room}): not switched after 4 s (${e.message}); page shows ${JSON.stringify(shown)}; retrying`);
    if ((await page.getByTestId('current-room').textContent()).trim() !== `# ${room}`) await create();
  }
  await eventually(inRoom, { what: `room ${room}` });
  await eventually(async () => assert.equal(await page.getByText(/Loading…/).count(), 0), { what: 'room loaded' });
}

async function say(page, text) {
  const box = page.getByLabel('Message', { exact: true });
  await box.fill(text);
  await box.press('Enter');
}

async function seesOnce(page, text, timeout = 8000) {
  await eventually(
    async () => {
      const texts = await messageTexts(page);
      assert.equal(texts.filter((t) => t === text).length, 1, `"${text}" once in ${JSON.stringify(texts.slice(-8))}`);
    },
    { timeout, what: `"${text}" shown` },
  );
}

async function delivered(page, text) {
  await eventually(
    async () => {
      const msg = page.getByTestId('message').filter({ has: page.getByTestId('message-text').getByText(text, { exact: true }) });
      assert.equal(await msg.count(), 1);
      assert.equal(await msg.getAttribute('data-status'), 'delivered');
      assert.equal((await msg.getByTestId('message-status').textContent()).trim(), '✓');
    },
    { what: `"${text}" delivered` },
  );
}

async function assertUniqueIds(page) {
  const ids = await page
    .getByTestId('message-list')
    .locator('[data-testid="message"][data-id]')
    .evaluateAll((els) => els.map((e) => e.dataset.id));
  assert.equal(new Set(ids).size, ids.length, `duplicate message ids: ${ids.join(',')}`);
}

/** Posts over HTTP as a well-behaved client: over a rate limit (429), waits Retry-After. */
async function postMessage(baseUrl, room, user, text) {
  let res;
  for (;;) {
    res = await fetch(`${baseUrl}/api/rooms/${room}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user, text }),
    });
    if (res.status !== 429) break;
    await sleep(1000 * Number(res.headers.get('retry-after') || 1));
  }
  const body = await res.text();
  assert.equal(res.status, 201, `POST ${room}: ${res.status} ${body}`);
  return JSON.parse(body).message;
}

/** The identity this browser keeps ({id, name, token}). */
const identityOf = (page) => page.evaluate(() => JSON.parse(localStorage.getItem('switchboard.identity')));

/** Runs axe-core (from web/node_modules) on the page: the serious and critical violations. */
async function axeViolations(page) {
  const axePath = createRequire(path.join(repo, 'web', 'package.json')).resolve('axe-core/axe.min.js');
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Whether the message `text` on `page` is shown as the person's own (right side, ✓). */
async function isOwn(page, text) {
  const msg = page.getByTestId('message').filter({ has: page.getByTestId('message-text').getByText(text, { exact: true }) });
  return (await msg.getAttribute('class')).split(' ').includes('own');
}

// ---------------------------------------------------------------- the tests

describe('chat web UI', { skip: skipReason ?? false, timeout: 360000 }, () => {
  let server;
  let browser;
  let dataDir;
  const dialogs = [];
  const pageErrors = [];

  async function newPage(viewport = DESKTOP) {
    const context = await browser.newContext({ viewport, locale: 'en-GB', timezoneId: 'UTC' });
    const page = await context.newPage();
    page.setDefaultTimeout(8000);
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      d.dismiss().catch(() => {});
    });
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    // what the server sent on the page's WebSockets (to see refusals the page does not show)
    const received = [];
    page.on('websocket', (ws) => ws.on('framereceived', (f) => typeof f.payload === 'string' && received.push(f.payload)));
    await page.goto(server.url);
    return { context, page, received };
  }

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-e2e-'));
    server = new ServerProc(dataDir);
    await server.start();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await server?.kill();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    assert.deepEqual(pageErrors, [], 'uncaught errors in the page');
  });

  test('registration checks the name; two users chat in a room at once', async () => {
    const [a, b] = await Promise.all([newPage(), newPage(PHONE)]);
    try {
      // a clear message for a bad name, and no way in
      await a.page.getByRole('button', { name: 'Connect' }).click();
      await eventually(async () => assert.match(await a.page.getByRole('alert').textContent(), /enter a display name/i));
      await a.page.getByLabel('Display name').fill('x'.repeat(33));
      await a.page.getByRole('button', { name: 'Connect' }).click();
      await eventually(async () => assert.match(await a.page.getByRole('alert').textContent(), /too long/i));
      await screenshot(a.page, 'register-error');

      await Promise.all([register(a.page, 'alice'), register(b.page, 'bob')]);
      // default room
      assert.equal((await a.page.getByTestId('current-room').textContent()).trim(), '# lobby');

      await Promise.all([enterRoom(a.page, 'e2e-chat'), enterRoom(b.page, 'e2e-chat')]);
      for (const { page } of [a, b]) {
        await eventually(async () => {
          const names = await page.getByTestId('online-list').getByTestId('online-user').evaluateAll((els) => els.map((e) => e.dataset.user));
          assert.deepEqual(names.sort(), ['alice', 'bob']);
        }, { what: 'both online' });
        assert.ok((await page.getByTestId('room-list').textContent()).includes('e2e-chat'));
      }

      // typing is shown to the other
      await b.page.getByLabel('Message', { exact: true }).fill('hel');
      await b.page.getByLabel('Message', { exact: true }).press('l');
      await eventually(async () => assert.equal(await a.page.getByTestId('typing-indicator').textContent(), 'bob is typing…'));

      const t0 = Date.now();
      await say(a.page, 'hello from alice');
      await seesOnce(b.page, 'hello from alice', 3000);
      const latency = Date.now() - t0;
      await delivered(a.page, 'hello from alice');
      await say(b.page, 'hi alice, bob here');
      await seesOnce(a.page, 'hi alice, bob here', 3000);
      await delivered(b.page, 'hi alice, bob here');
      // the typing indicator goes once bob's message arrives
      await eventually(async () => assert.equal(await a.page.getByTestId('typing-indicator').textContent(), ''));

      // author and time are shown
      const msg = a.page.getByTestId('message').filter({ hasText: 'hi alice, bob here' });
      assert.equal(await msg.getByTestId('message-author').textContent(), 'bob');
      assert.match(await msg.getByTestId('message-time').textContent(), /\d{1,2}:\d{2}/);
      assert.ok(latency < 3000, `message took ${latency} ms`);

      await screenshot(a.page, 'chat-alice');
      await screenshot(b.page, 'chat-bob-phone');

      // the browser loses the network: bob's page says so, comes back by itself and gets what he missed
      await b.context.setOffline(true);
      await eventually(async () => assert.equal(await connState(b.page), 'offline'), { what: 'offline shown' });
      assert.match(await b.page.getByTestId('connection-state').textContent(), /Offline/);
      await screenshot(b.page, 'offline-bob-phone');
      await say(a.page, 'while bob was offline');
      await delivered(a.page, 'while bob was offline');
      await b.context.setOffline(false);
      await waitConnected(b.page);
      await seesOnce(b.page, 'while bob was offline');
      await assertUniqueIds(a.page);
      await assertUniqueIds(b.page);
    } finally {
      await a.context.close();
      await b.context.close();
    }
  });

  test('a reload keeps the name and the room; renaming is seen by the other', async () => {
    const [a, b] = await Promise.all([newPage(), newPage()]);
    try {
      await Promise.all([register(a.page, 'carol'), register(b.page, 'dave')]);
      await Promise.all([enterRoom(a.page, 'e2e-rename'), enterRoom(b.page, 'e2e-rename')]);
      await say(a.page, 'before the reload');
      await seesOnce(b.page, 'before the reload');

      await a.page.reload();
      await eventually(async () => assert.equal(await a.page.getByTestId('my-name').textContent(), 'carol'));
      assert.equal(await a.page.getByLabel('Display name').count(), 0, 'registration page shown after reload');
      assert.equal((await a.page.getByTestId('current-room').textContent()).trim(), '# e2e-rename');
      await waitConnected(a.page);
      await seesOnce(a.page, 'before the reload');

      // back to the registration page, rename
      await a.page.getByRole('button', { name: 'Change name' }).click();
      const input = a.page.getByLabel('Display name');
      assert.equal(await input.inputValue(), 'carol');
      await input.fill('carol the great');
      await a.page.getByRole('button', { name: 'Save' }).click();
      await eventually(async () => assert.equal(await a.page.getByTestId('my-name').textContent(), 'carol the great'));
      await eventually(async () => {
        const names = await b.page.getByTestId('online-list').getByTestId('online-user').evaluateAll((els) => els.map((e) => e.dataset.user));
        assert.deepEqual(names.sort(), ['carol the great', 'dave']);
      }, { what: 'rename in the online list' });
      await eventually(async () => assert.equal(await b.page.getByText('carol is now known as carol the great.').count(), 1), {
        what: 'rename notice',
      });

      await say(a.page, 'new name, same person');
      await seesOnce(b.page, 'new name, same person');
      const m = b.page.getByTestId('message').filter({ hasText: 'new name, same person' });
      assert.equal(await m.getByTestId('message-author').textContent(), 'carol the great');

      // the new name is remembered too
      await a.page.reload();
      await eventually(async () => assert.equal(await a.page.getByTestId('my-name').textContent(), 'carol the great'));
      await waitConnected(a.page);
      await screenshot(b.page, 'rename-seen-by-dave');
    } finally {
      await a.context.close();
      await b.context.close();
    }
  });

  test('messages are text, never HTML', async () => {
    const xss = '<img src=x onerror=alert(1)>';
    const [a, b] = await Promise.all([newPage(), newPage()]);
    try {
      await Promise.all([register(a.page, 'erin'), register(b.page, '<b>frank</b>')]);
      await Promise.all([enterRoom(a.page, 'e2e-xss'), enterRoom(b.page, 'e2e-xss')]);
      await say(b.page, xss);
      await postMessage(server.url, 'e2e-xss', '<script>alert(2)</script>', '<svg onload=alert(3)>');
      for (const { page } of [a, b]) {
        await seesOnce(page, xss);
        await seesOnce(page, '<svg onload=alert(3)>');
        const list = page.getByTestId('message-list');
        assert.equal(await list.locator('img, svg, script, b').count(), 0, 'markup from a message was rendered');
        const shown = await page
          .getByTestId('message')
          .filter({ hasText: 'onerror' })
          .getByTestId('message-text')
          .evaluate((el) => el.firstChild?.nodeType === Node.TEXT_NODE && el.firstChild.data);
        assert.equal(shown, xss);
      }
      assert.equal(await a.page.getByTestId('message').filter({ hasText: xss }).getByTestId('message-author').textContent(), '<b>frank</b>');
      await sleep(300);
      assert.deepEqual(dialogs, [], 'a dialog fired');
      await screenshot(a.page, 'xss-as-text');
    } finally {
      await a.context.close();
      await b.context.close();
    }
  });

  test('older messages load on scrolling up', async () => {
    const room = 'e2e-history';
    for (let i = 1; i <= 70; i++) await postMessage(server.url, room, 'bot', `history ${i}`);
    const a = await newPage();
    try {
      await register(a.page, 'gina');
      await enterRoom(a.page, room);
      await eventually(async () => {
        const texts = await messageTexts(a.page);
        assert.equal(texts.length, 50);
        assert.equal(texts[0], 'history 21');
        assert.equal(texts[49], 'history 70');
      }, { what: 'the last 50' });
      await a.page.getByTestId('message-list').evaluate((el) => {
        el.scrollTop = 0;
      });
      await eventually(async () => {
        const texts = await messageTexts(a.page);
        assert.equal(texts.length, 70);
        assert.deepEqual(texts, Array.from({ length: 70 }, (_, i) => `history ${i + 1}`));
      }, { what: 'older messages' });
      await assertUniqueIds(a.page);
      await screenshot(a.page, 'history');
    } finally {
      await a.context.close();
    }
  });

  test('both pages reconnect after the server is killed and restarted, and get what they missed', async () => {
    const room = 'e2e-restart';
    const [a, b] = await Promise.all([newPage(), newPage(PHONE)]);
    try {
      await Promise.all([register(a.page, 'hank'), register(b.page, 'iris')]);
      await Promise.all([enterRoom(a.page, room), enterRoom(b.page, room)]);
      await say(a.page, 'before the crash');
      await seesOnce(b.page, 'before the crash');
      await delivered(a.page, 'before the crash');

      const port = server.port;
      await server.kill(); // SIGKILL
      for (const { page } of [a, b]) {
        await eventually(async () => assert.notEqual(await connState(page), 'connected'), { what: 'noticed the drop' });
      }
      assert.match(await a.page.getByTestId('connection-state').textContent(), /Reconnecting|Offline/);
      await screenshot(a.page, 'restart-reconnecting');

      // written while the server is down: shown as pending, sent after the reconnection
      await say(a.page, 'typed while offline');
      await eventually(async () => {
        const msg = a.page.getByTestId('message').filter({ hasText: 'typed while offline' });
        // queued in the page (issue 13: the queue is visible), sent once connected
        assert.equal(await msg.getAttribute('data-status'), 'queued');
        assert.match((await msg.getByTestId('message-status').textContent()).trim(), /^queued/);
      });

      await server.start(port);
      const missed = [];
      for (let i = 1; i <= 3; i++) missed.push((await postMessage(server.url, room, 'http-bot', `missed ${i}`)).text);

      for (const { page } of [a, b]) {
        await waitConnected(page, 15000);
        for (const text of [...missed, 'typed while offline', 'before the crash']) await seesOnce(page, text);
        await assertUniqueIds(page);
      }
      await delivered(a.page, 'typed while offline');

      // and live messages flow again both ways
      await say(b.page, 'back again');
      await seesOnce(a.page, 'back again', 3000);
      await sleep(300);
      for (const { page } of [a, b]) {
        const texts = await messageTexts(page);
        assert.equal(new Set(texts).size, texts.length, `duplicates: ${JSON.stringify(texts)}`);
        assert.equal(texts.length, 6, JSON.stringify(texts));
        assert.equal(texts[0], 'before the crash');
        assert.equal(texts[5], 'back again');
        assert.deepEqual(texts.slice(1, 5).sort(), [...missed, 'typed while offline'].sort());
      }
      await screenshot(a.page, 'restart-after');
      await screenshot(b.page, 'restart-after-phone');
    } finally {
      await a.context.close();
      await b.context.close();
    }
  });

  test('a page that was away fetches everything it missed, more than one page', async () => {
    const room = 'e2e-catch-up';
    const { context, page } = await newPage();
    try {
      await register(page, 'jill');
      await enterRoom(page, room);
      await say(page, 'before the gap');
      await delivered(page, 'before the gap');

      // While the page's server is down, another server on the same data takes 250 messages
      // (more than the 200 a join answers with): the page must page through the rest.
      const port = server.port;
      await server.kill();
      await eventually(async () => assert.notEqual(await connState(page), 'connected'), { what: 'noticed the drop' });
      const other = new ServerProc(dataDir);
      await other.start();
      const missed = [];
      for (let i = 1; i <= 250; i++) missed.push((await postMessage(other.url, room, `bot${i % 25}`, `gap ${i}`)).text);
      await other.kill();
      await server.start(port);
      await waitConnected(page, 15000);
      await eventually(async () => {
        const texts = await messageTexts(page);
        assert.deepEqual(texts, ['before the gap', ...missed]);
      }, { timeout: 15000, what: 'all 250 missed messages, in order' });
      await assertUniqueIds(page);
      await screenshot(page, 'catch-up');
    } finally {
      await context.close();
    }
  });

  test('a message the server cannot store shows "not sent, retrying" and goes out once it can', async () => {
    // A store capped at 256 KiB fails as a full disk does (SQLITE_FULL): 503 / a retryable ack.
    const fullDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-e2e-full-'));
    const full = new ServerProc(fullDir, ['--max-db-bytes', String(256 * 1024)]);
    await full.start();
    const { context, page } = await (async () => {
      const context = await browser.newContext({ viewport: DESKTOP, locale: 'en-GB', timezoneId: 'UTC' });
      const page = await context.newPage();
      page.setDefaultTimeout(8000);
      page.on('pageerror', (e) => pageErrors.push(String(e)));
      return { context, page };
    })();
    try {
      // long enough that the lobby's one page cannot take another big message
      const first = `the room exists ${'.'.repeat(500)}`;
      await postMessage(full.url, 'lobby', 'kate', first);
      const big = 'x'.repeat(3990);
      for (let i = 0; ; i++) {
        assert.ok(i < 200, 'the store never filled');
        const res = await fetch(`${full.url}/api/rooms/filler/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ user: `filler${i % 25}`, text: `${i} ${big}` }),
        });
        if (res.status === 503) break;
        assert.equal(res.status, 201);
      }
      await page.goto(full.url);
      await register(page, 'kate');
      await seesOnce(page, first);
      const text = `kept ${big}`; // as big as what did not fit
      await say(page, text);
      const msg = page.getByTestId('message').filter({ has: page.getByTestId('message-text').getByText(text, { exact: true }) });
      await eventually(async () => {
        assert.equal(await msg.getAttribute('data-status'), 'retrying');
        assert.equal((await msg.getByTestId('message-status').textContent()).trim(), 'not sent, retrying');
      }, { what: '"not sent, retrying"' });
      await screenshot(page, 'not-sent-retrying');
      // An operator frees space; the next retry (Retry-After: 5 s) stores it.
      spawnSync(BIN, ['rooms', 'delete', 'filler', '--data', fullDir]);
      await eventually(async () => assert.equal(await msg.getAttribute('data-status'), 'delivered'), {
        timeout: 15000,
        what: 'delivered after the retry',
      });
      await assertUniqueIds(page);
    } finally {
      await context.close();
      await full.kill();
      fs.rmSync(fullDir, { recursive: true, force: true });
    }
  });

  // ------------------------------------------------------------ issue 13: the chat people would pick

  test('identity: two people named Sam stay distinct; a rename keeps one\'s messages; guests are marked', async () => {
    const room = 'e2e-sams';
    const [a, b] = await Promise.all([newPage(), newPage()]);
    try {
      await register(a.page, 'Sam');
      await register(b.page, 'Sam');
      const [ia, ib] = [await identityOf(a.page), await identityOf(b.page)];
      assert.notEqual(ia.id, ib.id);
      assert.match(ia.token, /^[0-9a-f]{64}$/);
      await Promise.all([enterRoom(a.page, room), enterRoom(b.page, room)]);
      for (const { page } of [a, b]) {
        await eventually(async () => {
          const ids = await page.getByTestId('online-user').evaluateAll((els) => els.map((e) => Number(e.dataset.userId)));
          assert.deepEqual(ids.sort(), [ia.id, ib.id].sort());
        }, { what: 'two Sams online' });
        assert.equal(await page.getByTestId('online-list').getByText('(you)').count(), 1);
      }
      await say(a.page, 'from the first Sam');
      await delivered(a.page, 'from the first Sam');
      await seesOnce(b.page, 'from the first Sam');
      assert.equal(await isOwn(a.page, 'from the first Sam'), true);
      assert.equal(await isOwn(b.page, 'from the first Sam'), false, 'the other Sam sees it as his own');
      const onB = b.page.getByTestId('message').filter({ hasText: 'from the first Sam' });
      assert.equal((await onB.getByTestId('user-tag').textContent()).trim(), `#${ia.id}`);
      assert.equal(await onB.getByTestId('message-status').count(), 0);

      // a guest (HTTP without a token) under the same name: marked, never anyone's own
      await postMessage(server.url, room, 'Sam', 'a script posting as Sam');
      for (const { page } of [a, b]) {
        await seesOnce(page, 'a script posting as Sam');
        const g = page.getByTestId('message').filter({ hasText: 'a script posting as Sam' });
        assert.equal(await g.getByTestId('guest-badge').count(), 1);
        assert.equal(await isOwn(page, 'a script posting as Sam'), false);
      }
      // HTTP with the token posts as that person
      const res = await fetch(`${server.url}/api/rooms/${room}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ib.token}` },
        body: JSON.stringify({ text: 'the second Sam, by script' }),
      });
      assert.equal(res.status, 201);
      await seesOnce(b.page, 'the second Sam, by script');
      assert.equal(await isOwn(b.page, 'the second Sam, by script'), true);
      await screenshot(b.page, 'identity-two-sams');

      // a rename keeps one's earlier messages one's own, and everyone sees the new name
      await a.page.getByRole('button', { name: 'Change name' }).click();
      await a.page.getByLabel('Display name').fill('Samantha');
      await a.page.getByRole('button', { name: 'Save' }).click();
      await eventually(async () => assert.equal(await a.page.getByTestId('my-name').textContent(), 'Samantha'));
      assert.equal(await isOwn(a.page, 'from the first Sam'), true, 'own message lost after a rename');
      await eventually(async () => assert.equal(await b.page.getByText('Sam is now known as Samantha.').count(), 1));
      await eventually(async () => {
        const names = await b.page.getByTestId('online-user').evaluateAll((els) => els.map((e) => e.dataset.user));
        assert.deepEqual(names.sort(), ['Sam', 'Samantha']);
      });
      assert.equal((await identityOf(a.page)).name, 'Samantha');
      await a.page.reload();
      await waitConnected(a.page);
      await seesOnce(a.page, 'from the first Sam');
      assert.equal(await isOwn(a.page, 'from the first Sam'), true, 'own message lost after a reload');
      await screenshot(a.page, 'identity-after-rename');
    } finally {
      await a.context.close();
      await b.context.close();
    }
  });

  test('disconnected: a clear banner and presence shown as unknown; Save and sign out', async () => {
    const { context, page } = await newPage();
    try {
      await register(page, 'olga');
      await enterRoom(page, 'e2e-offline');
      await say(page, 'hello');
      await delivered(page, 'hello');
      assert.equal(await page.getByTestId('connection-banner').count(), 0);
      await context.setOffline(true);
      await eventually(async () => assert.match(await page.getByTestId('connection-banner').textContent(), /offline/i));
      assert.equal(await page.getByTestId('online-list').getAttribute('data-known'), 'false');
      assert.equal(await page.getByTestId('presence-unknown').count(), 1);
      assert.equal(await page.getByText('This is the start of #e2e-offline.').count(), 1, 'the start line disappeared');
      await screenshot(page, 'disconnected-banner');
      await context.setOffline(false);
      await waitConnected(page);
      await eventually(async () => assert.equal(await page.getByTestId('connection-banner').count(), 0));
      // known again once the room is joined again
      await eventually(async () => assert.equal(await page.getByTestId('online-list').getAttribute('data-known'), 'true'));

      // the change-name page says "Save"; signing out forgets the identity on this browser
      await page.getByRole('button', { name: 'Change name' }).click();
      assert.equal(await page.getByRole('button', { name: 'Save' }).count(), 1);
      assert.equal(await page.getByRole('button', { name: 'Connect' }).count(), 0);
      await screenshot(page, 'change-name-save');
      await page.getByRole('button', { name: 'Sign out' }).click();
      await eventually(async () => assert.equal(await page.getByRole('button', { name: 'Connect' }).count(), 1));
      assert.equal(await identityOf(page), null);
      await page.reload();
      await eventually(async () => assert.equal(await page.getByRole('button', { name: 'Connect' }).count(), 1), {
        what: 'the registration page after a reload',
      });
      assert.equal(await page.getByTestId('my-name').count(), 0, 'still signed in after a reload');
      await screenshot(page, 'signed-out');
    } finally {
      await context.close();
    }
  });

  test('too long: a counter near the limit, refused before sending', async () => {
    const { context, page } = await newPage();
    try {
      await register(page, 'pete');
      await enterRoom(page, 'e2e-long');
      const box = page.getByLabel('Message', { exact: true });
      await box.fill('y'.repeat(3000));
      assert.equal(await page.getByTestId('char-counter').count(), 0);
      await box.fill('y'.repeat(3990));
      assert.equal(await page.getByTestId('char-counter').textContent(), '10 left');
      await box.fill('y'.repeat(4010));
      assert.equal(await page.getByTestId('char-counter').textContent(), '10 over');
      assert.equal(await page.getByRole('button', { name: 'Send' }).isDisabled(), true);
      await box.press('Enter');
      await eventually(async () => assert.match(await page.getByTestId('composer-error').textContent(), /10 characters over/));
      assert.equal(await page.getByTestId('message').count(), 0, 'a too-long message was sent');
      await screenshot(page, 'too-long');
      await box.fill('y'.repeat(4000));
      await box.press('Enter');
      await delivered(page, 'y'.repeat(4000));
    } finally {
      await context.close();
    }
  });

  test('a new room appears on every page at once; a burst of 30 goes out in order, the queue visible', async () => {
    const [a, b] = await Promise.all([newPage(), newPage()]);
    try {
      await Promise.all([register(a.page, 'quinn'), register(b.page, 'rosa')]);
      await enterRoom(a.page, 'e2e-pushed');
      // pushed by the server, not refreshed every 20 s
      await eventually(async () => assert.equal(await b.page.locator('[data-testid="room"][data-room="e2e-pushed"]').count(), 1), {
        timeout: 3000,
        what: 'the new room on the other page',
      });
      await enterRoom(b.page, 'e2e-pushed');
      const texts = Array.from({ length: 30 }, (_, i) => `burst ${i + 1}`);
      const box = a.page.getByLabel('Message', { exact: true });
      for (const t of texts) {
        await box.fill(t);
        await box.press('Enter');
      }
      await eventually(async () => assert.match(await a.page.getByTestId('send-queue').textContent(), /waiting to be sent/), {
        what: 'the queue shown',
      });
      await screenshot(a.page, 'send-queue');
      for (const { page } of [a, b]) {
        await eventually(async () => assert.deepEqual(await messageTexts(page), texts), { timeout: 20000, what: 'all 30 in order' });
      }
      await eventually(async () => assert.equal(await a.page.locator('[data-testid="message"][data-status="delivered"]').count(), 30));
      assert.equal(await a.page.getByTestId('send-queue').count(), 0);
      // paced to the limit: the server refused nothing on the way
      const refused = a.received.filter((f) => f.includes('rate limited'));
      assert.equal(refused.length, 0, refused.join(' '));
      assert.ok(a.received.some((f) => f.includes('burst 30')));
    } finally {
      await a.context.close();
      await b.context.close();
    }
  });

  test('links are clickable (http and https only), still no HTML', async () => {
    const { context, page } = await newPage();
    try {
      await register(page, 'sven');
      await enterRoom(page, 'e2e-links');
      const text = 'see https://example.com/a?b=1&c=2, javascript:alert(1), <i>x</i> and http://x.test/path.';
      await say(page, text);
      await delivered(page, text);
      const links = page.getByTestId('message-link');
      assert.equal(await links.count(), 2);
      assert.equal(await links.nth(0).getAttribute('href'), 'https://example.com/a?b=1&c=2');
      assert.equal(await links.nth(0).textContent(), 'https://example.com/a?b=1&c=2');
      assert.equal(await links.nth(0).getAttribute('rel'), 'noopener noreferrer');
      assert.equal(await links.nth(1).getAttribute('href'), 'http://x.test/path');
      assert.equal(await page.getByTestId('message-list').locator('i').count(), 0);
      assert.equal(await page.getByTestId('message-text').last().textContent(), text);
      await screenshot(page, 'links');
    } finally {
      await context.close();
    }
  });

  test('unread counts and title; "new messages" divider; jump to latest; grouping and day separators', async () => {
    const room = 'e2e-unread';
    const { context, page } = await newPage();
    try {
      for (let i = 1; i <= 30; i++) await postMessage(server.url, room, 'bot', `earlier ${i}`);
      await register(page, 'tara');
      await enterRoom(page, room);
      await seesOnce(page, 'earlier 30');
      // one author's run is grouped under one name; a day separator on top
      assert.ok((await page.locator('[data-testid="message"][data-grouped="true"]').count()) >= 29);
      assert.equal(await page.getByTestId('day-separator').first().textContent(), 'Today');

      // elsewhere: the room's new messages are counted, in the list and in the title
      await enterRoom(page, 'e2e-unread-other');
      for (let i = 1; i <= 3; i++) await postMessage(server.url, room, 'uma', `while away ${i}`);
      const count = page.locator(`[data-testid="room"][data-room="${room}"] [data-testid="unread-count"]`);
      await eventually(async () => assert.equal(await count.textContent(), '3'), { what: 'unread count' });
      await eventually(async () => assert.match(await page.title(), /^\(3\) /), { what: 'unread in the title' });
      await screenshot(page, 'unread');
      await page.locator(`[data-testid="room"][data-room="${room}"]`).click();
      await seesOnce(page, 'while away 3');
      // the divider sits where the person left off
      const order = await page
        .getByTestId('message-list')
        .locator('[data-testid="message-text"], [data-testid="new-messages-divider"]')
        .evaluateAll((els) => els.map((e) => (e.dataset.testid === 'new-messages-divider' ? '---' : e.textContent)));
      assert.deepEqual(order.slice(-5), ['earlier 30', '---', 'while away 1', 'while away 2', 'while away 3']);
      assert.equal(await count.count(), 0);
      await eventually(async () => assert.doesNotMatch(await page.title(), /^\(/));
      await screenshot(page, 'new-messages-divider');

      // scrolled up: new messages wait below a "jump to latest" button
      await page.getByTestId('message-list').evaluate((el) => {
        el.scrollTop = 0;
      });
      await eventually(async () => assert.equal(await page.getByTestId('jump-to-latest').count(), 1));
      await postMessage(server.url, room, 'uma', 'below the fold');
      await eventually(async () => assert.match(await page.getByTestId('jump-to-latest').textContent(), /1 new message/));
      await screenshot(page, 'jump-to-latest');
      await page.getByTestId('jump-to-latest').click();
      await eventually(async () => assert.equal(await page.getByTestId('jump-to-latest').count(), 0));
      const atBottom = await page
        .getByTestId('message-list')
        .evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight < 40);
      assert.ok(atBottom);
    } finally {
      await context.close();
    }
  });

  test('join and leave lines, throttled for a flapping connection', async () => {
    const room = 'e2e-joins';
    const a = await newPage();
    try {
      await register(a.page, 'vera');
      await enterRoom(a.page, room);
      const b = await newPage();
      await register(b.page, 'walt');
      await enterRoom(b.page, room);
      await eventually(async () => assert.equal(await a.page.getByText('walt joined.').count(), 1));
      await b.context.close();
      // within the throttle window, one line per person that follows what happened
      await eventually(async () => assert.equal(await a.page.getByText('walt joined and left.').count(), 1));
      const c = await newPage();
      await register(c.page, 'xena');
      await enterRoom(c.page, room);
      await eventually(async () => assert.equal(await a.page.getByText('xena joined.').count(), 1));
      for (let i = 0; i < 3; i++) {
        await c.context.setOffline(true);
        await eventually(async () => assert.notEqual(await connState(c.page), 'connected'));
        await c.context.setOffline(false);
        await waitConnected(c.page);
      }
      // one line for xena however often her connection dropped, true to where she is now
      await eventually(async () => {
        const lines = await a.page.locator('[data-testid="notice"][data-kind]').allTextContents();
        assert.deepEqual(lines.filter((t) => t.startsWith('xena')), ['xena joined.']);
      }, { timeout: 15000, what: 'one line for xena' });
      assert.equal(await a.page.getByTestId('notice').filter({ hasText: 'walt' }).count(), 1);
      await screenshot(a.page, 'join-leave');
      await c.context.close();
    } finally {
      await a.context.close();
    }
  });

  test('accessibility: keyboard reachable, no serious or critical axe-core violations', async () => {
    const { context, page } = await newPage();
    try {
      assert.deepEqual(await axeViolations(page), [], 'registration page');
      // registration by keyboard only
      await page.keyboard.type('yann');
      await page.keyboard.press('Enter');
      await waitConnected(page);
      await enterRoom(page, 'e2e-a11y');
      await say(page, 'see https://example.com');
      await delivered(page, 'see https://example.com');
      await postMessage(server.url, 'e2e-a11y', 'zoe', 'a guest line');
      await seesOnce(page, 'a guest line');
      assert.deepEqual(await axeViolations(page), [], 'chat page');
      assert.equal(await page.getByTestId('message-list').getAttribute('aria-live'), 'polite');
      // every control is reachable with Tab
      const reached = new Set();
      for (let i = 0; i < 30; i++) {
        await page.keyboard.press('Tab');
        reached.add(await page.evaluate(() => document.activeElement?.textContent?.trim() || document.activeElement?.getAttribute('aria-label') || document.activeElement?.tagName));
      }
      for (const name of ['Change name', 'Sign out', 'Create', 'Send']) assert.ok([...reached].some((r) => r && r.includes(name)), `${name} not reached: ${[...reached]}`);
      await screenshot(page, 'a11y-chat');
    } finally {
      await context.close();
    }
  });

  test('desktop notifications are offered once', async () => {
    const { context, page } = await newPage();
    try {
      await register(page, 'abel');
      await eventually(async () => assert.equal(await page.getByTestId('notification-offer').count(), 1));
      await screenshot(page, 'notification-offer');
      await page.getByRole('button', { name: 'No thanks' }).click();
      assert.equal(await page.getByTestId('notification-offer').count(), 0);
      await page.reload();
      await waitConnected(page);
      await eventually(async () => assert.equal(await page.getByTestId('my-name').textContent(), 'abel'));
      assert.equal(await page.getByTestId('notification-offer').count(), 0, 'asked again');
    } finally {
      await context.close();
    }
  });
});
