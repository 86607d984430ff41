// protocol_testee with the official socket.io-client under load and across a server restart,
// on each transport mode (SB_TRANSPORTS) and SB_SHARDS shards. Binary: SB_PROTOCOL_TESTEE.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { startServer } from "./lib/server.mjs";
import { MODES, SHARDS, client, connected, freePort, next } from "./socketio_client.mjs";

const binary = process.env.SB_PROTOCOL_TESTEE;
assert.ok(binary, "set SB_PROTOCOL_TESTEE");
const CLIENTS = Number(process.env.SB_LOAD_CLIENTS || 200);
const EMITS = Number(process.env.SB_LOAD_EMITS || 50);

// One client's run: each emit is an event echoed back and an event acknowledged; the echo of
// emit i must arrive once, before the ack of emit i (one connection keeps the order).
async function run(socket, index) {
  const echoes = new Map();
  socket.on("message-back", (c, i) => {
    assert.equal(c, index);
    echoes.set(i, (echoes.get(i) || 0) + 1);
  });
  const acks = [];
  for (let i = 0; i < EMITS; ++i) {
    socket.emit("message", index, i);
    acks.push(socket.timeout(20000).emitWithAck("message-with-ack", index, i));
  }
  const replies = await Promise.all(acks);
  replies.forEach((r, i) => assert.equal(r, index) || assert.ok(echoes.get(i) === 1, `echo ${i}`));
  assert.equal(echoes.size, EMITS);
  for (const [i, n] of echoes) assert.equal(n, 1, `echo ${i} came ${n} times`);
}

for (const mode of MODES) {
  describe(`${mode}, ${SHARDS} shard(s)`, { concurrency: false }, () => {
    test(`${CLIENTS} clients × ${EMITS} acked emits: nothing lost or duplicated`, async () => {
      // Generous timeouts: on a loaded machine 200 clients may take more than the testee's
      // 1 s to send their CONNECT.
      const server = await startServer(binary, ["--shards", SHARDS, "--ping-interval-ms", "5000",
                                                "--ping-timeout-ms", "10000",
                                                "--connect-timeout-ms", "20000"]);
      const sockets = Array.from({ length: CLIENTS }, () => client(server.url, mode));
      try {
        await Promise.all(sockets.map((s) => connected(s, mode, 20000)));
        await Promise.all(sockets.map((s, i) => run(s, i)));
      } finally {
        sockets.forEach((s) => s.disconnect());
        assert.equal((await server.stop()).code, 0);
      }
    });

    test("the client reconnects by itself after the server restarts", async () => {
      const port = String(await freePort());
      let server = await startServer(binary, ["--shards", SHARDS, "--port", port]);
      const s = client(server.url, mode, {
        reconnection: true, reconnectionDelay: 50, reconnectionDelayMax: 100, randomizationFactor: 0,
      });
      try {
        await connected(s, mode);
        const firstId = s.id;
        const gone = next(s, "disconnect", 10000);
        assert.equal((await server.stop()).code, 0);
        const [reason] = await gone;
        assert.ok(["transport close", "transport error", "ping timeout"].includes(reason), reason);
        server = await startServer(binary, ["--shards", SHARDS, "--port", port]);
        await next(s, "connect", 10000);
        assert.notEqual(s.id, firstId);
        assert.equal(await s.timeout(5000).emitWithAck("message-with-ack", "back"), "back");
      } finally {
        s.disconnect();
        assert.equal((await server.stop()).code, 0);
      }
    });
  });
}

// A session the server is closing gracefully waits for the client's next poll to hear the
// close; a client that never polls again must not keep it alive past a shutdown (under ASan a
// session left behind is a leak, and the exit code says so).
test("a polling session the server is closing is released by a shutdown", async () => {
  const server = await startServer(binary, ["--shards", SHARDS, "--extras", "1",
                                            "--ping-timeout-ms", "20000"]);
  try {
    const base = `${server.url}/socket.io/?EIO=4&transport=polling`;
    const open = await (await fetch(base)).text();
    const url = `${base}&sid=${JSON.parse(open.slice(1)).sid}`;
    const post = (body) => fetch(url, { method: "POST", body, headers: { "Content-Type": "text/plain" } });
    assert.equal((await post("40")).status, 200);
    assert.match(await (await fetch(url)).text(), /^40/);
    assert.equal((await post('42["disconnect-me",true]')).status, 200);
  } finally {
    const { code, ms } = await server.stop();
    assert.equal(code, 0);
    assert.ok(ms < 5000, `shutdown took ${ms} ms`);
  }
});
