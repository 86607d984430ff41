// User code that throws, against protocol_testee (--extras 1) with the official
// socket.io-client, on each transport mode and SB_SHARDS shards: the exception stops on its
// shard, is counted (Server::handler_errors()), disconnects only the socket it ran for
// ("io server disconnect" on the client), and every other client carries on; the process
// survives to exit cleanly. Binary: SB_PROTOCOL_TESTEE.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startServer } from "./lib/server.mjs";
import { MODES, SHARDS, client, connected, next } from "./socketio_client.mjs";

const binary = process.env.SB_PROTOCOL_TESTEE;
assert.ok(binary, "set SB_PROTOCOL_TESTEE");

let server;
before(async () => {
  server = await startServer(binary, ["--shards", SHARDS, "--extras", "1"]);
});
after(async () => {
  const { code, output } = await server.stop();
  assert.equal(code, 0, output);
});

const open = [];
// A connected client that answers every "question" (as the ack tests need).
async function connect(mode, path = "/") {
  const socket = client(server.url + path, mode);
  open.push(socket);
  socket.on("question", (...args) => {
    const ack = args.pop();
    ack("answer");
  });
  return connected(socket, mode);
}
// Four clients: on two shards, some share the victim's shard and some do not.
function connectMany(mode, n = 4) {
  return Promise.all(Array.from({ length: n }, () => connect(mode)));
}
function closeAll() {
  for (const s of open.splice(0)) s.disconnect();
}

const errors = (s) => s.timeout(5000).emitWithAck("handler-errors");
async function errorsReach(s, count) {
  // The server counts on the shard where the code ran; each answer is a round trip there and
  // back, so a bounded number of them is enough for a count from another connection.
  for (let i = 0; i < 200; ++i) {
    const n = await s.timeout(5000).emitWithAck("handler-errors");
    if (n >= count) return n;
  }
  return errors(s);
}
// Every client still echoes.
async function allWork(sockets) {
  const replies = await Promise.all(
    sockets.map((s, i) => s.timeout(5000).emitWithAck("message-with-ack", i)));
  assert.deepEqual(replies, sockets.map((_, i) => i));
  for (const s of sockets) assert.equal(s.connected, true);
}

for (const mode of MODES) {
  describe(`${mode}, ${SHARDS} shard(s)`, { concurrency: false }, () => {
    test.afterEach(closeAll);

    // Events sent by the victim whose handling throws for that socket.
    const perSocket = [
      ["an event handler", (s) => s.emit("throw")],
      ["on_any", (s) => s.emit("throw-in-any")],
      ["on_any_outgoing", (s) => s.emit("throw-outgoing")],
      ["an ack callback", (s) => s.emit("throw-in-ack")],
      ["an ack timeout callback", (s) => s.emit("throw-in-ack-timeout")],
    ];
    for (const [kind, trip] of perSocket) {
      test(`${kind} that throws disconnects only its socket`, async () => {
        const [victim, ...others] = await connectMany(mode);
        const before = await errors(others[0]);
        const gone = next(victim, "disconnect");
        trip(victim);
        assert.equal((await gone)[0], "io server disconnect");
        await allWork(others);
        assert.equal(await errorsReach(others[0], before + 1), before + 1);
      });
    }

    test("a connection handler that throws disconnects that socket", async () => {
      const [witness, ...others] = await connectMany(mode, 3);
      const before = await errors(witness);
      const s = client(server.url + "/throw-on-connect", mode);
      open.push(s);
      const gone = next(s, "disconnect");
      await next(s, "connect");
      assert.equal((await gone)[0], "io server disconnect");
      await allWork([witness, ...others]);
      assert.equal(await errorsReach(witness, before + 1), before + 1);
    });

    test("a middleware that throws refuses its socket with 'server error'", async () => {
      const [witness] = await connectMany(mode, 1);
      const before = await errors(witness);
      const s = client(server.url + "/throw-in-middleware", mode);
      open.push(s);
      const [err] = await next(s, "connect_error");
      assert.equal(err.message, "server error");
      assert.equal(s.connected, false);
      await allWork([witness]);
      assert.equal(await errorsReach(witness, before + 1), before + 1);
    });

    // Callbacks that belong to no socket: counted, nobody disconnected.
    const perServer = [
      ["a broadcast ack callback", "throw-in-broadcast-ack"],
      ["a fetch_sockets callback", "throw-in-fetch"],
      ["a server-side ack callback", "throw-in-server-side"],
    ];
    for (const [kind, event] of perServer) {
      test(`${kind} that throws is counted and disconnects nobody`, async () => {
        const sockets = await connectMany(mode);
        const before = await errors(sockets[0]);
        await sockets[1].timeout(5000).emitWithAck(event);
        assert.equal(await errorsReach(sockets[0], before + 1), before + 1);
        await allWork(sockets);
      });
    }

    test("disconnecting and disconnect handlers that throw are counted", async () => {
      const [victim, ...others] = await connectMany(mode);
      const before = await errors(others[0]);
      await victim.timeout(5000).emitWithAck("throw-on-disconnect");
      victim.disconnect();
      assert.equal(await errorsReach(others[0], before + 2), before + 2);
      await allWork(others);
    });
  });
}
