// The Node.js twin of build/bin/cluster_node (docs/cluster.md): socket.io 4.8 with
// @socket.io/redis-adapter 8.3, serving the same events, so that tests can run both kinds of
// node in one cluster.
//   node cluster_node_reference.mjs --port N --redis redis://HOST:PORT [--name NAME] [--sharded]
import { createServer } from "node:http";
import { once } from "node:events";
import { createAdapter, createShardedAdapter } from "@socket.io/redis-adapter";
import { createClient } from "redis";
import { Server } from "socket.io";

const argv = process.argv.slice(2);
const opt = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const port = Number(opt("--port"));
const redisUrl = opt("--redis");
const NAME = opt("--name") ?? `node-${port}`;
const SHARDED = argv.includes("--sharded");
if (!port || !redisUrl) { console.error("usage: --port N --redis URL [--name NAME] [--sharded]"); process.exit(2); }

const pub = createClient({ url: redisUrl });
const sub = pub.duplicate();
// Without an error listener a Redis restart would kill the process.
for (const c of [pub, sub]) c.on("error", () => {});
await Promise.all([pub.connect(), sub.connect()]);

const http = createServer();
const io = new Server(http, { cors: { origin: "*" }, maxHttpBufferSize: 1e6 });
io.adapter(SHARDED ? createShardedAdapter(pub, sub) : createAdapter(pub, sub, { requestsTimeout: 2000 }));
const byCodePoint = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
const key = (v) => (typeof v === "string" ? v : JSON.stringify(v));
const sortValues = (list) => [...list].sort((a, b) => byCodePoint(key(a), key(b)));
const roomsOf = (rooms, id) => [...rooms].filter((r) => r !== id).sort(byCodePoint);

io.on("ping-server", (payload, cb) => cb(NAME));
io.on("connection", (socket) => {
  socket.on("whoami", (cb) => cb({ id: socket.id, node: NAME }));
  socket.on("join", (room, cb) => { socket.join(room); cb(roomsOf(socket.rooms, socket.id)); });
  socket.on("leave", (room, cb) => { socket.leave(room); cb(roomsOf(socket.rooms, socket.id)); });
  socket.on("to", ({ rooms, except, event, args }, cb) => {
    let op = io.to(rooms ?? []);
    if (except?.length) op = op.except(except);
    op.emit(event, ...(args ?? []));
    cb(true);
  });
  socket.on("everyone", (payload, cb) => { io.emit("bcast", payload); cb(true); });
  socket.on("dyn-everyone", ({ nsp, payload }, cb) => { io.of(nsp).emit("bcast", payload); cb(true); });
  socket.on("fetch", async ({ room } = {}, cb) => {
    try {
      const sockets = await (room ? io.in(room) : io).fetchSockets();
      cb(sockets.map((s) => ({ id: s.id, rooms: roomsOf(s.rooms, s.id) }))
        .sort((a, b) => byCodePoint(a.id, b.id)));
    } catch (e) { cb({ error: e.message }); }
  });
  socket.on("remote-join", ({ id, room }, cb) => { io.in(id).socketsJoin(room); cb(true); });
  socket.on("remote-leave", ({ id, room }, cb) => { io.in(id).socketsLeave(room); cb(true); });
  socket.on("remote-disconnect", ({ id }, cb) => { io.in(id).disconnectSockets(true); cb(true); });
  socket.on("ask-servers", async (payload, cb) => {
    try {
      cb(sortValues(await io.serverSideEmitWithAck("ping-server", payload)));
    } catch (e) { cb(sortValues(e.responses ?? [])); }
  });
  socket.on("ask-clients", async ({ room, payload }, cb) => {
    try {
      cb(sortValues(await io.to(room).timeout(2000).emitWithAck("question", payload)));
    } catch (e) { cb({ error: e.message, answers: sortValues(e.responses ?? []) }); }
  });
});

io.of(/^\/dyn-\d+$/).on("connection", (socket) => {
  socket.on("whoami", (cb) => cb({ id: socket.id, node: NAME, nsp: socket.nsp.name }));
  socket.on("everyone", (payload, cb) => { socket.nsp.emit("bcast", payload); cb(true); });
});

// The adapter subscribes asynchronously: wait until this node counts in the server count.
const before = Date.now();
for (;;) {
  const channel = SHARDED ? "socket.io#/#" : "socket.io-request#/#";
  const reply = await pub.sendCommand(["PUBSUB", SHARDED ? "SHARDNUMSUB" : "NUMSUB", channel]);
  if (Number(reply[1]) > 0 && Date.now() - before > 200) break;
  await new Promise((r) => setTimeout(r, 20));
}
http.listen(port, "127.0.0.1");
await once(http, "listening");
console.log(`cluster_node_reference ${NAME} listening on http://127.0.0.1:${port}`);
process.on("SIGTERM", () => {
  io.close();
  Promise.allSettled([pub.quit(), sub.quit()]).then(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
});
