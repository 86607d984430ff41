// Polling -> WebSocket upgrades on 2 shards, over plain HTTP and over TLS, with the official
// socket.io-client: every one must complete. The upgrade's TCP connection reaches a shard the
// kernel picks (SO_REUSEPORT), about half the time not the session's owner, so the connection
// must move to the owner; over TLS that once failed (the client stayed on polling). With 24
// upgrades per scheme, all of them landing on the owner by chance is a 1 in 16 million event.
// Binary: SB_PROTOCOL_TESTEE.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { io } from "socket.io-client";
import { startServer } from "./lib/process.mjs";

const binary = process.env.SB_PROTOCOL_TESTEE;
assert.ok(binary, "set SB_PROTOCOL_TESTEE");
const UPGRADES = 24;
// The testee's own heartbeat (300 ms + 200 ms) ends sessions on a loaded machine: what is
// tested here is the upgrade, not the heartbeat.
const HEARTBEAT = ["--ping-interval-ms", "5000", "--ping-timeout-ms", "5000"];

let dir;
let plain;
let tls;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), "sb-upgrade-"));
  const cert = join(dir, "cert.pem");
  const key = join(dir, "key.pem");
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
    "-subj", "/CN=127.0.0.1", "-keyout", key, "-out", cert], { stdio: "ignore" });
  [plain, tls] = await Promise.all([
    startServer(binary, ["--shards", "2", ...HEARTBEAT]),
    startServer(binary, ["--shards", "2", ...HEARTBEAT, "--tls-cert", cert, "--tls-key", key]),
  ]);
});
after(async () => {
  for (const s of [plain, tls]) if (s) assert.equal(await s.stop(), 0);
  rmSync(dir, { recursive: true, force: true });
});

// One client: connects on polling, must upgrade within 5 s, then an acknowledged round trip
// travels on the WebSocket. Resolves to what went wrong, or null.
function upgradeOnce(url) {
  const socket = io(url, { reconnection: false, forceNew: true, rejectUnauthorized: false });
  let reason = "";
  socket.on("disconnect", (why, details) => { reason = ` (disconnected: ${why} ${details?.description?.message ?? ""})`; });
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(`no upgrade (still ${socket.io.engine?.transport?.name})`), 5000);
    socket.on("connect_error", (e) => resolve(`connect_error ${e.message}`));
    socket.io.on("open", () => {
      socket.io.engine.once("upgrade", async () => {
        try {
          const back = await socket.timeout(3000).emitWithAck("message-with-ack", "after upgrade");
          assert.equal(back, "after upgrade");
          assert.equal(socket.io.engine.transport.name, "websocket");
          resolve(null);
        } catch (e) {
          resolve(`round trip after the upgrade: ${e.message}${reason}`);
        }
      });
    });
  }).finally(() => socket.close());
}

for (const [scheme, server] of [["http", () => plain], ["https", () => tls]]) {
  test(`${UPGRADES} upgrades over ${scheme} on 2 shards all complete`, { timeout: 60000 }, async () => {
    const url = `${scheme}://127.0.0.1:${server().port}`;
    const failures = [];
    for (let i = 0; i < UPGRADES; i += 4) {
      const batch = await Promise.all([0, 1, 2, 3].map(() => upgradeOnce(url)));
      failures.push(...batch.filter(Boolean));
    }
    assert.deepEqual(failures, []);
  });
}
