// The command line the peer servers share with bench_server: --port N (8000), --ping-ms N
// (Engine.IO ping interval, 25000), --redis-port N (join a cluster through the Redis server on
// 127.0.0.1:N with @socket.io/redis-adapter; 0: none), --sharded 0|1 (its sharded adapter);
// --shards is accepted and ignored (Node.js runs one thread).
export function parseArgs(argv = process.argv.slice(2)) {
  const args = { port: 8000, pingMs: 25000, redisPort: 0, sharded: false };
  for (let i = 0; i < argv.length; i += 2) {
    const [name, value] = [argv[i], Number(argv[i + 1])];
    if (!Number.isInteger(value) || value < 0) throw new Error(`bad option ${name} ${argv[i + 1]}`);
    if (name === "--port") args.port = value;
    else if (name === "--ping-ms") args.pingMs = value;
    else if (name === "--redis-port") args.redisPort = value;
    else if (name === "--sharded") args.sharded = value !== 0;
    else if (name !== "--shards") throw new Error(`unknown option ${name}`);
  }
  return args;
}

export function announce(server) {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
}
