// Connection state recovery kept in Redis (docs/decisions/014): two cluster_node processes
// with --recovery (2 shards each) on one redis-server, an official socket.io-client reaching
// them through a TCP proxy that plays the load balancer. A client whose node is killed, or
// whose connection is cut, comes back on the other node with its id, its rooms and every packet
// it missed, once and in order; also with no packet before the drop (socket.io #5538), again
// and again (#4880, #5419), and after every node restarted (#5413).
// SB_RECOVERY_TRANSPORT=polling runs it over long polling, SB_CLUSTER_FORMAT=sharded in the
// sharded format.
import assert from "node:assert/strict";
import { once } from "node:events";
import net from "node:net";
import { after, before, test } from "node:test";
import { createClient } from "redis";
import { io as connectClient } from "socket.io-client";
import { startServer } from "./lib/process.mjs";
import { freePort } from "./lib/process.mjs";
import { startRedis } from "./lib/redis.mjs";

const NODE_BINARY = process.env.SB_CLUSTER_NODE;
assert.ok(NODE_BINARY, "set SB_CLUSTER_NODE");
const TRANSPORT = process.env.SB_RECOVERY_TRANSPORT || "websocket";
const MODE = process.env.SB_CLUSTER_FORMAT === "sharded" ? ["--sharded"] : [];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function eventually(fn, ms = 8000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await sleep(20);
  }
}

// The balancer: forwards each connection to the current node; `block` refuses new ones,
// `cut` drops the open ones (the client sees its transport close).
function startProxy() {
  const open = new Set();
  const proxy = { target: 0, blocked: false };
  const server = net.createServer((client) => {
    if (proxy.blocked) return client.destroy();
    const upstream = net.connect(proxy.target, "127.0.0.1");
    const pair = { client, upstream };
    open.add(pair);
    const close = () => { client.destroy(); upstream.destroy(); open.delete(pair); };
    client.on("error", close).on("close", close);
    upstream.on("error", close).on("close", close);
    client.pipe(upstream).pipe(client);
  });
  proxy.cut = () => { for (const { client, upstream } of open) { client.destroy(); upstream.destroy(); } };
  proxy.listen = async () => {
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    proxy.port = server.address().port;
  };
  proxy.close = () => { proxy.cut(); server.close(); };
  return proxy;
}

let redis, redisPort, store, proxy;
const nodes = {}; // name -> {port, stop, proc}
const clients = [];

async function startNode(name, port) {
  const s = await startServer(NODE_BINARY, ["--redis", `redis://127.0.0.1:${redisPort}`, "--name", name,
    "--shards", "2", "--recovery", ...MODE], { fixedPort: port, timeoutMs: 30000 });
  nodes[name] = { ...s, name };
  return nodes[name];
}
async function kill(name) {
  const { proc } = nodes[name];
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = once(proc, "exit");
  proc.kill("SIGKILL");
  await exited;
}

// A client through the balancer, recording every event with its arguments.
async function balancedClient() {
  const socket = connectClient(`http://127.0.0.1:${proxy.port}`, {
    transports: [TRANSPORT], reconnectionDelay: 50, reconnectionDelayMax: 100, randomizationFactor: 0,
  });
  const c = { socket, got: [] };
  socket.onAny((event, ...args) => c.got.push([event, ...args]));
  clients.push(socket);
  await once(socket, "connect");
  return c;
}
// A client straight to one node, to emit from there.
async function directClient(name) {
  const socket = connectClient(`http://127.0.0.1:${nodes[name].port}`, { transports: ["websocket"], reconnection: false });
  clients.push(socket);
  await once(socket, "connect");
  return socket;
}
const ask = (socket, event, ...args) => socket.timeout(8000).emitWithAck(event, ...args);
// What the session kept in Redis says (written while the socket is connected).
async function keptRooms(socket) {
  const json = await store.hGet(`socket.io#/#session#${socket._pid}`, "session");
  return json ? JSON.parse(json).rooms.filter((r) => r !== socket.id).sort() : null;
}
// Joins `room` and waits until Redis has it.
async function join(c, room) {
  const rooms = await ask(c.socket, "join", room);
  assert.ok(rooms.includes(room));
  await eventually(async () => (await keptRooms(c.socket))?.includes(room));
}
// Takes the client off the balancer until `back` (its transport closes).
async function drop(c, how) {
  proxy.blocked = true;
  const gone = once(c.socket, "disconnect");
  await how();
  await gone;
}
async function back(c, to) {
  proxy.target = nodes[to].port;
  const connected = once(c.socket, "connect");
  proxy.blocked = false;
  await connected;
}
// Emits `m` with payloads `tags` to `rooms` from a direct client of `name`, one after another.
async function emitFrom(socket, rooms, tags, event = "m") {
  for (const tag of tags) assert.equal(await ask(socket, "to", { rooms, event, args: [tag] }), true);
}
// How many entries the recovery stream ever took (XINFO's entries-added: trimming keeps it).
async function appended() {
  const stream = "socket.io#/#recovery";
  if (!(await store.exists(stream))) return 0;
  const info = await store.sendCommand(["XINFO", "STREAM", stream]);
  return Number(info[info.indexOf("entries-added") + 1]);
}
const received = (c, event = "m") => c.got.filter(([e]) => e === event).map(([, tag]) => tag);

before(async () => {
  redisPort = await freePort();
  redis = await startRedis(redisPort);
  store = createClient({ url: `redis://127.0.0.1:${redisPort}` });
  store.on("error", () => {});
  await store.connect();
  await startNode("A", await freePort());
  await startNode("B", await freePort());
  proxy = startProxy();
  proxy.target = nodes.A.port;
  await proxy.listen();
});

after(async () => {
  for (const s of clients) s.disconnect();
  proxy?.close();
  await store?.quit().catch(() => {});
  for (const n of Object.values(nodes)) await n.stop().catch(() => {});
  await redis?.stop();
});

test("a client whose node is killed comes back on another node with its id, rooms and every missed packet, once and in order", async () => {
  const c = await balancedClient();
  const me = await ask(c.socket, "whoami");
  assert.equal(me.node, "A");
  await join(c, "r1");
  const fromB = await directClient("B");
  await emitFrom(fromB, ["r1"], ["m0"]);
  await eventually(() => received(c).length === 1);
  await drop(c, () => kill("A"));
  await emitFrom(fromB, ["r1"], ["m1", "m2", "m3"]);
  await emitFrom(fromB, ["elsewhere"], ["not-for-it"]);
  await emitFrom(fromB, ["r1"], ["m4"]);
  await back(c, "B");
  assert.equal(c.socket.recovered, true);
  assert.equal(c.socket.id, me.id);
  const again = await ask(c.socket, "whoami");
  assert.deepEqual(again, { id: me.id, node: "B" });
  assert.deepEqual(await ask(c.socket, "leave", "never-joined"), ["r1"]);
  await emitFrom(fromB, ["r1"], ["m5"]);
  await eventually(() => received(c).includes("m5"));
  assert.deepEqual(received(c), ["m0", "m1", "m2", "m3", "m4", "m5"]);
  fromB.disconnect();
  c.socket.disconnect();
  await startNode("A", nodes.A.port);
});

test("a client that was sent nothing before the drop recovers too (socket.io #5538)", async () => {
  proxy.target = nodes.A.port;
  const c = await balancedClient();
  const me = await ask(c.socket, "whoami");
  assert.equal(me.node, "A");
  await join(c, "r2");
  await drop(c, async () => proxy.cut());
  const fromB = await directClient("B");
  await emitFrom(fromB, ["r2"], ["n1", "n2"]);
  await emitFrom(fromB, [me.id], ["n3"]); // to its own room
  await back(c, "B");
  assert.equal(c.socket.recovered, true);
  assert.equal(c.socket.id, me.id);
  await eventually(() => received(c).length === 3);
  assert.deepEqual(received(c), ["n1", "n2", "n3"]);
  fromB.disconnect();
  c.socket.disconnect();
});

test("the same client recovers again and again, from node to node (socket.io #4880, #5419)", async () => {
  proxy.target = nodes.A.port;
  const c = await balancedClient();
  const id = c.socket.id;
  await join(c, "r3");
  const emitters = { A: await directClient("A"), B: await directClient("B") };
  const expected = [];
  let on = "A";
  for (let round = 1; round <= 4; round++) {
    const next = on === "A" ? "B" : "A";
    await drop(c, async () => proxy.cut());
    const tags = [`k${round}a`, `k${round}b`];
    await emitFrom(emitters[round % 2 ? "A" : "B"], ["r3"], tags);
    expected.push(...tags);
    await back(c, next);
    assert.equal(c.socket.recovered, true, `round ${round}`);
    assert.equal(c.socket.id, id);
    assert.equal((await ask(c.socket, "whoami")).node, next);
    await eventually(() => received(c).length === expected.length);
    assert.deepEqual(received(c), expected);
    on = next;
  }
  for (const s of Object.values(emitters)) s.disconnect();
  c.socket.disconnect();
});

test("packets emitted from two nodes while the client comes back reach it once each and in order", async () => {
  proxy.target = nodes.A.port;
  const c = await balancedClient();
  await join(c, "r6");
  const emitters = { A: await directClient("A"), B: await directClient("B") };
  await drop(c, async () => proxy.cut());
  const tags = (p) => Array.from({ length: 120 }, (_, i) => `${p}${i}`);
  let started = 0;
  const burst = async (from, list) => {
    for (const tag of list) {
      started++;
      assert.equal(await ask(emitters[from], "to", { rooms: ["r6"], event: "m", args: [tag] }), true);
    }
  };
  const bursts = Promise.all([burst("A", tags("a")), burst("B", tags("b"))]);
  await eventually(() => started > 40);
  await back(c, "B"); // in the middle of both bursts
  assert.equal(c.socket.recovered, true);
  await bursts;
  // An emit is answered before its node's append reaches Redis, so a packet from B could
  // overtake A's last ones: "end" goes out once all 240 arrived (a duplicate still shows).
  await eventually(() => received(c).length >= 240);
  await emitFrom(emitters.B, ["r6"], ["end"]); // after everything: nothing comes after it
  await eventually(() => received(c).includes("end"));
  const got = received(c);
  assert.equal(got.pop(), "end");
  assert.equal(got.length, 240, "no packet twice");
  assert.deepEqual(got.filter((t) => t.startsWith("a")), tags("a"));
  assert.deepEqual(got.filter((t) => t.startsWith("b")), tags("b"));
  for (const s of Object.values(emitters)) s.disconnect();
  c.socket.disconnect();
});

test("a client recovers after every node was killed and restarted (socket.io #5413)", async () => {
  proxy.target = nodes.A.port;
  const c = await balancedClient();
  const id = c.socket.id;
  await join(c, "r4");
  let fromB = await directClient("B");
  await emitFrom(fromB, ["r4"], ["p0"]);
  await eventually(() => received(c).length === 1);
  await drop(c, async () => proxy.cut());
  const kept = await appended();
  await emitFrom(fromB, ["r4"], ["p1"]);
  // An emit is answered before its node's append reaches Redis (as in Node's socket.io): a
  // node killed right after the answer may take the packet with it, which nothing promises.
  // p1 is in the stream before B dies (without this wait, p1 was lost once in ~30 loaded runs).
  await eventually(async () => (await appended()) > kept);
  fromB.disconnect();
  await kill("A");
  await kill("B");
  await startNode("A", nodes.A.port);
  await startNode("B", nodes.B.port);
  fromB = await directClient("B");
  await emitFrom(fromB, ["r4"], ["p2"]);
  await back(c, "A");
  assert.equal(c.socket.recovered, true);
  assert.equal(c.socket.id, id);
  await eventually(() => received(c).length === 3);
  assert.deepEqual(received(c), ["p0", "p1", "p2"]);
  assert.deepEqual(await ask(c.socket, "leave", "never-joined"), ["r4"]);
  fromB.disconnect();
  c.socket.disconnect();
});

test("a client whose session is not in Redis (expired, or never there) starts afresh", async () => {
  proxy.target = nodes.A.port;
  const c = await balancedClient();
  const id = c.socket.id;
  await join(c, "r5");
  await drop(c, async () => proxy.cut());
  // A pid Redis does not know (the old node writes the real session back when it sees the
  // loss, as it should after an expiry while connected).
  c.socket._pid = "unknownpidAAAAAAAAAA";
  await back(c, "B");
  assert.equal(c.socket.recovered, false);
  assert.notEqual(c.socket.id, id);
  assert.deepEqual(await ask(c.socket, "leave", "never-joined"), []);
  c.socket.disconnect();
});
