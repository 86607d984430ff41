// The Socket.IO Admin UI's protocol (@socket.io/admin-ui's instrument(), docs/admin-ui.md)
// on `switchboard serve --admin-password-hash`, with the official socket.io-client: the
// login, what the UI is told, and its commands acting on the chat's sockets.
//
//   SB_SWITCHBOARD=build/bin/switchboard NODE_PATH=node_modules node --test tests/integration/admin_ui_test.mjs
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { startServer } from "./lib/server.mjs";
import { startRedis } from "./lib/redis.mjs";

const require = createRequire(import.meta.url);
const { io } = require("socket.io-client");
const bcrypt = require("bcryptjs");

const BIN = process.env.SB_SWITCHBOARD;
const SHARDS = process.env.SB_SHARDS ?? "2";
const PASSWORD = "changeit";
// Cost 4: the cheapest bcrypt, so that the test spends no time hashing.
const HASH = bcrypt.hashSync(PASSWORD, 4);

async function serve(args) {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), "sb-admin-"));
  const server = await startServer(BIN, ["--data", data, "--shards", SHARDS, ...args]);
  return { ...server, data };
}

function admin(url, auth, opts = {}) {
  return io(`${url}/admin`, { auth, forceNew: true, reconnection: false, ...opts });
}

/// Records every event a socket gets; next(name, pred) resolves with the first (past or
/// future) whose arguments satisfy pred.
function recorder(socket) {
  const seen = [];
  const waiters = [];
  socket.onAny((name, ...args) => {
    seen.push({ name, args });
    for (const w of [...waiters]) {
      if (w.name === name && w.pred(...args)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(args);
      }
    }
  });
  return {
    seen,
    next(name, pred = () => true, ms = 5000) {
      const found = seen.find((e) => e.name === name && pred(...e.args));
      if (found) return Promise.resolve(found.args);
      return new Promise((resolve, reject) => {
        const w = { name, pred, resolve };
        waiters.push(w);
        // unref: a timer left behind by a resolved wait keeps nothing alive.
        setTimeout(() => {
          if (!waiters.includes(w)) return;
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`no ${name} within ${ms} ms; got ${seen.map((e) => e.name).join(", ")}`));
        }, ms).unref();
      });
    },
  };
}

async function connected(socket) {
  if (socket.connected) return;
  const [outcome] = await Promise.race([
    once(socket, "connect").then(() => ["ok"]),
    once(socket, "connect_error").then(([e]) => [e]),
  ]);
  if (outcome !== "ok") throw new Error(`connect_error: ${outcome.message}`);
}

async function refused(socket) {
  const [err] = await once(socket, "connect_error");
  socket.close();
  return err;
}

describe("admin namespace (development mode)", () => {
  let server;
  before(async () => {
    server = await serve(["--admin-password-hash", HASH]);
  });
  after(async () => {
    await server?.stop();
    fs.rmSync(server.data, { recursive: true, force: true });
  });

  test("a wrong password, a wrong user name or no credentials get the reference's connect_error", async () => {
    for (const auth of [
      { username: "admin", password: "wrong" },
      { username: "root", password: PASSWORD },
      {},
      { sessionId: "0123456789abcdef" },
    ]) {
      const err = await refused(admin(server.url, auth));
      assert.equal(err.message, "invalid credentials", JSON.stringify(auth));
    }
  });

  test("the right password gets a session, the config, every socket and the server's stats", async () => {
    const ui = admin(server.url, { username: "admin", password: PASSWORD });
    const got = recorder(ui);
    await connected(ui);
    const [session] = await got.next("session");
    assert.match(session, /^[0-9a-f]{16}$/);
    const [config] = await got.next("config");
    assert.deepEqual(config.supportedFeatures, [
      "EMIT", "JOIN", "LEAVE", "DISCONNECT", "MJOIN", "MLEAVE", "MDISCONNECT",
      "AGGREGATED_EVENTS", "ALL_EVENTS",
    ]);
    const [sockets] = await got.next("all_sockets");
    const me = sockets.find((s) => s.id === ui.id);
    assert.ok(me, "the admin socket is among all_sockets");
    assert.equal(me.nsp, "/admin");
    assert.equal(me.clientId, ui.io.engine.id.slice(0, 12));
    assert.deepEqual(me.rooms, [ui.id]);
    assert.equal(me.handshake.address, "127.0.0.1");
    assert.equal(me.handshake.query.EIO, "4");
    const [stats] = await got.next("server_stats");
    assert.equal(typeof stats.serverId, "string");
    assert.equal(typeof stats.pid, "number");
    assert.ok(stats.clientsCount >= 1);
    const names = stats.namespaces.map((n) => n.name);
    assert.ok(names.includes("/chat") && names.includes("/admin"), names.join(" "));
    assert.equal(stats.namespaces.find((n) => n.name === "/admin").socketsCount, 1);

    // The session id lets the UI back in without the password (as the reference's store).
    const again = admin(server.url, { sessionId: session });
    await connected(again);
    again.close();
    ui.close();
  });

  test("the UI sees a chat client come, join, talk and go, and its commands act on it", async () => {
    const ui = admin(server.url, { username: "admin", password: PASSWORD });
    const got = recorder(ui);
    await connected(ui);
    await got.next("all_sockets");

    const chat = io(`${server.url}/chat`, { auth: { name: "watched" }, forceNew: true, reconnection: false });
    const heard = recorder(chat);
    await connected(chat);
    const id = chat.id;
    const [socket, at] = await got.next("socket_connected", (s) => s.id === id);
    assert.equal(socket.nsp, "/chat");
    assert.equal(socket.clientId, chat.io.engine.id.slice(0, 12));
    assert.deepEqual(socket.rooms, [id]);
    assert.equal(socket.data.name, "watched");
    assert.ok(!Number.isNaN(Date.parse(at)));
    await got.next("room_joined", (nsp, room, sid) => nsp === "/chat" && room === id && sid === id);

    await chat.emitWithAck("join", { room: "watch" });
    await got.next("room_joined", (nsp, room, sid) => nsp === "/chat" && room === "watch" && sid === id);
    const [, , args] = await got.next("event_received", (nsp, sid) => nsp === "/chat" && sid === id);
    assert.deepEqual(args, ["join", { room: "watch" }]);

    // The transport a client upgraded to is told (at the next stats at the latest).
    await got.next("socket_updated", (s) => s.id === id && s.transport === "websocket", 6000);

    // emit: to the namespace's sockets in a room.
    ui.emit("emit", "/chat", "watch", "notice", "from the admin");
    const [text] = await heard.next("notice");
    assert.equal(text, "from the admin");
    const [, , sent] = await got.next("event_sent", (nsp, sid, a) => sid === id && a[0] === "notice");
    assert.deepEqual(sent, ["notice", "from the admin"]);

    // join and leave: rooms of one socket (its id as the filter) or of every socket.
    ui.emit("join", "/chat", "vip", id);
    await got.next("room_joined", (nsp, room, sid) => room === "vip" && sid === id);
    ui.emit("leave", "/chat", "vip");
    await got.next("room_left", (nsp, room, sid) => room === "vip" && sid === id);

    // A command for a namespace that does not exist creates none.
    ui.emit("join", "/nowhere", "x");

    // _disconnect: the client is told, the UI sees it leave.
    const gone = once(chat, "disconnect");
    ui.emit("_disconnect", "/chat", false, id);
    const [reason] = await gone;
    assert.equal(reason, "io server disconnect");
    const [, , why] = await got.next("socket_disconnected", (nsp, sid) => nsp === "/chat" && sid === id);
    assert.equal(why, "server namespace disconnect");
    await got.next("room_left", (nsp, room, sid) => room === "watch" && sid === id);

    // The stats count connections and traffic (the reference's aggregated events).
    const [stats] = await got.next("server_stats", (s) =>
      s.aggregatedEvents.some((e) => e.type === "rawConnection") &&
      s.aggregatedEvents.some((e) => e.type === "packetsIn" && e.count > 0) &&
      s.aggregatedEvents.some((e) => e.type === "bytesOut" && e.count > 0), 6000);
    assert.ok(!stats.namespaces.some((n) => n.name === "/nowhere"));
    chat.close();
    ui.close();
  });
});

describe("admin namespace on a cluster (two nodes on one Redis)", () => {
  test("all_sockets lists the other node's sockets too, with their rooms and handshake", async () => {
    const redis = await startRedis();
    const nodes = [];
    try {
      for (let i = 0; i < 2; i++) {
        nodes.push(await serve(["--redis", redis.url, "--admin-password-hash", HASH]));
      }
      const [a, b] = nodes;
      const chat = io(`${b.url}/chat`, { auth: { name: "elsewhere" }, forceNew: true, reconnection: false });
      await connected(chat);
      assert.equal((await chat.emitWithAck("join", { room: "far" })).ok, true);
      const ui = admin(a.url, { username: "admin", password: PASSWORD });
      const got = recorder(ui);
      await connected(ui);
      const [sockets] = await got.next("all_sockets");
      const remote = sockets.find((s) => s.id === chat.id);
      assert.ok(remote, `the other node's chat socket is listed: ${sockets.map((s) => s.id).join(" ")}`);
      assert.equal(remote.nsp, "/chat");
      assert.ok(remote.rooms.includes("far"), remote.rooms.join(" "));
      assert.equal(remote.handshake.address, "127.0.0.1");
      const me = sockets.find((s) => s.id === ui.id);
      assert.equal(me.clientId, ui.io.engine.id.slice(0, 12), "this node's sockets in full");
      assert.equal(sockets.filter((s) => s.id === chat.id).length, 1, "listed once");
      chat.close();
      ui.close();
    } finally {
      for (const n of nodes) {
        await n.stop();
        fs.rmSync(n.data, { recursive: true, force: true });
      }
      await redis.kill();
    }
  });
});

describe("admin namespace (production mode, read-only)", () => {
  test("only statistics: no socket list, no notification per socket, no command", async () => {
    const server = await serve(["--admin-password-hash", HASH, "--admin-mode", "production",
                                "--admin-readonly", "true"]);
    try {
      const ui = admin(server.url, { username: "admin", password: PASSWORD });
      const got = recorder(ui);
      await connected(ui);
      const [config] = await got.next("config");
      assert.deepEqual(config.supportedFeatures, ["AGGREGATED_EVENTS"]);
      const chat = io(`${server.url}/chat`, { auth: { name: "quiet" }, forceNew: true, reconnection: false });
      const heard = recorder(chat);
      await connected(chat);
      // Read-only: commands are not even listened to.
      ui.emit("emit", "/chat", null, "ignored", 1);
      ui.emit("_disconnect", "/chat", false, chat.id);
      // Once the stats count the chat client, a notification for it would have come before.
      await got.next("server_stats", (s) => s.namespaces.find((n) => n.name === "/chat")?.socketsCount === 1, 6000);
      const names = new Set(got.seen.map((e) => e.name));
      for (const name of ["all_sockets", "socket_connected", "room_joined", "event_received"]) {
        assert.ok(!names.has(name), `${name} in production mode`);
      }
      // The commands came before those stats on the same connection: they did nothing.
      assert.ok(chat.connected);
      assert.ok(!heard.seen.some((e) => e.name === "ignored"));
      chat.close();
      ui.close();
    } finally {
      await server.stop();
      fs.rmSync(server.data, { recursive: true, force: true });
    }
  });
});

test("a password hash that is not bcrypt stops the server at start", async () => {
  const proc = spawn(BIN, ["serve", "--port", "0", "--data", os.tmpdir(), "--admin-password-hash", "changeit"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let err = "";
  proc.stderr.on("data", (d) => (err += d));
  const [code] = await once(proc, "exit");
  assert.equal(code, 1);
  assert.match(err, /valid bcrypt hash/);
});
