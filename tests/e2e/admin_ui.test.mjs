// The Socket.IO Admin UI (@socket.io/admin-ui's built files, unchanged) in a real browser:
// Debian's chromium driven by playwright-core, against `switchboard serve
// --admin-password-hash`, which serves the UI at /admin/. Chat clients are socket.io-client
// connections from this test.
//
//   SB_SWITCHBOARD=build/bin/switchboard node --test tests/e2e/admin_ui.test.mjs
//
// Env: SB_SWITCHBOARD (required), SB_CHROMIUM (default /usr/bin/chromium). Screenshots go to
// build/e2e/.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { createRequire } from "node:module";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startServer } from "../integration/lib/server.mjs";
import { browserMissing, eventually as eventuallyWithin, launchBrowser, repo, shotDir } from "./lib/browser.mjs";

const BIN = process.env.SB_SWITCHBOARD ? path.resolve(process.env.SB_SWITCHBOARD) : undefined;
const rootRequire = createRequire(path.join(repo, "package.json"));
const { io } = rootRequire("socket.io-client");
const bcrypt = rootRequire("bcryptjs");
const uiDir = path.join(repo, "node_modules", "@socket.io", "admin-ui", "ui", "dist");
const skipReason = !BIN
  ? "SB_SWITCHBOARD is not set"
  : browserMissing() ??
    (!fs.existsSync(path.join(uiDir, "index.html")) ? "@socket.io/admin-ui is not installed (npm ci)" : null);
if (skipReason && BIN) throw new Error(`admin UI e2e tests cannot run: ${skipReason}`);

const PASSWORD = "changeit";

/** Retries `fn` until it passes, for 10 s unless told. */
const eventually = (fn, options = {}) => eventuallyWithin(fn, { timeout: 10000, ...options });

describe("Socket.IO Admin UI", { skip: skipReason ?? false, timeout: 120000 }, () => {
  let server;
  let browser;
  let data;
  const clients = [];

  async function chatClient(name, room) {
    const socket = io(`${server.url}/chat`, { auth: { name }, forceNew: true, reconnection: false });
    clients.push(socket);
    await once(socket, "connect");
    if (room) await socket.emitWithAck("join", { room });
    return socket;
  }

  before(async () => {
    data = fs.mkdtempSync(path.join(os.tmpdir(), "sb-admin-e2e-"));
    server = await startServer(BIN, [
      "--data", data, "--shards", "2", "--admin-ui", uiDir,
      "--admin-password-hash", bcrypt.hashSync(PASSWORD, 4),
    ]);
    browser = await launchBrowser();
  });

  after(async () => {
    for (const c of clients) c.close();
    await browser?.close().catch(() => {});
    await server?.stop();
    if (data) fs.rmSync(data, { recursive: true, force: true });
  });

  test("log in, watch the chat's sockets and rooms come and go, disconnect one", async () => {
    const early = await chatClient("early", "lobby");
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-US" });
    const page = await context.newPage();
    page.setDefaultTimeout(10000);
    const pageErrors = [];
    page.on("pageerror", (e) => pageErrors.push(String(e)));
    // Everything comes from this server, the web fonts and icons too (no CDN): a request to
    // another origin is recorded (and cut off) and fails the test.
    const origin = new URL(server.url).origin;
    const elsewhere = [];
    await page.route("**/*", (route) => {
      if (route.request().url().startsWith(origin)) return route.continue();
      elsewhere.push(route.request().url());
      return route.abort();
    });

    await page.goto(`${server.url}/admin`);
    assert.equal(new URL(page.url()).pathname, "/admin/");
    await page.getByLabel("Server URL").fill(server.url);
    await page.getByLabel("Username").fill("admin");
    await page.getByLabel("Password").fill("wrong");
    await page.getByRole("button", { name: "Connect" }).click();
    await page.getByText("Invalid credentials").waitFor();

    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Connect" }).click();
    await page.getByRole("dialog").waitFor({ state: "hidden" });
    // The icons' font and Roboto, served locally, are in use.
    const fontsLoaded = () => [...document.fonts].filter((f) => f.status === "loaded")
      .map((f) => f.family.replace(/["']/g, ""));
    await page.waitForFunction(() => {
      const families = [...document.fonts].filter((f) => f.status === "loaded")
        .map((f) => f.family.replace(/["']/g, ""));
      return families.includes("Material Design Icons") && families.includes("Roboto");
    }).catch(async () => assert.fail(`fonts loaded: ${await page.evaluate(fontsLoaded)}`));
    assert.deepEqual(elsewhere, [], "requests to other origins");

    // The sockets of /chat.
    await page.goto(`${server.url}/admin/#/sockets/`);
    const selectChat = async () => {
      await page.locator(".v-select", { hasText: "Select namespace" }).locator(".v-select__slot").click();
      await page.locator(".menuable__content__active .v-list-item", { hasText: "/chat" }).click();
    };
    await selectChat();
    const row = (id) => page.locator("tbody tr", { hasText: id });
    await row(early.id).waitFor();

    const late = await chatClient("late", "second");
    const lateId = late.id; // socket.io-client forgets it on disconnect
    await row(lateId).waitFor();

    // Rooms: the chat's rooms, as clients join and leave them.
    await page.goto(`${server.url}/admin/#/rooms/`);
    const roomRow = (name) => page.locator("tbody tr", { has: page.locator("td", { hasText: new RegExp(`^${name}$`) }) });
    await roomRow("lobby").waitFor();
    await roomRow("second").waitFor();
    await fs.promises.mkdir(shotDir, { recursive: true });
    await page.screenshot({ path: path.join(shotDir, "admin-ui-rooms.png") });
    late.close();
    await roomRow("second").waitFor({ state: "detached" });

    // Back to the sockets: the one that left is gone; disconnect the other from the UI.
    await page.goto(`${server.url}/admin/#/sockets/`);
    await row(early.id).waitFor();
    assert.equal(await row(lateId).count(), 0);
    await page.screenshot({ path: path.join(shotDir, "admin-ui-sockets.png") });
    const earlyId = early.id;
    const disconnected = once(early, "disconnect");
    await row(earlyId).locator("button").click();
    const [reason] = await disconnected;
    assert.equal(reason, "io server disconnect");
    // (The click on the row opened the socket's page as well.)
    await page.goto(`${server.url}/admin/#/sockets/`);
    await eventually(async () => assert.equal(await row(earlyId).count(), 0), { what: "the socket gone" });

    // The dashboard counts this server.
    await page.goto(`${server.url}/admin/#/servers/`);
    await eventually(async () => assert.ok(await page.getByText(String(server.proc.pid)).count() > 0), {
      what: "the server's pid on the servers page",
    });
    assert.deepEqual(pageErrors, []);
    await context.close();
  });
});
