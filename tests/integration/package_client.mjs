// integration.package, the client side: the consumer server built against the installed
// switchboard (tests/package/server.cpp, path in argv[2]) with the official socket.io-client.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { io } from "socket.io-client";
import { startServer } from "./lib/server.mjs";

let server;
const sockets = [];
before(async () => {
  server = await startServer(process.argv[2]);
});
after(async () => {
  sockets.forEach((s) => s.disconnect());
  assert.equal((await server.stop()).code, 0);
});

// Connects and resolves to [socket, welcome id] once the server's "welcome" arrives.
async function connect() {
  const socket = io(server.url, { reconnection: false, forceNew: true });
  sockets.push(socket);
  const id = await new Promise((resolve, reject) => {
    socket.once("welcome", resolve);
    socket.once("connect_error", reject);
  });
  return [socket, id];
}

test("welcome carries the socket's id, over an upgraded connection", async () => {
  const [socket, id] = await connect();
  assert.equal(id, socket.id);
  if (socket.io.engine.transport.name !== "websocket") {
    await new Promise((resolve) => socket.io.engine.once("upgrade", resolve));
  }
  assert.equal(socket.io.engine.transport.name, "websocket");
});

test("echo is acknowledged with its own arguments", async () => {
  const [socket] = await connect();
  const reply = await new Promise((resolve, reject) =>
    socket.timeout(5000).emit("echo", 1, "two", { three: [3] }, (err, ...args) =>
      err ? reject(err) : resolve(args)));
  assert.deepEqual(reply, [1, "two", { three: [3] }]);
});

test("chat reaches the other client, not the sender", async () => {
  const [a] = await connect();
  const [b] = await connect();
  let echoed = false;
  a.on("chat", () => (echoed = true));
  const got = new Promise((resolve) => b.once("chat", (...args) => resolve(args)));
  a.emit("chat", "hello", { from: "a" });
  assert.deepEqual(await got, ["hello", { from: "a" }]);
  // The sender's own copy would have been sent before b's; an ack round trip orders after it.
  await a.timeout(5000).emitWithAck("echo");
  assert.equal(echoed, false);
});
