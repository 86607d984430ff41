"""The chat service (`switchboard serve --redis`) on one node against three nodes on one Redis:
messages accepted per second and deliveries per second, with the members of one room spread
over the nodes, and what each message costs the nodes and Redis (bench/chat-cluster).

Every configuration has three load generators; each holds SUBSCRIBERS members of the room and
one publisher posting `rate` messages per second over the chat's WebSocket transport
(ws/chat/<room>/). With one node the three connect to it; with three nodes each to its own, so
two thirds of what a member receives was posted on another node and crossed Redis. A message
is accepted when the chat stored it in Redis (its stream per room) and broadcast it: the
publisher's own copy comes back then. The rate rises while every generator keeps up.

CPUs: the nodes on CPU 0 (one shard each), Redis and the generators on CPU 1. Three nodes on
one core have the CPU of one node: this measures what a message costs, not how far three
machines go; the projection to 20 machines (docs/BENCHMARKS.md) is built from those costs.
"""
import os
import shutil
import tempfile
import time

from cluster import RedisServer
from scenarios import free_port, get_p99
from servers import RunningServer, ServerSpec, priority_prefix

RATES = [20, 50, 100, 200, 400, 700, 1000, 1500, 2000, 3000]
SUBSCRIBERS = 300
GENERATORS = 3
CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """utime + stime of a process (all its threads), or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK
    except (OSError, IndexError, ValueError):
        return None


def node_spec(bin_dir, redis_port, data_dir):
    limit = "1000000000"
    argv = [os.path.join(bin_dir, "switchboard"), "serve", "--shards", "1",
            "--redis", f"redis://127.0.0.1:{redis_port}", "--data", data_dir,
            "--web", data_dir, "--metrics", "off",
            "--name-burst", limit, "--name-rate", limit,
            "--address-burst", limit, "--address-rate", limit]
    return ServerSpec("chat", "switchboard serve --redis", argv, "0", ("ws",))


def step(gen, nodes, redis, rate, s):
    duration = 2 if s.quick else 4
    warmup = 1 if s.quick else 1.5
    procs = []
    for i in range(GENERATORS):
        node = nodes[i % len(nodes)]
        procs.append(gen.start("chat-broadcast", node.port, node.pid,
                               ["--connections", SUBSCRIBERS, "--rate", rate, "--payload", 64,
                                "--duration", duration, "--warmup", warmup, "--grace", 5,
                                "--tag", i, "--room", "bench"]))
    # The CPU window lies inside every generator's: each connects its members (under a
    # second) before its warm-up begins, and its window lasts `duration` after that.
    time.sleep(warmup + 1)
    before = [cpu_seconds(n.pid) for n in nodes] + [cpu_seconds(redis.pid)]
    started = time.monotonic()
    time.sleep(duration - 1.2)
    after = [cpu_seconds(n.pid) for n in nodes] + [cpu_seconds(redis.pid)]
    wall = time.monotonic() - started
    parts = [gen.finish(p) for p in procs]
    used = [(b2 - b1) if b1 is not None and b2 is not None else None
            for b1, b2 in zip(before, after)]
    node_cpu = sum(u for u in used[:-1] if u is not None)
    redis_cpu = used[-1]
    ok = all(p.get("ok") for p in parts)
    sustained = ok and all(p.get("sustained") for p in parts)
    accepted = rate * GENERATORS if sustained else None
    deliveries = sum(p.get("deliveries_per_s") or 0 for p in parts)
    # Messages of the window: each publisher's, at its rate (what was delivered in it).
    messages = rate * GENERATORS * wall
    return {
        "ok": ok, "rate": rate, "sustained": bool(sustained),
        "accepted_per_s": accepted,
        "deliveries_per_s": deliveries,
        "node_cpu_util": node_cpu / wall,
        "redis_cpu_util": (redis_cpu / wall) if redis_cpu is not None else None,
        "node_cpu_us_per_message": node_cpu / messages * 1e6 if messages else None,
        "node_cpu_us_per_delivery": node_cpu / (deliveries * wall) * 1e6 if deliveries else None,
        "redis_cpu_us_per_message": (redis_cpu / messages * 1e6
                                     if redis_cpu is not None and messages else None),
        "latency_p50_us": max(((p.get("latency_us") or {}).get("p50") or 0) for p in parts),
        "latency_p99_us": max((get_p99(p) or 0) for p in parts),
        "parts": parts,
    }


def run_config(gen, bin_dir, n_nodes, fsync, s):
    """Ramps the rate on `n_nodes` nodes; a fresh Redis and fresh nodes per step."""
    steps, misses = [], 0
    for rate in RATES:
        redis = RedisServer(appendfsync=fsync)
        data = tempfile.mkdtemp(prefix="sb-chat-bench-data-")
        nodes = []
        try:
            for i in range(n_nodes):
                d = os.path.join(data, str(i))
                os.makedirs(d)
                nodes.append(RunningServer(node_spec(bin_dir, redis.port, d), free_port()))
            r = step(gen, nodes, redis, rate, s)
            if not all(n.alive() for n in nodes):
                r = {**r, "ok": False, "sustained": False, "error": "a node exited"}
        except Exception as e:  # a node that does not start is a result too
            r = {"ok": False, "rate": rate, "sustained": False, "error": str(e)}
        finally:
            for n in nodes:
                n.stop()
            redis.stop()
            shutil.rmtree(data, ignore_errors=True)
        steps.append(r)
        print(f"    {n_nodes} node(s), appendfsync {fsync}, {rate}/s per publisher: "
              f"{r.get('deliveries_per_s', 0):,.0f} deliveries/s, nodes "
              f"{(r.get('node_cpu_util') or 0):.2f} CPU, Redis {(r.get('redis_cpu_util') or 0):.2f}"
              f" CPU{'' if r['sustained'] else ' (not sustained)'}", flush=True)
        misses = 0 if r["sustained"] else misses + 1
        if misses == 2:
            break
    sustained = [r for r in steps if r.get("sustained")]
    best = max(sustained, key=lambda r: r["deliveries_per_s"]) if sustained else {
        "ok": False, "deliveries_per_s": 0, "no_rate_sustained": True}
    return {**best, "nodes": n_nodes, "fsync": fsync, "steps": steps}
