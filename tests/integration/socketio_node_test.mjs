// protocol_testee (--extras 1) against the official socket.io-client, on each transport mode
// (SB_TRANSPORTS) and SB_SHARDS shards. Binary: SB_PROTOCOL_TESTEE.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startServer } from "./lib/server.mjs";
import { MODES, SHARDS, client, connected, next, received, record } from "./socketio_client.mjs";

const binary = process.env.SB_PROTOCOL_TESTEE;
assert.ok(binary, "set SB_PROTOCOL_TESTEE");

let server;
let secure;
before(async () => {
  [server, secure] = await Promise.all([
    startServer(binary, ["--shards", SHARDS, "--extras", "1"]),
    startServer(binary, ["--shards", SHARDS, "--extras", "1", "--require-token", "secret"]),
  ]);
});
after(async () => {
  for (const s of [server, secure]) assert.equal((await s.stop()).code, 0);
});

// Sockets opened by a test, closed after it.
const open = [];
async function connect(mode, path = "/", options = {}, base = server.url) {
  const socket = client(base + path, mode, options);
  open.push(socket);
  return connected(socket, mode);
}
function closeAll() {
  for (const s of open.splice(0)) s.disconnect();
}

for (const mode of MODES) {
  describe(`${mode}, ${SHARDS} shard(s)`, { concurrency: false }, () => {
    test.afterEach(closeAll);

    test("the upgrade mode really ends on WebSocket", async () => {
      const s = await connect(mode);
      const expected = mode === "polling" ? "polling" : "websocket";
      assert.equal(s.io.engine.transport.name, expected);
    });

    test("namespaces are multiplexed on one connection", async () => {
      const main = await connect(mode);
      const custom = main.io.socket("/custom");
      open.push(custom);
      await next(custom, "connect");
      assert.notEqual(main.id, custom.id);
      const [mainBack, customBack] = await Promise.all([
        next(main, "message-back"), next(custom, "message-back"),
        main.emit("message", "to main"), custom.emit("message", "to custom"),
      ]);
      assert.deepEqual([mainBack, customBack], [["to main"], ["to custom"]]);
      assert.equal(main.io.engine.id, custom.io.engine.id);
    });

    test("auth reaches the server and a middleware lets the right token in", async () => {
      const s = client(secure.url + "/custom", mode, { auth: { token: "secret", n: [1] } });
      open.push(s);
      const auth = next(s, "auth");
      await connected(s, mode);
      assert.deepEqual(await auth, [{ token: "secret", n: [1] }]);
    });

    test("a middleware refuses a wrong token with message and data", async () => {
      for (const [auth, reason] of [[{ token: "nope" }, "bad token"], [{}, "no token"]]) {
        const s = client(secure.url, mode, { auth });
        open.push(s);
        const [err] = await next(s, "connect_error");
        assert.equal(err.message, "not authorized");
        assert.deepEqual(err.data, { reason });
        assert.equal(s.connected, false);
      }
    });

    test("client → server acks carry every argument", async () => {
      const s = await connect(mode);
      const reply = await new Promise((resolve) =>
        s.emit("message-with-ack", 1, "2", { 3: [true] }, (...args) => resolve(args)));
      assert.deepEqual(reply, [1, "2", { 3: [true] }]);
      assert.equal(await s.timeout(5000).emitWithAck("message-with-ack", "x"), "x");
    });

    test("server → client acks: the server waits for the client's answer", async () => {
      const s = await connect(mode, "/custom");
      s.on("question", (...args) => args.pop()("answer", args));
      const reply = await new Promise((resolve) => s.emit("ask", 1, { a: 2 }, (...r) => resolve(r)));
      assert.deepEqual(reply, ["answer", [1, { a: 2 }]]);
    });

    test("a broadcast with ack collects every client's answer", async () => {
      const sockets = await Promise.all([0, 1, 2].map(() => connect(mode, "/custom")));
      sockets.forEach((s, i) => s.on("question", (q, ack) => ack(`${q}-${i}`)));
      const [reply] = await new Promise((resolve) =>
        sockets[0].emit("ask-all", "q", (...r) => resolve(r)));
      assert.equal(reply.error, undefined);
      const answers = reply.replies.map((r) => r[0]);
      for (const i of [0, 1, 2]) assert.ok(answers.includes(`q-${i}`), JSON.stringify(reply));
    });

    test("a received binary passed on as a value keeps its bytes, top level and nested", async () => {
      const s = await connect(mode);
      const bytes = Buffer.from([0, 1, 2, 255]);
      const answer = Buffer.from([42, 43]);
      s.on("passed-ask", (value, ack) => {
        assert.deepEqual(value, bytes);
        ack(answer);
      });
      const [passed, passedTo, acked] = await Promise.all([
        next(s, "passed"), next(s, "passed-to"),
        new Promise((resolve) => s.timeout(5000).emit("pass-on", bytes, (err, ...args) =>
          resolve(err ?? args)))]);
      assert.deepEqual(passed, [bytes, { nested: bytes }]);
      assert.deepEqual(passedTo, [{ in: [bytes] }]);
      assert.deepEqual(acked, [answer, { again: answer }]);
    });

    test("binary in nested objects comes back intact", async () => {
      const s = await connect(mode);
      const payload = { a: { b: Buffer.from([1, 2, 3]), c: [Buffer.alloc(0), Buffer.from([255])] }, n: 1 };
      const [[back, second]] = await Promise.all([next(s, "message-back"),
                                                s.emit("message", payload, Buffer.from("€"))]);
      assert.deepEqual(back, payload);
      assert.deepEqual(second, Buffer.from("€"));
      const reply = await s.timeout(5000).emitWithAck("message-with-ack", [Buffer.from([9])]);
      assert.deepEqual(reply, [Buffer.from([9])]);
    });

    test("room broadcasts reach the room's members only", async () => {
      const [a, b, c] = await Promise.all([0, 1, 2].map(() => connect(mode)));
      const seen = [a, b, c].map(record);
      for (const s of [a, b]) {
        const rooms = await s.timeout(5000).emitWithAck("join", "r1");
        assert.deepEqual(new Set(rooms), new Set([s.id, "r1"]));
      }
      await c.timeout(5000).emitWithAck("to-room", "r1", "hello", { x: 1 });
      for (const [i, s] of [a, b].entries()) {
        assert.deepEqual(await received(seen[i], s, "room-message"), ["hello", { x: 1 }]);
      }
      // A later event to everyone: had c got the room message, it would have come first.
      await c.timeout(5000).emitWithAck("broadcast", "marker");
      await received(seen[2], c, "broadcast-message");
      assert.deepEqual(seen[2].map(([n]) => n), ["broadcast-message"]);

      assert.deepEqual(await a.timeout(5000).emitWithAck("leave", "r1"), [a.id]);
      seen.forEach((list) => list.splice(0));
      await c.timeout(5000).emitWithAck("to-room", "r1", "second");
      assert.deepEqual(await received(seen[1], b, "room-message"), ["second"]);
      await c.timeout(5000).emitWithAck("broadcast", "marker");
      await received(seen[0], a, "broadcast-message");
      assert.deepEqual(seen[0].map(([n]) => n), ["broadcast-message"]);
    });

    test("a socket's own id is a room: addressed by id, left and joined again", async () => {
      const [a, b] = await Promise.all([0, 1].map(() => connect(mode)));
      const seen = [a, b].map(record);
      assert.deepEqual(await a.timeout(5000).emitWithAck("rooms"), [a.id]);
      await b.timeout(5000).emitWithAck("to-room", a.id, "to a");
      assert.deepEqual(await received(seen[0], a, "room-message"), ["to a"]);

      assert.deepEqual(await a.timeout(5000).emitWithAck("leave", a.id), []);
      seen.forEach((list) => list.splice(0));
      await b.timeout(5000).emitWithAck("to-room", a.id, "not to a");
      await b.timeout(5000).emitWithAck("broadcast", "marker");
      await received(seen[0], a, "broadcast-message");
      assert.deepEqual(seen[0].map(([n]) => n), ["broadcast-message"]);

      assert.deepEqual(await a.timeout(5000).emitWithAck("join", a.id), [a.id]);
      await b.timeout(5000).emitWithAck("to-room", a.id, "to a again");
      assert.deepEqual(await received(seen[0], a, "room-message"), ["to a again"]);
    });

    test("broadcast reaches everyone; broadcast-others skips the sender", async () => {
      const sockets = await Promise.all([0, 1, 2].map(() => connect(mode, "/custom")));
      const seen = sockets.map(record);
      await sockets[0].timeout(5000).emitWithAck("broadcast", "all", Buffer.from([7]));
      for (const [i, s] of sockets.entries()) {
        assert.deepEqual(await received(seen[i], s, "broadcast-message"), ["all", Buffer.from([7])]);
      }
      seen.forEach((list) => list.splice(0));
      await sockets[1].timeout(5000).emitWithAck("broadcast-others", "others");
      for (const i of [0, 2]) {
        assert.deepEqual(await received(seen[i], sockets[i], "broadcast-message"), ["others"]);
      }
      await sockets[1].timeout(5000).emitWithAck("message-with-ack");  // after the broadcast
      assert.deepEqual(seen[1], []);
    });

    test("a volatile emit reaches a ready client", async () => {
      const s = await connect(mode);
      const [back] = await Promise.all([next(s, "volatile-back"), s.emit("volatile", "v")]);
      assert.deepEqual(back, ["v"]);
    });

    test("server-side disconnect: 'io server disconnect', no reconnection", async () => {
      const s = await connect(mode, "/", { reconnection: true, reconnectionDelay: 50 });
      const [[reason]] = await Promise.all([next(s, "disconnect"), s.emit("disconnect-me")]);
      assert.equal(reason, "io server disconnect");
      assert.equal(s.active, false);  // the client does not try again by itself
    });

    test("outgoing listeners see direct emits and broadcasts", async () => {
      const s = await connect(mode);
      await s.timeout(5000).emitWithAck("watch-outgoing");
      await Promise.all([next(s, "message-back"), s.emit("message", "m")]);
      await Promise.all([next(s, "broadcast-message"), s.emitWithAck("broadcast", "b")]);
      assert.deepEqual(await s.timeout(5000).emitWithAck("outgoing"),
                       ["message-back", "broadcast-message"]);
    });

    test("server-side close: every namespace leaves, 'io server disconnect'", async () => {
      const s = await connect(mode, "/", { reconnection: true, reconnectionDelay: 50 });
      const custom = s.io.socket("/custom");
      open.push(custom);
      await next(custom, "connect");
      const [[reason], [customReason]] = await Promise.all([
        next(s, "disconnect"), next(custom, "disconnect"), s.emit("disconnect-me", true)]);
      // As the reference: a DISCONNECT for each namespace, then the connection closes.
      assert.equal(reason, "io server disconnect");
      assert.equal(customReason, "io server disconnect");
      assert.equal(s.active, false);
    });
  });
}
