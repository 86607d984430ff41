// Connection state recovery (PROTOCOL.md §7) with the official socket.io-client, on each
// transport mode and SB_SHARDS shards: protocol_testee --extras 1 --recovery 1.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startServer } from "./lib/server.mjs";
import { MODES, SHARDS, client, connected, next } from "./socketio_client.mjs";

const binary = process.env.SB_PROTOCOL_TESTEE;
assert.ok(binary, "set SB_PROTOCOL_TESTEE");

let server;
let plain;
before(async () => {
  [server, plain] = await Promise.all([
    startServer(binary, ["--shards", SHARDS, "--extras", "1", "--recovery", "1"]),
    startServer(binary, ["--shards", SHARDS, "--extras", "1"]),
  ]);
});
after(async () => {
  for (const s of [server, plain]) assert.equal((await s.stop()).code, 0);
});

const open = [];
async function connect(mode, options = {}, base = server.url) {
  const socket = client(base, mode, { reconnectionDelay: 20, reconnectionDelayMax: 50, ...options });
  open.push(socket);
  return connected(socket, mode);
}

// Collects every `event` of `socket`; wait(n) resolves once n have arrived.
function collect(socket, event) {
  const seen = [];
  const waiters = [];
  socket.on(event, (...args) => {
    seen.push(args);
    for (const w of waiters.splice(0)) w();
  });
  const wait = async (n, ms = 5000) => {
    const deadline = Date.now() + ms;
    while (seen.length < n) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${seen.length} of ${n} ${event} events`);
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, left);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return seen;
  };
  return { seen, wait };
}

// Drops the client's connection as a network failure would, and waits until the server has
// seen it go, so that what is emitted next is missed.
async function dropConnection(socket, witness) {
  const id = socket.id;
  const gone = next(socket, "disconnect");
  socket.io.engine.close();
  await gone;
  while (await witness.timeout(5000).emitWithAck("is-connected", id));
}

for (const mode of MODES) {
  describe(`${mode}, ${SHARDS} shard(s)`, { concurrency: false }, () => {
    test.afterEach(() => {
      for (const s of open.splice(0)) s.disconnect();
    });

    test("a dropped client gets back its id, rooms, data and every broadcast it missed", async () => {
      const a = await connect(mode);
      const b = await connect(mode);
      assert.equal(a.recovered, false);
      await a.timeout(5000).emitWithAck("join", "news");
      await a.timeout(5000).emitWithAck("set-data", { name: "a" });
      const got = collect(a, "room-message");
      await b.timeout(5000).emitWithAck("to-room", "news", "m1");
      await got.wait(1);
      const id = a.id;

      await dropConnection(a, b);
      for (const m of ["m2", "m3", "m4"]) await b.timeout(5000).emitWithAck("to-room", "news", m);
      a.connect();
      await next(a, "connect");
      assert.equal(a.recovered, true);
      assert.equal(a.id, id);
      await got.wait(4);
      assert.deepEqual(got.seen.map((args) => args[0]), ["m1", "m2", "m3", "m4"]);
      // Each recoverable event carries its offset as its last argument.
      for (const args of got.seen) assert.equal(typeof args.at(-1), "string");
      assert.deepEqual(await a.timeout(5000).emitWithAck("get-data"), { name: "a" });
      assert.ok((await a.timeout(5000).emitWithAck("rooms")).includes("news"));
      // And it is live again, without duplicates.
      await b.timeout(5000).emitWithAck("to-room", "news", "m5");
      await got.wait(5);
      assert.deepEqual(got.seen.map((args) => args[0]), ["m1", "m2", "m3", "m4", "m5"]);
    });

    test("a recovered socket's rooms are as they were, its own id left out if it had left it", async () => {
      const a = await connect(mode);
      const b = await connect(mode);
      await a.timeout(5000).emitWithAck("join", "news");
      assert.deepEqual(await a.timeout(5000).emitWithAck("leave", a.id), ["news"]);
      await dropConnection(a, b);
      a.connect();
      await next(a, "connect");
      assert.equal(a.recovered, true);
      assert.deepEqual(await a.timeout(5000).emitWithAck("rooms"), ["news"]);
    });

    test("recovery does not need an earlier event", async () => {
      const a = await connect(mode);
      const b = await connect(mode);
      await a.timeout(5000).emitWithAck("join", "quiet");
      const got = collect(a, "room-message");
      const id = a.id;
      await dropConnection(a, b);
      await b.timeout(5000).emitWithAck("to-room", "quiet", "while away");
      a.connect();
      await next(a, "connect");
      assert.equal(a.recovered, true);
      assert.equal(a.id, id);
      await got.wait(1);
      assert.equal(got.seen[0][0], "while away");
    });

    test("the manager's own reconnection recovers too", async () => {
      const a = await connect(mode, { reconnection: true });
      const id = a.id;
      a.io.engine.close();
      await next(a, "connect");
      assert.equal(a.recovered, true);
      assert.equal(a.id, id);
    });

    test("a client that leaves on purpose starts afresh", async () => {
      const a = await connect(mode);
      const id = a.id;
      a.disconnect();
      a.connect();
      await next(a, "connect");
      assert.equal(a.recovered, false);
      assert.notEqual(a.id, id);
    });

    test("an unknown session starts afresh", async () => {
      const a = await connect(mode, { auth: { pid: "0.nope", offset: "b0.1" } });
      assert.equal(a.recovered, false);
      const [data, recovered] = await new Promise((resolve) =>
        a.emit("get-data", (...args) => resolve(args)));
      assert.equal(data, null);
      assert.equal(recovered, false);
    });

    test("without recovery, events carry no offset", async () => {
      const a = await connect(mode, {}, plain.url);
      const [back] = await Promise.all([next(a, "message-back"), a.emit("message", "x")]);
      assert.deepEqual(back, ["x"]);
    });
  });
}
