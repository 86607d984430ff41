// The C++ cluster core and Redis client against the real Node packages on one redis-server:
// socket.io 4.8 with @socket.io/redis-adapter 8.3 (classic, or sharded with
// SB_ADAPTER_FORMAT=sharded), @socket.io/redis-emitter 5.1 and socket.io-client.
// The C++ side is adapter_probe (SB_ADAPTER_PROBE), driven by JSON lines.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:http";
import { after, before, describe, test } from "node:test";
import { createAdapter, createShardedAdapter } from "@socket.io/redis-adapter";
import { Emitter } from "@socket.io/redis-emitter";
import { createClient } from "redis";
import { Server } from "socket.io";
import { io as connectClient } from "socket.io-client";
import { startRedis } from "./lib/redis.mjs";

const PROBE = process.env.SB_ADAPTER_PROBE;
assert.ok(PROBE, "set SB_ADAPTER_PROBE");
const SHARDED = process.env.SB_ADAPTER_FORMAT === "sharded";
const CPP_SOCKET = "cppSocketAAAAAAAAAAA"; // 20 characters, like a real socket id

// The C++ node: JSON lines out, JSON commands in.
class Probe {
  constructor(url) {
    const args = ["--redis", url, "--rooms", "r1", "--answer", "cpp-probe", "--sockets", JSON.stringify([
      { id: CPP_SOCKET, handshake: { headers: {}, query: {} }, rooms: [CPP_SOCKET, "r1"], data: { who: "cpp" } }])];
    if (SHARDED) args.push("--sharded");
    this.proc = spawn(PROBE, args, { stdio: ["pipe", "pipe", "inherit"] });
    this.events = [];
    this.waiters = [];
    let buffer = "";
    this.proc.stdout.on("data", (chunk) => {
      buffer += chunk;
      let nl;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const event = JSON.parse(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
        this.events.push(event);
        this.waiters = this.waiters.filter((w) => !w());
      }
    });
  }
  send(command) { this.proc.stdin.write(JSON.stringify(command) + "\n"); }
  // Resolves with the first event not yet taken that matches `predicate`.
  take(predicate, ms = 5000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no event; got ${JSON.stringify(this.events)}`)), ms);
      const check = () => {
        const i = this.events.findIndex(predicate);
        if (i < 0) return false;
        clearTimeout(timer);
        resolve(this.events.splice(i, 1)[0]);
        return true;
      };
      if (!check()) this.waiters.push(check);
    });
  }
  async stop() {
    this.send({ op: "quit" });
    await once(this.proc, "exit");
  }
}

let redis, io, http, pub, sub, probe, emitterClient;
const clients = {};
const received = { c1: [], c2: [], c3: [] };

before(async () => {
  redis = await startRedis();
  pub = createClient({ url: redis.url });
  sub = pub.duplicate();
  emitterClient = pub.duplicate();
  // The restart test kills Redis: the clients report it and reconnect by themselves.
  for (const c of [pub, sub, emitterClient]) c.on("error", () => {});
  await Promise.all([pub.connect(), sub.connect(), emitterClient.connect()]);
  http = createServer();
  io = new Server(http);
  io.adapter(SHARDED ? createShardedAdapter(pub, sub) : createAdapter(pub, sub, { requestsTimeout: 2000 }));
  io.on("ping-server", (payload, cb) => cb("node"));
  io.on("connection", (socket) => {
    socket.on("join", (room, cb) => { socket.join(room); cb(); });
    socket.on("question", () => {});
  });
  http.listen(0, "127.0.0.1");
  await once(http, "listening");
  const url = `http://127.0.0.1:${http.address().port}`;
  for (const name of ["c1", "c2", "c3"]) {
    const c = connectClient(url, { transports: ["websocket"] });
    c.onAny((event, ...args) => received[name].push([event, ...args]));
    c.on("question", (x, cb) => cb(`${name}:${x}`));
    clients[name] = c;
    await once(c, "connect");
  }
  await clients.c1.emitWithAck("join", "r1");
  await clients.c2.emitWithAck("join", "r2");
  probe = new Probe(redis.url);
  await probe.take((e) => e.event === "ready");
  if (SHARDED) {
    // The Node sharded adapter subscribes to a room's channel when the room appears.
    for (let i = 0; i < 200; i++) {
      const [, n] = await pub.sendCommand(["PUBSUB", "SHARDNUMSUB", "socket.io#/#r1#"]);
      if (n >= 2) break;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
});

after(async () => {
  await probe?.stop();
  for (const c of Object.values(clients)) c.disconnect();
  io?.close();
  await Promise.allSettled([pub?.quit(), sub?.quit(), emitterClient?.quit()]);
  await redis?.stop();
});

// Publishes from C++ then a sentinel to everyone; once every client has the sentinel, what
// each got before it is all it will get.
async function broadcastFromCpp(data, opts) {
  for (const r of Object.values(received)) r.length = 0;
  probe.send({ op: "broadcast", data, opts });
  probe.send({ op: "broadcast", data: ["sentinel"], opts: {} });
  await Promise.all(Object.values(received).map((r) => new Promise((resolve) => {
    const poll = () => (r.some(([e]) => e === "sentinel") ? resolve() : setTimeout(poll, 5));
    poll();
  })));
  return Object.fromEntries(Object.entries(received).map(([k, r]) => [k, r.filter(([e]) => e !== "sentinel")]));
}

describe(`C++ -> Node (${SHARDED ? "sharded" : "classic"})`, { concurrency: false }, () => {
  test("a broadcast to all reaches every Node client exactly once", async () => {
    const got = await broadcastFromCpp(["news", 1, { a: "b" }], {});
    for (const r of Object.values(got)) assert.deepEqual(r, [["news", 1, { a: "b" }]]);
  });

  test("a broadcast to a room reaches only its members", async () => {
    const got = await broadcastFromCpp(["room-news"], { rooms: ["r1"] });
    assert.deepEqual(got, { c1: [["room-news"]], c2: [], c3: [] });
  });

  test("except removes the members of the excepted rooms", async () => {
    const got = await broadcastFromCpp(["not-r1"], { except: ["r1"] });
    assert.deepEqual(got, { c1: [], c2: [["not-r1"]], c3: [["not-r1"]] });
  });

  test("a broadcast to two rooms reaches each member once", async () => {
    await clients.c1.emitWithAck("join", "r2");
    const got = await broadcastFromCpp(["both"], { rooms: ["r1", "r2"] });
    assert.deepEqual(got, { c1: [["both"]], c2: [["both"]], c3: [] });
  });

  test("binary nested at any depth arrives intact", async () => {
    const got = await broadcastFromCpp(["file", { $bin: "0001ff" }, { deep: [{ b: { $bin: "78797a" } }] }], {});
    for (const r of Object.values(got)) {
      assert.equal(r.length, 1);
      const [, top, nested] = r[0];
      assert.deepEqual(Buffer.from(top), Buffer.from([0, 1, 255]));
      assert.deepEqual(Buffer.from(nested.deep[0].b), Buffer.from("xyz"));
    }
  });

  test("a broadcast with acks collects every Node client's answer", async () => {
    probe.send({ op: "broadcast_ack", data: ["question", 7], opts: { flags: { timeout: 2000 } } });
    const count = await probe.take((e) => e.event === "client_count");
    assert.equal(count.n, 3);
    const acks = [];
    for (let i = 0; i < 3; i++) acks.push((await probe.take((e) => e.event === "ack")).value);
    assert.deepEqual(acks.sort(), ["c1:7", "c2:7", "c3:7"]);
  });

  test("the C++ node's server-side emit gets the Node node's answer", async () => {
    probe.send({ op: "sse", args: ["ping-server", "x"] });
    const done = await probe.take((e) => e.event === "sse_done");
    assert.deepEqual(done, { event: "sse_done", error: "", answers: ["node"] });
  });

  test("the C++ node's fetch gets the Node node's sockets", async () => {
    probe.send({ op: "fetch", opts: { rooms: ["r1"] } });
    const done = await probe.take((e) => e.event === "fetch_done");
    assert.equal(done.error, "");
    assert.deepEqual(done.answers.map((s) => s.id), [clients.c1.id]);
    assert.deepEqual(done.answers[0].rooms.sort(), [clients.c1.id, "r1", "r2"].sort());
    assert.equal(typeof done.answers[0].handshake, "object");
  });
});

describe(`Node -> C++ (${SHARDED ? "sharded" : "classic"})`, { concurrency: false }, () => {
  test("the C++ node decodes the Node adapter's broadcasts, binary included", async () => {
    io.emit("hello", "world", Buffer.from([1, 2, 3]), { nested: { b: Buffer.from("xyz") } });
    const e = await probe.take((e) => e.event === "broadcast");
    assert.deepEqual(e.data, ["hello", "world", { $bin: "010203" }, { nested: { b: { $bin: "78797a" } } }]);
    assert.equal(e.type, 2);
    assert.equal(e.nsp, "/");
    assert.deepEqual(e.opts.rooms, []);
  });

  test("a room broadcast arrives with its rooms and except, and one for a room not held does not", async () => {
    io.to("elsewhere").emit("not-for-cpp");
    io.to("r1").except("r2").emit("roomy", 1);
    const e = await probe.take((e) => e.event === "broadcast");
    assert.deepEqual(e.data, ["roomy", 1]);
    assert.deepEqual(e.opts.rooms, ["r1"]);
    assert.deepEqual(e.opts.except, ["r2"]);
  });

  test("Node's fetchSockets includes the C++ node's sockets", async () => {
    const sockets = await io.fetchSockets();
    const ids = sockets.map((s) => s.id).sort();
    assert.deepEqual(ids, [clients.c1.id, clients.c2.id, clients.c3.id, CPP_SOCKET].sort());
    const cpp = sockets.find((s) => s.id === CPP_SOCKET);
    assert.deepEqual(cpp.data, { who: "cpp" });
    assert.ok(cpp.rooms.has("r1"));
    await probe.take((e) => e.event === "fetch");
  });

  test("Node's serverSideEmitWithAck gets the C++ node's answer", async () => {
    const answers = await io.serverSideEmitWithAck("ping-server", "p");
    assert.deepEqual(answers, ["cpp-probe"]);
    const e = await probe.take((e) => e.event === "server_side_emit");
    assert.deepEqual(e.args, ["ping-server", "p"]);
    assert.equal(e.with_ack, true);
  });

  test("socketsJoin and disconnectSockets reach the C++ node", async () => {
    io.in(CPP_SOCKET).socketsJoin("room9");
    const join = await probe.take((e) => e.event === "sockets_join");
    assert.deepEqual(join.opts.rooms, [CPP_SOCKET]);
    assert.deepEqual(join.rooms, ["room9"]);
    io.in(CPP_SOCKET).disconnectSockets(true);
    const d = await probe.take((e) => e.event === "disconnect_sockets");
    assert.equal(d.close, true);
  });

  test("broadcasts of @socket.io/redis-emitter are decoded", { skip: SHARDED && "redis-emitter 5.1 has no sharded mode" }, async () => {
    const emitter = new Emitter(emitterClient);
    emitter.emit("from-emitter", Buffer.from([9]));
    emitter.to("r1").except("r2").emit("emitter-room", { x: 1 });
    const all = await probe.take((e) => e.event === "broadcast" && e.data[0] === "from-emitter");
    assert.deepEqual(all.data, ["from-emitter", { $bin: "09" }]);
    const room = await probe.take((e) => e.event === "broadcast" && e.data[0] === "emitter-room");
    assert.deepEqual(room.opts.rooms, ["r1"]);
    assert.deepEqual(room.opts.except, ["r2"]);
  });
});

describe(`after a Redis restart (${SHARDED ? "sharded" : "classic"})`, { concurrency: false }, () => {
  test("both sides subscribe again and broadcasts flow both ways within seconds", async () => {
    await redis.stop();
    probe.send({ op: "health" });
    const down = await probe.take((e) => e.event === "health");
    assert.equal(down.ok, false);
    redis = await startRedis(redis.port);
    const deadline = Date.now() + 10000;
    for (;;) {
      probe.send({ op: "health" });
      const h = await probe.take((e) => e.event === "health");
      if (h.ok) break;
      assert.ok(Date.now() < deadline, `not subscribed again: ${h.last_error}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    // node-redis subscribes again on its own; wait until both nodes count as servers.
    for (;;) {
      const [, n] = await pub.sendCommand(SHARDED ? ["PUBSUB", "SHARDNUMSUB", "socket.io#/#"]
        : ["PUBSUB", "NUMSUB", "socket.io-request#/#"]);
      if (n === 2) break;
      assert.ok(Date.now() < deadline, "the Node node did not subscribe again");
      await new Promise((r) => setTimeout(r, 50));
    }
    const got = await broadcastFromCpp(["after-restart"], {});
    for (const r of Object.values(got)) assert.deepEqual(r, [["after-restart"]]);
    io.emit("node-after-restart");
    const e = await probe.take((e) => e.event === "broadcast" && e.data[0] === "node-after-restart");
    assert.deepEqual(e.opts.rooms, []);
  });
});
