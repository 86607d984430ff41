// The bench server contract on Node.js socket.io (main namespace): "echo" is emitted back to
// the sender with the same argument, "bcast" to every socket — of every node of the cluster
// with --redis-port (@socket.io/redis-adapter, as deployed behind a load balancer).
import http from "node:http";
import { Server } from "socket.io";
import { announce, parseArgs } from "./args.mjs";

const args = parseArgs();
const server = http.createServer();
const io = new Server(server, { pingInterval: args.pingMs, serveClient: false });

if (args.redisPort) {
  const { createAdapter, createShardedAdapter } = await import("@socket.io/redis-adapter");
  const { createClient } = await import("redis");
  const pub = createClient({ url: `redis://127.0.0.1:${args.redisPort}` });
  const sub = pub.duplicate();
  await Promise.all([pub.connect(), sub.connect()]);
  io.adapter(args.sharded ? createShardedAdapter(pub, sub) : createAdapter(pub, sub));
}

io.on("connection", (socket) => {
  socket.on("echo", (...values) => socket.emit("echo", ...values));
  socket.on("bcast", (...values) => io.emit("bcast", ...values));
});
server.listen(args.port, "127.0.0.1", () => announce(server));
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(0));
