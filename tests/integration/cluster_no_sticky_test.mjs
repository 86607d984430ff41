// No sticky sessions (docs/decisions/013-no-sticky-sessions.md): two cluster_node processes
// (2 shards each) on one redis-server behind nginx from Debian as a plain round-robin
// balancer, without stickiness. Every request of a polling client goes to the next node in
// turn, so about half reach a node that does not own the session and must be relayed to its
// owner: without the relay these clients fail at once ("Session ID unknown"). Official clients
// (socket.io-client on polling only and with the upgrade, python-socketio on polling only)
// exchange acknowledged events, join rooms and receive broadcasts sent from the other node.
// SB_CLUSTER_NODE: the binary; SB_NODE_EXTRA_ARGS: more arguments for it ("--sticky" shows
// the failure without the relay).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { io } from "socket.io-client";
import { startServer } from "./lib/process.mjs";
import { freePort } from "./lib/process.mjs";

const NODE_BINARY = process.env.SB_CLUSTER_NODE;
assert.ok(NODE_BINARY, "set SB_CLUSTER_NODE");
const NGINX = process.env.SB_NGINX || "nginx";
const PYTHON = process.env.SB_PYTHON || "python3";
const EXTRA = (process.env.SB_NODE_EXTRA_ARGS || "").split(" ").filter(Boolean);
const PY_CLIENT = path.join(path.dirname(fileURLToPath(import.meta.url)), "cluster_polling_client.py");


async function waitForPort(port, what, proc) {
  for (let i = 0; i < 500; i++) {
    if (proc.exitCode !== null) throw new Error(`${what} exited with ${proc.exitCode}`);
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, "127.0.0.1", () => { s.destroy(); resolve(true); });
      s.on("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${what} did not listen`);
}

async function kill(proc, signal = "SIGTERM") {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = once(proc, "exit");
  proc.kill(signal);
  const timer = setTimeout(() => proc.kill("SIGKILL"), 10000);
  await exited;
  clearTimeout(timer);
}

let dir, redis, nginx, balancer;
const nodes = [];
const sockets = [];

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "sb-nosticky-"));
  const redisPort = await freePort();
  redis = spawn("redis-server", ["--port", String(redisPort), "--bind", "127.0.0.1", "--save", "",
    "--appendonly", "no"], { stdio: "ignore" });
  await waitForPort(redisPort, "redis-server", redis);
  for (const name of ["a", "b"]) {
    const port = await freePort();
    nodes.push(await startServer(NODE_BINARY, ["--redis", `redis://127.0.0.1:${redisPort}`,
      "--name", name, "--shards", "2", ...EXTRA], { fixedPort: port, timeoutMs: 30000 }));
  }
  const port = await freePort();
  // Round robin, no stickiness (no ip_hash, no cookie): each request goes to the next node.
  writeFileSync(path.join(dir, "nginx.conf"), `
${process.getuid?.() === 0 ? "user root;" : ""}
daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
  upstream nodes {
    server 127.0.0.1:${nodes[0].port};
    server 127.0.0.1:${nodes[1].port};
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://nodes;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_buffering off;
      proxy_next_upstream off;
      proxy_read_timeout 60s;
    }
  }
}
`);
  nginx = spawn(NGINX, ["-p", dir, "-c", path.join(dir, "nginx.conf"), "-e", path.join(dir, "error.log")],
    { stdio: "inherit" });
  await waitForPort(port, "nginx", nginx);
  balancer = `http://127.0.0.1:${port}`;
});

after(async () => {
  for (const s of sockets.splice(0)) s.close();
  if (nginx) await kill(nginx, "SIGQUIT");
  for (const n of nodes) assert.equal(await n.stop(), 0);
  if (redis) await kill(redis, "SIGKILL");
  try {
    const log = readFileSync(path.join(dir, "error.log"), "utf8");
    if (/\[(error|crit|alert|emerg)\]/.test(log)) console.log(log);
  } catch {}
  rmSync(dir, { recursive: true, force: true });
});

// A connected client through the balancer, with what it receives; `whoami` tells its node.
async function client(transports) {
  const socket = io(balancer, { transports, reconnection: false, forceNew: true });
  sockets.push(socket);
  const got = [];
  socket.onAny((event, ...args) => got.push({ event, args }));
  await new Promise((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", (e) => reject(new Error(`connect_error: ${e.message}`)));
  });
  const me = await socket.timeout(8000).emitWithAck("whoami");
  assert.equal(me.id, socket.id);
  return { socket, got, node: me.node };
}

// Polling clients until one is on each node.
async function onBothNodes(transports) {
  const byNode = {};
  for (let i = 0; i < 12 && Object.keys(byNode).length < 2; i++) {
    const c = await client(transports);
    byNode[c.node] ??= c;
    // Each client's requests so far may have been an even number: one more request moves the
    // round robin's turn, so the next handshake reaches the other node.
    await fetch(`${balancer}/turn`).then((r) => r.arrayBuffer());
  }
  assert.deepEqual(Object.keys(byNode).sort(), ["a", "b"]);
  return [byNode.a, byNode.b];
}

async function eventually(fn, ms = 8000) {
  const deadline = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

test("polling-only socket.io-client: acks, rooms, broadcasts from the other node", { timeout: 60000 }, async () => {
  const [a, b] = await onBothNodes(["polling"]);
  // Many round trips: each is a POST and a GET that the balancer sends to either node.
  for (let i = 0; i < 20; i++) {
    for (const c of [a, b]) {
      assert.deepEqual((await c.socket.timeout(8000).emitWithAck("whoami")).node, c.node);
    }
  }
  assert.deepEqual(await a.socket.timeout(8000).emitWithAck("join", "r1"), ["r1"]);
  assert.deepEqual(await b.socket.timeout(8000).emitWithAck("join", "r2"), ["r2"]);
  // From b's node to a's room and back.
  assert.equal(await b.socket.timeout(8000).emitWithAck("to", { rooms: ["r1"], event: "hello", args: ["from b"] }), true);
  assert.equal(await a.socket.timeout(8000).emitWithAck("to", { rooms: ["r2"], event: "hello", args: ["from a"] }), true);
  await eventually(() => a.got.some((e) => e.event === "hello" && e.args[0] === "from b") &&
                         b.got.some((e) => e.event === "hello" && e.args[0] === "from a"));
  assert.equal(a.socket.io.engine.transport.name, "polling");
  assert.equal(b.socket.io.engine.transport.name, "polling");
});

test("python-socketio on polling only joins a room and receives a broadcast from either node", { timeout: 60000 }, async () => {
  const [a, b] = await onBothNodes(["polling"]);
  const py = spawn(PYTHON, [PY_CLIENT, balancer, "py-room"], { stdio: ["ignore", "pipe", "inherit"] });
  const exited = once(py, "exit");
  const lines = createInterface({ input: py.stdout });
  const out = [];
  const ready = new Promise((resolve, reject) => {
    lines.on("line", (line) => {
      out.push(line);
      if (line.startsWith("ready ")) resolve(line.slice(6));
      if (line.startsWith("error ")) reject(new Error(line));
    });
    exited.then(([code]) => reject(new Error(`python client exited ${code}: ${out.join("\n")}`)));
  });
  const timer = setTimeout(() => py.kill("SIGKILL"), 40000);
  try {
    const pyNode = await ready;
    // Sent from the node the python client is NOT on.
    const sender = pyNode === "a" ? b : a;
    assert.equal(await sender.socket.timeout(8000).emitWithAck("to", { rooms: ["py-room"], event: "hello", args: ["to python", 7] }), true);
    const [code] = await exited;
    assert.equal(code, 0, out.join("\n"));
    assert.ok(out.includes('got ["to python", 7]'), out.join("\n"));
  } finally {
    clearTimeout(timer);
    py.kill("SIGKILL");
  }
});

test("polling -> websocket upgrades through the balancer complete", { timeout: 60000 }, async () => {
  for (let i = 0; i < 8; i++) {
    const socket = io(balancer, { reconnection: false, forceNew: true });
    sockets.push(socket);
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`upgrade ${i}: still ${socket.io.engine?.transport?.name}`)), 8000);
      socket.once("connect_error", (e) => reject(new Error(`connect_error: ${e.message}`)));
      socket.io.once("open", () => socket.io.engine.once("upgrade", () => { clearTimeout(timer); resolve(); }));
    });
    const me = await socket.timeout(8000).emitWithAck("whoami");
    assert.equal(me.id, socket.id);
    assert.equal(socket.io.engine.transport.name, "websocket");
    socket.close();
  }
});

test("a sid of an unknown node, or not a sid, is answered 'Session ID unknown' by every node", { timeout: 30000 }, async () => {
  for (const sid of ["nobody12.AAAAAAAAAAAAAAAAAAAA", "nobody12.short", "a b.AAAAAAAAAAAAAAAAAAAA", ".AAAAAAAAAAAAAAAAAAAA"]) {
    for (let i = 0; i < 2; i++) {  // both nodes, in turn
      const r = await fetch(`${balancer}/socket.io/?EIO=4&transport=polling&sid=${encodeURIComponent(sid)}`);
      assert.equal(r.status, 400, sid);
      assert.deepEqual(await r.json(), { code: 1, message: "Session ID unknown" }, sid);
    }
  }
});

// Last: it kills node b.
test("after kill -9 of a node, its sessions get 'Session ID unknown' from the other node", { timeout: 30000 }, async () => {
  const [, b] = await onBothNodes(["polling"]);
  const sid = b.socket.io.engine.id;
  assert.match(sid, /^[A-Za-z0-9_-]{1,32}\.[A-Za-z0-9_-]{20}$/);
  const victim = nodes.pop();  // b: its key stays in Redis until its time to live ends
  const exited = once(victim.proc, "exit");
  victim.proc.kill("SIGKILL");
  await exited;
  const started = Date.now();
  const r = await fetch(`http://127.0.0.1:${nodes[0].port}/socket.io/?EIO=4&transport=polling&sid=${sid}`);
  assert.equal(r.status, 400);
  assert.deepEqual(await r.json(), { code: 1, message: "Session ID unknown" });
  assert.ok(Date.now() - started < 3000, "answered within the connect timeout");
});
