// A cluster on one redis-server: two switchboard nodes (build/bin/cluster_node, 2 shards each)
// and one Node.js node (cluster_node_reference.mjs: socket.io 4.8 + @socket.io/redis-adapter
// 8.3), official socket.io-client on each, over WebSocket and over polling. Every operation of
// the cluster_node contract, started from each kind of node, reaches each targeted client on
// every node exactly once and no one else. SB_CLUSTER_FORMAT=sharded runs the sharded format.
import assert from "node:assert/strict";
import { once } from "node:events";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { Emitter } from "@socket.io/redis-emitter";
import { createClient } from "redis";
import { io as connectClient } from "socket.io-client";
import { startServer } from "./lib/process.mjs";
import { freePort } from "./lib/process.mjs";
import { startRedis } from "./lib/redis.mjs";

const NODE_BINARY = process.env.SB_CLUSTER_NODE;
assert.ok(NODE_BINARY, "set SB_CLUSTER_NODE");
const SHARDED = process.env.SB_CLUSTER_FORMAT === "sharded";
const REFERENCE = path.join(path.dirname(fileURLToPath(import.meta.url)), "cluster_node_reference.mjs");

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// Retries `fn` until it returns a truthy value or `ms` pass (for effects that follow an ack).
async function eventually(fn, ms = 5000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await sleep(25);
  }
}

let redis, redisPort, emitterClient;
const nodes = {}; // name -> {port, stop, kind}
const clients = []; // {name, node, socket, id, got: []}

function ask(client, event, ...args) {
  return client.socket.timeout(8000).emitWithAck(event, ...args);
}
// Resolves when every client in `who` has an event matching `match`.
function arrived(who, match) {
  return eventually(() => who.every((c) => c.got.some(match)), 8000);
}
const count = (c, match) => c.got.filter(match).length;

async function startNode(kind, name, port) {
  const mode = SHARDED ? ["--sharded"] : [];
  if (kind === "cpp") {
    const s = await startServer(NODE_BINARY, ["--redis", `redis://127.0.0.1:${redisPort}`, "--name", name,
      "--shards", "2", ...mode], { fixedPort: port, timeoutMs: 30000 });
    return { ...s, kind };
  }
  const s = await startServer(process.execPath, [REFERENCE, "--redis", `redis://127.0.0.1:${redisPort}`,
    "--name", name, ...mode], { fixedPort: port, timeoutMs: 30000, argsFirst: true });
  return { ...s, kind };
}

before(async () => {
  redisPort = await freePort();
  redis = await startRedis(redisPort);
  nodes.cppA = await startNode("cpp", "cppA", await freePort());
  nodes.cppB = await startNode("cpp", "cppB", await freePort());
  nodes.nodeJs = await startNode("node", "nodeJs", await freePort());
  for (const [node, { port }] of Object.entries(nodes)) {
    for (const transport of ["websocket", "polling"]) {
      const socket = connectClient(`http://127.0.0.1:${port}`, { transports: [transport], reconnection: false });
      const c = { name: `${node}-${transport}`, node, socket, got: [] };
      socket.onAny((event, ...args) => c.got.push([event, ...args]));
      socket.on("question", (x, cb) => cb(`${c.name}:${x}`));
      await once(socket, "connect");
      const me = await ask(c, "whoami");
      assert.equal(me.node, node);
      c.id = me.id;
      assert.equal(c.id.length, 20);
      clients.push(c);
    }
  }
  emitterClient = createClient({ url: `redis://127.0.0.1:${redisPort}` });
  emitterClient.on("error", () => {});
  await emitterClient.connect();
});

after(async () => {
  for (const c of clients) c.socket.disconnect();
  await emitterClient?.quit().catch(() => {});
  for (const n of Object.values(nodes)) await n.stop().catch(() => {});
  await redis?.stop();
});

const from = (node) => clients.find((c) => c.node === node && c.name.endsWith("websocket"));

test("everyone, from each kind of node, reaches every client on every node exactly once", async () => {
  for (const node of Object.keys(nodes)) {
    const tag = `all-${node}`;
    assert.equal(await ask(from(node), "everyone", { tag }), true);
    await arrived(clients, (e) => e[0] === "bcast" && e[1]?.tag === tag);
    // A later broadcast from the same node has arrived everywhere: the first is not coming again.
    await ask(from(node), "everyone", { tag: `${tag}-marker` });
    await arrived(clients, (e) => e[0] === "bcast" && e[1]?.tag === `${tag}-marker`);
    for (const c of clients) assert.equal(count(c, (e) => e[0] === "bcast" && e[1]?.tag === tag), 1, c.name);
  }
});

test("rooms and except across nodes, binary intact, once for a socket in two targeted rooms", async () => {
  // Rooms: clients 0,2,4 in "red"; 0,1,3 in "blue"; 4 in "green".
  const joins = { 0: ["red", "blue"], 1: ["blue"], 2: ["red"], 3: ["blue"], 4: ["red", "green"] };
  for (const [i, rooms] of Object.entries(joins)) {
    for (const room of rooms) await ask(clients[i], "join", room);
  }
  assert.deepEqual(await ask(clients[0], "join", "red"), ["blue", "red"]);
  const bytes = Buffer.alloc(70000, 7);
  bytes[0] = 1;
  for (const node of Object.keys(nodes)) {
    const event = `to-${node}`;
    await ask(from(node), "to", { rooms: ["red", "blue"], except: ["green"], event,
      args: [{ nested: { bin: bytes } }, "x"] });
    const want = [0, 1, 2, 3].map((i) => clients[i]);
    await arrived(want, (e) => e[0] === event);
    await ask(from(node), "everyone", { tag: `${event}-marker` });
    await arrived(clients, (e) => e[0] === "bcast" && e[1]?.tag === `${event}-marker`);
    clients.forEach((c, i) => {
      const got = c.got.filter((e) => e[0] === event);
      assert.equal(got.length, i <= 3 ? 1 : 0, `${c.name} ${event}`);
      if (got.length) {
        assert.ok(Buffer.from(got[0][1].nested.bin).equals(bytes), "binary intact");
        assert.equal(got[0][2], "x");
      }
    });
    // A socket id is a room: direct to one client of another node.
    const target = clients[5];
    await ask(from(node), "to", { rooms: [target.id], event: `direct-${node}`, args: [node] });
    await arrived([target], (e) => e[0] === `direct-${node}`);
  }
});

test("a broadcast to exactly one room (its own channel) reaches that room on every node", async () => {
  const rooms = { red: [0, 2, 4], blue: [0, 1, 3] };
  for (const node of Object.keys(nodes)) {
    for (const [room, members] of Object.entries(rooms)) {
      const event = `one-${room}-${node}`;
      await ask(from(node), "to", { rooms: [room], event, args: [room] });
      await arrived(members.map((i) => clients[i]), (e) => e[0] === event);
      await ask(from(node), "everyone", { tag: `${event}-marker` });
      await arrived(clients, (e) => e[0] === "bcast" && e[1]?.tag === `${event}-marker`);
      clients.forEach((c, i) => assert.equal(count(c, (e) => e[0] === event), members.includes(i) ? 1 : 0, `${c.name} ${event}`));
    }
  }
});

test("fetch from each node sees every socket of the cluster with its rooms", async () => {
  const all = clients.map((c) => c.id).sort();
  for (const node of Object.keys(nodes)) {
    const list = await ask(from(node), "fetch", {});
    assert.deepEqual(list.map((s) => s.id), all, node);
    const red = await ask(from(node), "fetch", { room: "red" });
    assert.deepEqual(red.map((s) => s.id), [0, 2, 4].map((i) => clients[i].id).sort(), node);
    assert.deepEqual(red.find((s) => s.id === clients[4].id).rooms, ["green", "red"]);
  }
});

// Dynamic namespaces (a regex parent, /^\/dyn-\d+$/ on every node): each child has an adapter
// of its own, whether a client or the server's own code named it first (Node's io.of(name)).
test("a dynamic namespace's child crosses nodes: from a client or from server code, once, not to another child", async () => {
  const dyn = [];
  const join = async (node, nsp) => {
    const socket = connectClient(`http://127.0.0.1:${nodes[node].port}${nsp}`, { transports: ["websocket"], reconnection: false });
    const c = { name: `${node}${nsp}`, node, nsp, socket, got: [] };
    socket.onAny((event, ...args) => c.got.push([event, ...args]));
    dyn.push(c);
    await once(socket, "connect");
    const me = await ask(c, "whoami");
    assert.deepEqual([me.node, me.nsp], [node, nsp], "the child has its parent's handlers");
    return c;
  };
  const bcast = (tag) => (e) => e[0] === "bcast" && e[1]?.tag === tag;
  try {
    for (const node of Object.keys(nodes)) for (const nsp of ["/dyn-1", "/dyn-2"]) await join(node, nsp);
    const one = dyn.filter((c) => c.nsp === "/dyn-1");
    const tags = [];
    for (const node of Object.keys(nodes)) {
      const tag = `dyn-${node}`;
      assert.equal(await ask(one.find((c) => c.node === node), "everyone", { tag }), true);
      await arrived(one, bcast(tag));
      const named = `dyn-named-${node}`;
      assert.equal(await ask(from(node), "dyn-everyone", { nsp: "/dyn-1", payload: { tag: named } }), true);
      await arrived(one, bcast(named));
      tags.push(tag, named);
    }
    await ask(one[0], "everyone", { tag: "dyn-marker" });
    await arrived(one, bcast("dyn-marker"));
    for (const c of [...dyn, ...clients]) {
      for (const tag of tags) assert.equal(count(c, bcast(tag)), c.nsp === "/dyn-1" ? 1 : 0, `${c.name} ${tag}`);
    }
    // /dyn-7 has clients on cppB and nodeJs only; cppA's code names it first (its child is made
    // then, with an adapter: its broadcast reaches the others), and a client that comes later
    // to cppA's /dyn-7 is served by the parent's handlers.
    const seven = [await join("cppB", "/dyn-7"), await join("nodeJs", "/dyn-7")];
    let n = 0;
    await eventually(async () => {
      await ask(from("cppA"), "dyn-everyone", { nsp: "/dyn-7", payload: { tag: `seven-${n++}` } });
      return seven.every((c) => c.got.some((e) => e[0] === "bcast" && e[1]?.tag?.startsWith("seven-")));
    });
    seven.push(await join("cppA", "/dyn-7"));
    await ask(seven[2], "everyone", { tag: "seven-from-cppA" });
    await arrived(seven, bcast("seven-from-cppA"));
  } finally {
    for (const c of dyn) c.socket.disconnect();
  }
});

test("remote join / leave / disconnect reach a socket on another node, from each kind of node", async () => {
  for (const node of Object.keys(nodes)) {
    const target = clients.find((c) => c.node !== node && !c.got.some((e) => e[0] === "disconnect"));
    const room = `remote-${node}`;
    assert.equal(await ask(from(node), "remote-join", { id: target.id, room }), true);
    await eventually(async () => (await ask(from(node), "fetch", { room })).some((s) => s.id === target.id));
    assert.equal(await ask(from(node), "remote-leave", { id: target.id, room }), true);
    await eventually(async () => (await ask(from(node), "fetch", { room })).length === 0);
  }
  // remote-disconnect: a client of each other kind of node, disconnected from afar.
  for (const [node, victimNode, transport] of [["nodeJs", "cppB", "polling"], ["cppA", "nodeJs", "websocket"],
    ["cppB", "cppA", "websocket"]]) {
    const socket = connectClient(`http://127.0.0.1:${nodes[victimNode].port}`, { transports: [transport], reconnection: false });
    await once(socket, "connect");
    const { id } = await socket.timeout(8000).emitWithAck("whoami");
    const gone = once(socket, "disconnect");
    assert.equal(await ask(from(node), "remote-disconnect", { id }), true);
    assert.equal((await gone)[0], "io server disconnect", `${node} -> ${victimNode}`);
  }
});

test("server-side emit with ack and client acks count every node", async () => {
  const names = Object.keys(nodes);
  for (const node of names) {
    const started = Date.now();
    const answers = await ask(from(node), "ask-servers", "ping");
    assert.deepEqual(answers, names.filter((n) => n !== node).sort(), node);
    assert.ok(Date.now() - started < 1500, "answers come without waiting for the timeout");
    const replies = await ask(from(node), "ask-clients", { room: "red", payload: "q" });
    assert.deepEqual(replies, [0, 2, 4].map((i) => `${clients[i].name}:q`).sort(), node);
  }
});

// @socket.io/redis-emitter in classic mode; in sharded mode (redis-emitter 5.1 has none) the
// same broadcast as a sharded ClusterMessage with uid "emitter", as the contract allows.
function emit(event, arg, { rooms = [], except = [] } = {}) {
  if (!SHARDED) {
    let op = new Emitter(emitterClient);
    for (const r of rooms) op = op.to(r);
    for (const r of except) op = op.except(r);
    op.emit(event, arg);
    return;
  }
  const message = { uid: "emitter", nsp: "/", type: 3,
    data: { opts: { rooms, except, flags: {} }, packet: { type: 2, data: [event, arg] } } };
  emitterClient.sendCommand(["SPUBLISH", "socket.io#/#", JSON.stringify(message)]);
}

test("emitter messages are delivered by every node", async () => {
  emit("em-all", 1);
  await arrived(clients, (e) => e[0] === "em-all");
  emit("em-red", 2, { rooms: ["red"], except: ["green"] });
  await arrived([0, 2].map((i) => clients[i]), (e) => e[0] === "em-red");
  emit("em-marker", 3);
  await arrived(clients, (e) => e[0] === "em-marker");
  clients.forEach((c, i) => {
    assert.equal(count(c, (e) => e[0] === "em-all"), 1, c.name);
    assert.equal(count(c, (e) => e[0] === "em-red"), i === 0 || i === 2 ? 1 : 0, c.name);
  });
});

test("a Redis restart: broadcasts flow again within seconds, exactly once", async () => {
  await redis.stop();
  // While Redis is away a switchboard node still serves its own clients (both shards).
  await ask(from("cppA"), "everyone", { tag: "while-down" });
  await arrived(clients.filter((c) => c.node === "cppA"), (e) => e[0] === "bcast" && e[1]?.tag === "while-down");
  redis = await startRedis(redisPort);
  // Some broadcast sent after the restart reaches every client (those sent before the
  // subscriptions are back reach only cppA's own clients).
  const tag = "after-restart";
  let n = 0;
  const everywhere = (k) => clients.every((c) => c.got.some((e) => e[0] === "bcast" && e[1]?.tag === `${tag}-${k}`));
  await eventually(async () => {
    await ask(from("cppA"), "everyone", { tag: `${tag}-${n++}` });
    for (let k = 0; k < n; k++) if (everywhere(k)) return true;
    return false;
  }, 15000);
  // From the Node node too, and then exactly once (no doubled subscription).
  const once1 = "node-after-restart";
  await ask(from("nodeJs"), "everyone", { tag: once1 });
  await arrived(clients, (e) => e[0] === "bcast" && e[1]?.tag === once1);
  await ask(from("nodeJs"), "everyone", { tag: `${once1}-marker` });
  await arrived(clients, (e) => e[0] === "bcast" && e[1]?.tag === `${once1}-marker`);
  for (const c of clients) assert.equal(count(c, (e) => e[0] === "bcast" && e[1]?.tag === once1), 1, c.name);
  const cppTag = "cpp-after-restart";
  await ask(from("cppB"), "everyone", { tag: cppTag });
  await arrived(clients, (e) => e[0] === "bcast" && e[1]?.tag === cppTag);
  await ask(from("cppB"), "everyone", { tag: `${cppTag}-marker` });
  await arrived(clients, (e) => e[0] === "bcast" && e[1]?.tag === `${cppTag}-marker`);
  for (const c of clients) assert.equal(count(c, (e) => e[0] === "bcast" && e[1]?.tag === cppTag), 1, c.name);
  await eventually(async () => (await ask(from("cppB"), "ask-servers", "p")).length === 2, 15000);
});

test("a node that stops leaves the server count and the answers; nothing hangs", async () => {
  const started = Date.now();
  assert.equal(await nodes.cppB.stop(), 0);
  assert.ok(Date.now() - started < 5000, "exits within 5 s of SIGTERM");
  const live = clients.filter((c) => c.node !== "cppB");
  for (const node of ["cppA", "nodeJs"]) {
    const t = Date.now();
    assert.deepEqual(await ask(from(node), "ask-servers", "p"), ["cppA", "nodeJs"].filter((n) => n !== node));
    const list = await ask(from(node), "fetch", {});
    assert.deepEqual(list.map((s) => s.id), live.map((c) => c.id).sort());
    assert.ok(Date.now() - t < 1500, `${node}: no request waited for a timeout`);
  }
  // The same command on the same port starts again and rejoins the cluster.
  nodes.cppB = await startNode("cpp", "cppB", nodes.cppB.port);
  await eventually(async () => (await ask(from("cppA"), "ask-servers", "p")).length === 2, 10000);
  assert.deepEqual(await ask(from("nodeJs"), "ask-servers", "p"), ["cppA", "cppB"]);
});
