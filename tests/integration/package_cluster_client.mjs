// integration.package, the adapter: two cluster_server processes (tests/package/cluster_server.cpp,
// built against the installed switchboard through the CMake package and through pkg-config,
// paths in argv[2] and argv[3]) on one redis-server; a "chat" sent to one reaches a client of
// the other (official socket.io-client).
import assert from "node:assert/strict";
import { once } from "node:events";
import { after, before, test } from "node:test";
import { io } from "socket.io-client";
import { startServer } from "./lib/server.mjs";
import { freePort } from "./lib/process.mjs";
import { startRedis } from "./lib/redis.mjs";

let redis;
const servers = [];
const sockets = [];
before(async () => {
  const port = await freePort();
  redis = await startRedis(port);
  for (const binary of process.argv.slice(2, 4)) {
    servers.push(await startServer(binary, ["--redis", `redis://127.0.0.1:${port}`]));
  }
});
after(async () => {
  sockets.forEach((s) => s.disconnect());
  for (const s of servers) assert.equal((await s.stop()).code, 0);
  await redis?.stop();
});

async function connect(url) {
  const socket = io(url, { reconnection: false, forceNew: true, transports: ["websocket"] });
  sockets.push(socket);
  await new Promise((resolve, reject) => {
    socket.once("welcome", resolve);
    socket.once("connect_error", reject);
  });
  return socket;
}

test("chat sent to one node reaches a client of the other, through Redis", { timeout: 20000 }, async () => {
  const a = await connect(servers[0].url);
  const b = await connect(servers[1].url);
  const got = new Promise((resolve) => b.once("chat", (...args) => resolve(args)));
  // The nodes subscribe to Redis as they start; a broadcast sent before then reaches no one,
  // so the sender repeats until b has one (bounded by the test's timeout).
  let n = 0;
  const timer = setInterval(() => a.emit("chat", "hello", { n: n++ }), 100);
  try {
    const [text, body] = await got;
    assert.equal(text, "hello");
    assert.equal(typeof body.n, "number");
  } finally {
    clearInterval(timer);
  }
});
