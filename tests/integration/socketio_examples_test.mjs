// The Socket.IO examples (twins of the FastAPI, Flask-SocketIO and python-socketio servers)
// against the official socket.io-client, on each transport mode (SB_TRANSPORTS) and SB_SHARDS.
// Binaries: SB_FASTAPI_SOCKETIO, SB_FLASK_SOCKETIO, SB_PYTHON_SOCKETIO.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startServer } from "./lib/server.mjs";
import { MODES, SHARDS, client, connected, next, received, record } from "./socketio_client.mjs";

const servers = {};
before(async () => {
  const start = (env, args = []) => startServer(process.env[env], ["--shards", SHARDS, ...args]);
  [servers.fastapi, servers.fastapiAll, servers.flask, servers.python] = await Promise.all([
    start("SB_FASTAPI_SOCKETIO"), start("SB_FASTAPI_SOCKETIO", ["--broadcast", "1"]),
    start("SB_FLASK_SOCKETIO", ["--notify-ms", "100"]), start("SB_PYTHON_SOCKETIO"),
  ]);
});
after(async () => {
  for (const s of Object.values(servers)) assert.equal((await s.stop()).code, 0);
});

const open = [];
async function connect(mode, url, options = {}) {
  const socket = client(url, mode, options);
  open.push(socket);
  const seen = record(socket);
  await connected(socket, mode);
  return [socket, seen];
}

for (const mode of MODES) {
  describe(`${mode}, ${SHARDS} shard(s)`, { concurrency: false }, () => {
    test.afterEach(() => open.splice(0).forEach((s) => s.disconnect()));

    test("fastapi_socketio: greeting, message, chat_response to the sender", async () => {
      const [a, seenA] = await connect(mode, servers.fastapi.url);
      const [b, seenB] = await connect(mode, servers.fastapi.url);
      assert.deepEqual(await received(seenA, a, "message"), [{ data: "Connected" }]);
      seenA.splice(0);
      a.emit("message", "hi");
      assert.deepEqual(await received(seenA, a, "message"), [{ data: "hi" }]);
      a.emit("chat_message", "yo");
      assert.deepEqual(await received(seenA, a, "chat_response"), [{ data: "yo", from: a.id }]);
      seenB.splice(0);
      b.emit("message", "after");  // b's own answer comes after any chat_response it got
      assert.deepEqual(await received(seenB, b, "message"), [{ data: "after" }]);
      assert.ok(!seenB.some(([n]) => n === "chat_response"));
    });

    test("fastapi_socketio --broadcast 1: chat_response to everyone", async () => {
      const [a, seenA] = await connect(mode, servers.fastapiAll.url);
      const [b, seenB] = await connect(mode, servers.fastapiAll.url);
      a.emit("chat_message", "all");
      for (const [s, seen] of [[a, seenA], [b, seenB]]) {
        assert.deepEqual(await received(seen, s, "chat_response"), [{ data: "all", from: a.id }]);
      }
    });

    test("flask_socketio: echo to everyone, /chat greeting, broadcast, rooms, notifications", async () => {
      const url = servers.flask.url;
      const [a, seenA] = await connect(mode, url);
      const [b, seenB] = await connect(mode, url);
      a.send("hello");
      for (const [s, seen] of [[a, seenA], [b, seenB]]) {
        assert.deepEqual(await received(seen, s, "message"), ["Server echoes: hello"]);
      }
      const [c, seenC] = await connect(mode, url + "/chat");
      const [d, seenD] = await connect(mode, url + "/chat");
      assert.deepEqual(await received(seenC, c, "server_response"), [{ data: "Connected" }]);
      c.emit("user_message", { data: "to all" });
      for (const [s, seen] of [[c, seenC], [d, seenD]]) {
        assert.deepEqual(await received(seen, s, "server_broadcast"), [{ data: "to all", from: c.id }]);
      }
      assert.equal(await d.timeout(5000).emitWithAck("join", { room: "lobby" }), "lobby");
      assert.deepEqual(await received(seenD, d, "room_message"),
                       [{ data: `${d.id} has entered the room.`, room: "lobby" }]);
      const [note] = await received(seenC, c, "notification");
      assert.equal(note.data, "Server notification");
      assert.ok(note.count >= 1);
    });

    test("python_socketio: rooms, sessions, catch-all, disconnect and the page", async () => {
      const url = servers.python.url;
      const page = await fetch(url + "/");
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<script src="\/socket\.io\.min\.js">/);
      const js = await fetch(url + "/socket.io.min.js");
      assert.equal(js.status, 200);
      assert.match(js.headers.get("content-type"), /javascript/);
      assert.match(await js.text(), /Socket\.IO v4/);
      const [a, seen] = await connect(mode, url);
      assert.deepEqual(await received(seen, a, "my_response"), [{ data: "Connected", count: 0 }]);
      const reply = async (event, ...args) => {
        const answer = next(a, "my_response");
        a.emit(event, ...args);
        return (await answer)[0];
      };
      assert.deepEqual(await reply("my_event", { data: "x" }), { data: "x" });
      assert.deepEqual(await reply("join", { room: "r" }), { data: "Entered room: r" });
      assert.deepEqual(new Set(await a.timeout(5000).emitWithAck("rooms")), new Set([a.id, "r"]));
      assert.deepEqual(await reply("my_room_event", { room: "r", data: "in r" }), { data: "in r" });
      assert.deepEqual(await reply("close_room", { room: "r" }), { data: "Room r is closing." });
      assert.deepEqual(await a.timeout(5000).emitWithAck("rooms"), [a.id]);
      assert.equal(await a.timeout(5000).emitWithAck("set_name", { name: "ada" }), true);
      assert.deepEqual(await a.timeout(5000).emitWithAck("whoami"), { name: "ada" });
      assert.deepEqual(await reply("nobody_handles_this", 1, [2]),
                       { data: "unhandled event: nobody_handles_this", args: [1, [2]] });
      // Values passed on keep their binaries (python-socketio forwards data the same way).
      const bytes = Buffer.from([0, 1, 254, 255]);
      assert.deepEqual(await reply("my_event", { data: bytes }), { data: bytes });
      assert.deepEqual(await reply("my_broadcast_event", { data: { file: bytes } }),
                       { data: { file: bytes } });
      assert.deepEqual(await reply("nobody_handles_this", bytes, { b: [bytes] }),
                       { data: "unhandled event: nobody_handles_this", args: [bytes, { b: [bytes] }] });
      const [[reason]] = await Promise.all([next(a, "disconnect"), a.emit("disconnect_request")]);
      assert.equal(reason, "io server disconnect");
    });
  });
}
