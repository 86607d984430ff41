"""The cluster case of bench/run: a Socket.IO broadcast to 1,000 sockets spread over two nodes
that share one Redis server (the @socket.io/redis-adapter wire format), a switchboard pair
against a Node.js socket.io pair with the real @socket.io/redis-adapter.

Both nodes of a pair run on CPU 0 (one shard each); Redis and the two load generators share
CPU 1. Generator A holds 500 subscribers and the publisher on node A; generator B holds 500
subscribers on node B and publishes nothing, so every message B's sockets receive crossed Redis.
A step publishes at a fixed rate; the rate rises while both halves keep up. Per step:
deliveries/s of both halves, per server CPU-second of the pair (both nodes' CPU), and the
latency on node A (local delivery) against node B (through Redis): the difference is what the
Redis hop adds.
"""
import os
import shutil
import subprocess
import tempfile
import time

from scenarios import BROADCAST_P99_LIMIT_US, free_port, get_p99
from servers import PEERS, RunningServer, ServerSpec, priority_prefix

RATES = [10, 20, 50, 100, 200, 500, 1000, 2000, 3000, 5000]
SUBSCRIBERS_PER_NODE = 500


def pair_specs(bin_dir):
    bench_server = os.path.join(bin_dir, "bench_server")
    return [
        ServerSpec("sb-pair", "switchboard pair (1 shard each), Redis adapter",
                   [bench_server, "--shards", "1"], "0", ("sio",)),
        ServerSpec("node-pair", "Node.js socket.io pair, @socket.io/redis-adapter",
                   ["node", os.path.join(PEERS, "socketio_server.mjs")], "0", ("sio",)),
    ]


class RedisServer:
    """A throw-away redis-server on a free port: without persistence, or with the append-only
    file `appendfsync` names (everysec, always), in a temporary directory of its own."""

    def __init__(self, cpu="1", timeout=10.0, appendfsync=None):
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is missing (scripts/bootstrap installs it)")
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="sb-bench-redis-") if appendfsync else None
        persistence = (["--dir", self.dir, "--appendonly", "yes", "--appendfsync", appendfsync]
                       if appendfsync else ["--appendonly", "no"])
        self.proc = subprocess.Popen(
            [*priority_prefix(), "taskset", "-c", cpu, binary, "--port", str(self.port),
             "--bind", "127.0.0.1", "--save", "", *persistence],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.pid = self.proc.pid
        deadline = time.monotonic() + timeout
        for line in self.proc.stdout:
            if "Ready to accept connections" in line:
                break
            if time.monotonic() > deadline:
                break
        if self.proc.poll() is not None:
            raise RuntimeError("redis-server did not start")
        import threading
        threading.Thread(target=lambda: [None for _ in self.proc.stdout], daemon=True).start()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)


def step(gen, nodes, rate, s):
    duration = 1.5 if s.quick else 4
    warmup = 0.5 if s.quick else 1
    common = ["--rate", rate, "--payload", 64, "--connections", SUBSCRIBERS_PER_NODE]
    # B's window lies inside A's publishing: B starts its window a second later and A keeps
    # publishing two seconds past B's end. B listens 2 s past its window (unmetered) for the
    # window's messages still on their way.
    procs = [
        gen.start("sio-broadcast", nodes[0].port, nodes[0].pid,
                  [*common, "--duration", duration + 2, "--warmup", warmup, "--grace", 5,
                   "--tag", 0]),
        gen.start("sio-broadcast", nodes[1].port, nodes[1].pid,
                  [*common, "--duration", duration, "--warmup", warmup + 1, "--grace", 2,
                   "--publish", 0]),
    ]
    local, remote = [gen.finish(p) for p in procs]
    util = (local.get("server_cpu_util") or 0) + (remote.get("server_cpu_util") or 0)
    rate_total = (local.get("deliveries_per_s") or 0) + (remote.get("deliveries_per_s") or 0)
    local_p50 = (local.get("latency_us") or {}).get("p50")
    remote_p50 = (remote.get("latency_us") or {}).get("p50")
    ok = bool(local.get("ok") and remote.get("ok"))
    sustained = bool(ok and local.get("sustained") and remote.get("sustained"))
    return {
        "ok": ok, "rate": rate, "sustained": sustained,
        "within_limit": sustained and max(get_p99(local) or 1e12,
                                          get_p99(remote) or 1e12) < BROADCAST_P99_LIMIT_US,
        "deliveries_per_s": rate_total,
        "deliveries_per_server_cpu_s": rate_total / util if util > 0 else None,
        "server_cpu_util": util,
        "local_latency_us": local.get("latency_us"),
        "remote_latency_us": remote.get("latency_us"),
        "redis_hop_p50_us": (remote_p50 - local_p50
                             if remote_p50 is not None and local_p50 is not None else None),
        "redis_hop_p99_us": ((get_p99(remote) - get_p99(local))
                             if get_p99(remote) is not None and get_p99(local) is not None
                             else None),
        "parts": [local, remote],
    }


def run_pair(gen, spec, s):
    """Ramps the publish rate on one pair; a fresh Redis and fresh nodes per step."""
    steps = []
    misses = 0
    for rate in RATES:
        redis = RedisServer()
        nodes = []
        try:
            for _ in range(2):
                nodes.append(RunningServer(spec, free_port(),
                                           ["--redis-port", str(redis.port)]))
            r = step(gen, nodes, rate, s)
            if not all(n.alive() for n in nodes):
                r = {**r, "ok": False, "sustained": False, "error": "a node exited"}
        except Exception as e:  # a node that does not start is a result too
            r = {"ok": False, "rate": rate, "sustained": False, "within_limit": False,
                 "error": str(e)}
        finally:
            for n in nodes:
                n.stop()
            redis.stop()
        steps.append(r)
        print(f"    {spec.name} at {rate}/s: {r.get('deliveries_per_s', 0):,.0f} deliveries/s"
              f"{'' if r['sustained'] else ' (not sustained)'}", flush=True)
        misses = 0 if r["sustained"] else misses + 1
        if misses == 2:
            break
    within = [r for r in steps if r.get("within_limit")]
    sustained = [r for r in steps if r.get("sustained")]
    pool = within or sustained
    best = max(pool, key=lambda r: r["deliveries_per_s"]) if pool else {
        "ok": False, "deliveries_per_s": 0, "no_rate_sustained": True}
    broken = [r["rate"] for r in steps for part in r.get("parts", []) if any(
        (part.get("faults") or {}).get(k) for k in ("duplicated", "reordered", "corrupted"))]
    if broken:
        best = {**best, "ok": False, "error": f"faults at rates {sorted(set(broken))}"}
    return {**best, "p99_over_limit": not within, "steps": steps}


def run(gen, bin_dir, s):
    """Every pair, `s.reps` times; the results per pair name as lists, like the scenarios."""
    results = {}
    for rep in range(s.reps):
        for spec in pair_specs(bin_dir):
            print(f"[rep {rep + 1}/{s.reps}] cluster broadcast on {spec.title}", flush=True)
            results.setdefault(spec.name, []).append(run_pair(gen, spec, s))
    return results
