"""Writes docs/BENCHMARKS.md from bench/run's results: machine, commands, goals, tables, plots."""
import datetime
import json
import os
import platform
import statistics
import subprocess

import svg

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GEN_BOUND = 0.9  # generator CPU utilisation from which it, not the server, may be the limit


def get(result, path):
    value = result
    for key in path.split("."):
        if not isinstance(value, dict) or value.get(key) is None:
            return None
        value = value[key]
    return value


def median(reps, path):
    values = [v for v in (get(r, path) for r in reps or []) if isinstance(v, (int, float))]
    return statistics.median(values) if values else None


def min_rate(reps):
    rates = [s.get("rate") for r in reps for s in r.get("steps", []) if s.get("rate")]
    return min(rates) if rates else "?"


def all_ok(reps):
    return bool(reps) and all(r.get("ok") for r in reps)


def fmt(v, digits=3):
    if v is None:
        return "–"
    if abs(v) >= 1e6:
        return f"{v / 1e6:.2f} M"
    if abs(v) >= 1e4:
        return f"{v / 1e3:.0f} k"
    if abs(v) >= 1e3:
        return f"{v / 1e3:.1f} k"
    return f"{v:.{digits}g}"


def ratio(a, b):
    return a / b if a and b else None


def _cmd(argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=10).stdout.strip()
    except OSError:
        return ""


def _package_version(path):
    try:
        with open(os.path.join(ROOT, "node_modules", path, "package.json")) as f:
            return json.load(f)["version"]
    except OSError:
        return "?"


def machine():
    cpu = next((l.split(":", 1)[1].strip() for l in _cmd(["lscpu"]).splitlines()
                if l.startswith("Model name")), platform.processor())
    mem = next((l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal")), "?")
    py_sio = _cmd(["dpkg-query", "-W", "-f", "${Version}", "python3-socketio"])
    aiohttp = _cmd(["dpkg-query", "-W", "-f", "${Version}", "python3-aiohttp"])
    return [
        f"CPU: {cpu}, {os.cpu_count()} logical CPUs; memory {int(mem) // 1024} MiB",
        f"Kernel: Linux {platform.release()}; loopback only",
        f"Compiler: {_cmd(['c++', '--version']).splitlines()[0] if _cmd(['c++', '--version']) else '?'}"
        ", Release build (-O3 via CMAKE_BUILD_TYPE=Release)",
        f"Node.js {_cmd(['node', '--version'])}, ws {_package_version('ws')}, "
        f"socket.io {_package_version('socket.io')}",
        f"Python {platform.python_version()} (/usr/bin/python3), python-socketio {py_sio}, "
        f"aiohttp {aiohttp}",
    ]


class Doc:
    def __init__(self, specs, results):
        self.specs = {s.name: s for s in specs}
        self.results = results
        self.lines = []

    def add(self, *lines):
        self.lines.extend(lines)

    def reps(self, scenario, server):
        return self.results.get(scenario, {}).get(server)

    def m(self, scenario, server, path):
        return median(self.reps(scenario, server), path)

    def table(self, header, rows):
        self.add("| " + " | ".join(header) + " |", "|" + " --- |" * len(header))
        for row in rows:
            self.add("| " + " | ".join(row) + " |")
        self.add("")

    def servers_of(self, scenario):
        return [k for k in self.specs if k in self.results.get(scenario, {})]

    def status(self, scenario, server):
        reps = self.reps(scenario, server)
        if not all_ok(reps):
            errors = {r.get("error") or "faults" for r in reps or [] if not r.get("ok")}
            return "FAILED: " + "; ".join(sorted(str(e) for e in errors))[:120]
        gen = median(reps, "gen_cpu_util")
        notes = ["generator-bound"] if gen and gen >= GEN_BOUND else []
        if any(r.get("no_rate_sustained") for r in reps):
            notes.append(f"no rate sustained, not even {min_rate(reps)} msgs/s")
        if any(r.get("p99_over_limit") for r in reps):
            notes.append("p99 ≥ 50 ms at every sustained rate")
        return ", ".join(notes) or "ok"


def goals(doc, soak):
    m = doc.m
    rows = []

    def row(goal, ours, theirs, value, target, met, note=""):
        verdict = "n/a" if met is None else ("met" if met else "**not met**")
        rows.append([goal, ours, theirs, value, target, verdict, note])

    r = ratio(m("ws-echo", "sb1", "msgs_per_server_cpu_s"),
              m("ws-echo", "node-ws", "msgs_per_server_cpu_s"))
    row("raw WebSocket echo, msgs per server CPU-second",
        fmt(m("ws-echo", "sb1", "msgs_per_server_cpu_s")),
        fmt(m("ws-echo", "node-ws", "msgs_per_server_cpu_s")), fmt(r) + "×", "≥ 3×",
        None if r is None else r >= 3)
    r = ratio(m("sio-echo", "sb1", "msgs_per_server_cpu_s"),
              m("sio-echo", "node-sio", "msgs_per_server_cpu_s"))
    row("Socket.IO echo, msgs per server CPU-second",
        fmt(m("sio-echo", "sb1", "msgs_per_server_cpu_s")),
        fmt(m("sio-echo", "node-sio", "msgs_per_server_cpu_s")), fmt(r) + "×", "≥ 3×",
        None if r is None else r >= 3)
    ours = m("sio-broadcast", "sb1", "deliveries_per_s")
    r = ratio(ours, m("sio-broadcast", "node-sio", "deliveries_per_s"))
    p99 = m("sio-broadcast", "sb1", "latency_us.p99")
    gen = m("sio-broadcast", "sb1", "gen_cpu_util")
    row("Socket.IO broadcast to 1,000 sockets, sustained deliveries/s (p99 < 50 ms)",
        fmt(ours) + (f", p99 {fmt(p99 / 1e3)} ms" if p99 else ""),
        fmt(m("sio-broadcast", "node-sio", "deliveries_per_s")), fmt(r) + "×", "≥ 30×",
        None if r is None else r >= 30 and (p99 or 1e9) < 50_000,
        "generator-bound: a lower bound" if gen and gen >= GEN_BOUND else "")
    peak = ratio(m("sio-broadcast", "sb1", "peak_deliveries_per_server_cpu_s"),
                 m("sio-broadcast", "node-sio", "peak_deliveries_per_server_cpu_s"))
    row("Socket.IO broadcast to 1,000 sockets, peak deliveries per server CPU-second "
        "(any rate of the ramp)",
        fmt(m("sio-broadcast", "sb1", "peak_deliveries_per_server_cpu_s")),
        fmt(m("sio-broadcast", "node-sio", "peak_deliveries_per_server_cpu_s")),
        fmt(peak) + "×", "(≥ 30× for deliveries/s)", None if peak is None else peak >= 30,
        "efficiency, free of the shared cores' noise")
    rss = m("sio-idle", "sb1", "rss_per_conn_bytes")
    row("memory per idle Socket.IO connection (server RSS)", fmt(rss) + " B",
        fmt(m("sio-idle", "node-sio", "rss_per_conn_bytes")) + " B", fmt(rss) + " B",
        "≤ 1024 B", None if rss is None else rss <= 1024)
    if soak:
        per = soak.get("deliveries_per_conn_per_s")
        row(f"{soak.get('connections')} Socket.IO connections, 1 broadcast/s each",
            f"{fmt(per)} deliveries/conn/s, p99 {fmt((soak.get('latency_p99_us') or 0) / 1e3)} ms",
            "–", "ok" if soak.get("ok") else "FAILED", "all delivered",
            bool(soak.get("ok")) and per is not None and per > 0.9)
    r = ratio(m("sio-connect", "sb1", "handshakes_per_s"),
              m("sio-connect", "node-sio", "handshakes_per_s"))
    r_cpu = ratio(m("sio-connect", "sb1", "handshakes_per_server_cpu_s"),
                  m("sio-connect", "node-sio", "handshakes_per_server_cpu_s"))
    gen = m("sio-connect", "sb1", "gen_cpu_util")
    row("Socket.IO handshakes/s", fmt(m("sio-connect", "sb1", "handshakes_per_s")),
        fmt(m("sio-connect", "node-sio", "handshakes_per_s")),
        f"{fmt(r)}× ({fmt(r_cpu)}× per CPU-s)", "≥ 7×", None if r is None else r >= 7,
        "generator-bound: compare per CPU-s" if gen and gen >= GEN_BOUND else "")
    uws_goals(doc, row)
    doc.add("## Goals", "",
            "Ratios of switchboard on one core (1 shard, CPU 0) to the peer, medians of the "
            "repetitions.", "")
    doc.table(["goal", "switchboard", "peer", "ratio / value", "target", "verdict", "note"],
              rows)


def uws_goals(doc, row):
    """Issue 14's goals against uWebSockets (raw WebSocket, per server CPU-second, and idle
    memory), when the run measured it (bench/run --uws)."""
    m = doc.m
    for scenario, path, what in (
            ("ws-echo", "msgs_per_server_cpu_s", "raw WebSocket echo, msgs per server CPU-second"),
            ("ws-broadcast", "peak_deliveries_per_server_cpu_s",
             "raw WebSocket broadcast to 1,000, peak deliveries per server CPU-second"),
            ("ws-connect", "handshakes_per_server_cpu_s",
             "raw WebSocket handshakes per server CPU-second")):
        theirs = m(scenario, "uws", path)
        if theirs is None:
            continue
        r = ratio(m(scenario, "sb1", path), theirs)
        row(what + " (beside uWebSockets)", fmt(m(scenario, "sb1", path)), fmt(theirs),
            fmt(r) + "×", "≥ 1×", None if r is None else r >= 1)
    # Socket.IO (the protocol on top) against uWebSockets' raw WebSocket: the protocol should
    # cost little per message and nothing per delivery of a broadcast encoded once.
    for scenario, raw, path, what, target in (
            ("sio-echo", "ws-echo", "msgs_per_server_cpu_s",
             "Socket.IO echo, msgs per server CPU-second, beside uWebSockets' raw echo", 0.9),
            ("sio-broadcast", "ws-broadcast", "peak_deliveries_per_server_cpu_s",
             "Socket.IO broadcast to 1,000, peak deliveries per server CPU-second, beside "
             "uWebSockets' raw broadcast", 1.0)):
        theirs = m(raw, "uws", path)
        if theirs is None:
            continue
        r = ratio(m(scenario, "sb1", path), theirs)
        row(what, fmt(m(scenario, "sb1", path)), fmt(theirs), fmt(r) + "×", f"≥ {target}×",
            None if r is None else r >= target)
    rss = m("ws-idle", "sb1", "rss_per_conn_bytes")
    if m("ws-idle", "uws", "rss_per_conn_bytes") is not None:
        row("memory per idle raw WebSocket connection (beside uWebSockets)", fmt(rss) + " B",
            fmt(m("ws-idle", "uws", "rss_per_conn_bytes")) + " B", fmt(rss) + " B", "≤ 512 B",
            None if rss is None else rss <= 512)


SCENARIO_COLUMNS = {
    "echo": [("msgs/s", "msgs_per_s"), ("msgs per server CPU-s", "msgs_per_server_cpu_s"),
             ("RTT p50 µs", "rtt_us.p50"), ("p99 µs", "rtt_us.p99"),
             ("p99.9 µs", "rtt_us.p999"), ("server CPU", "server_cpu_util"),
             ("kernel share", "server_sys_share"), ("server waited for CPU", "server_cpu_wait"),
             ("generator CPU", "gen_cpu_util")],
    "broadcast": [("best rate msgs/s", "rate"), ("deliveries/s", "deliveries_per_s"),
                  ("deliveries per server CPU-s", "deliveries_per_server_cpu_s"),
                  ("peak per server CPU-s (any rate)", "peak_deliveries_per_server_cpu_s"),
                  ("latency p50 µs", "latency_us.p50"), ("p99 µs", "latency_us.p99"),
                  ("drain s", "drain_s"), ("server CPU", "server_cpu_util"),
                  ("kernel share", "server_sys_share"), ("server waited for CPU", "server_cpu_wait"), ("generator CPU", "gen_cpu_util")],
    "idle": [("connections", "connections"), ("RSS per connection (B)", "rss_per_conn_bytes"),
             ("RSS before KiB", "server_rss_before_kib"), ("after KiB", "server_rss_after_kib"),
             ("connect time s", "connect_s")],
    "connect": [("handshakes/s", "handshakes_per_s"),
                ("per server CPU-s", "handshakes_per_server_cpu_s"),
                ("p50 µs", "handshake_us.p50"), ("p99 µs", "handshake_us.p99"),
                ("server CPU", "server_cpu_util"), ("kernel share", "server_sys_share"), ("server waited for CPU", "server_cpu_wait"),
                ("generator CPU", "gen_cpu_util")],
}

TITLES = {
    "ws-echo": "Raw WebSocket echo (100 connections × 10 in flight, 64 B)",
    "sio-echo": "Socket.IO echo (100 connections × 10 in flight, 64 B)",
    "ws-broadcast": "Raw WebSocket broadcast to 1,000 subscribers (highest sustained rate)",
    "sio-broadcast": "Socket.IO broadcast to 1,000 sockets (highest sustained rate)",
    "ws-idle": "Idle raw WebSocket connections",
    "sio-idle": "Idle Socket.IO connections (WebSocket transport, main namespace joined)",
    "ws-connect": "Raw WebSocket handshakes (50 at a time, reset after the 101)",
    "sio-connect": "Socket.IO handshakes (50 at a time, through the CONNECT reply)",
}


def scenario_tables(doc):
    doc.add("## Results", "")
    for scenario, title in TITLES.items():
        servers = doc.servers_of(scenario)
        if not servers:
            continue
        columns = SCENARIO_COLUMNS[scenario.split("-", 1)[1]]
        doc.add(f"### {title}", "")
        rows = []
        for key in servers:
            rows.append([doc.specs[key].title] +
                        [fmt(doc.m(scenario, key, path)) for _, path in columns] +
                        [doc.status(scenario, key)])
        doc.table(["server"] + [c for c, _ in columns] + ["status"], rows)


def scaling(doc):
    rows = []
    for scenario, path in [("ws-echo", "msgs_per_s"), ("sio-echo", "msgs_per_s"),
                           ("ws-broadcast", "deliveries_per_s"),
                           ("sio-broadcast", "deliveries_per_s"),
                           ("ws-connect", "handshakes_per_s"), ("sio-connect", "handshakes_per_s")]:
        one, two = doc.m(scenario, "sb1", path), doc.m(scenario, "sb2", path)
        if one is None and two is None:
            continue
        rows.append([scenario, fmt(one), fmt(two), fmt(ratio(two, one)) + "×",
                     fmt(doc.m(scenario, "sb2", "server_cpu_util")),
                     fmt(doc.m(scenario, "sb2", "gen_cpu_util"))])
    doc.add("## Two shards", "",
            "The machine has two cores. With 2 shards switchboard runs on CPUs 0 and 1 and "
            "shares CPU 1 with the load generator, so these numbers say how much a second "
            "shard helps when a core is half taken, not how switchboard scales on a larger "
            "machine.", "")
    doc.table(["mode", "1 shard", "2 shards", "2 / 1", "server CPU (2 shards)",
               "generator CPU"], rows)


def plots(doc, out_dir):
    doc.add("## Plots", "")
    charts = [("ws-echo", "msgs_per_server_cpu_s", "Raw WebSocket echo", "msgs per server CPU-s"),
              ("sio-echo", "msgs_per_server_cpu_s", "Socket.IO echo", "msgs per server CPU-s"),
              ("sio-broadcast", "deliveries_per_s", "Socket.IO broadcast, 1,000 sockets",
               "sustained deliveries/s"),
              ("sio-connect", "handshakes_per_server_cpu_s", "Socket.IO handshakes",
               "per server CPU-s"),
              ("sio-idle", "rss_per_conn_bytes", "Idle Socket.IO connection", "RSS bytes")]
    for scenario, path, title, unit in charts:
        bars = [(k, doc.specs[k].title, doc.m(scenario, k, path)) for k in doc.servers_of(scenario)]
        if not bars:
            continue
        name = f"{scenario}.svg"
        with open(os.path.join(out_dir, name), "w") as f:
            f.write(svg.bar_chart(title, unit, bars))
        doc.add(f"![{title}](benchmarks/{name})", "")
    series = []
    for k in doc.servers_of("sio-broadcast"):
        steps = (doc.reps("sio-broadcast", k) or [{}])[0].get("steps", [])
        series.append((k, doc.specs[k].title,
                       [(s.get("deliveries_per_s") or 0, (get(s, "latency_us.p99") or 0) / 1e3)
                        for s in steps if s.get("ok")]))
    if series:
        with open(os.path.join(out_dir, "sio-broadcast-ramp.svg"), "w") as f:
            f.write(svg.line_chart("Socket.IO broadcast ramp, 1,000 sockets (first repetition)",
                                   "deliveries/s", "p99 latency ms", series))
        doc.add("![Socket.IO broadcast ramp](benchmarks/sio-broadcast-ramp.svg)", "")


def _rel(path):
    if path.startswith(ROOT + "/"):
        return os.path.relpath(path, ROOT)
    # Results measured in another checkout (a worktree) of the repository: the same layout.
    build = path.find("/build/")
    return path[build + 1:] if path.startswith("/") and build >= 0 else path


def commands(doc, specs, command_lines, invocation, gen_binary):
    doc.add("## How it was run", "", f"`{invocation}` — every server is started fresh for "
            "each measurement, pinned with `taskset`; the load generator runs on CPU 1. As root, "
            "servers and generator also run under `nice -n -10` (it helps against other work "
            "on the machine only within the same cgroup).", "",
            "```")
    for s in specs:
        doc.add(f"taskset -c {s.cpus} {' '.join(_rel(a) for a in s.argv)} --port PORT")
    doc.add("```", "", "Load generator runs (one line per distinct command; `--port` and "
            "`--server-pid` omitted):", "", "```")
    seen = []
    for line in command_lines:
        parts = line.split()
        keep = []
        skip = False
        for p in parts:
            if skip:
                skip = False
                continue
            if p in ("--port", "--server-pid"):
                skip = True
                continue
            keep.append(p)
        text = f"taskset -c 1 {_rel(gen_binary)} " + " ".join(keep)
        if text not in seen:
            seen.append(text)
    doc.add(*seen, "```", "")


def soak_section(doc, soak):
    if not soak:
        return
    doc.add("## Soak: 19,000 Socket.IO connections", "",
            f"Two load generator processes (each under the 20,000 open-file limit) hold "
            f"{soak.get('connections')} Socket.IO connections to switchboard (1 shard) and each "
            f"publishes one broadcast every 2 s, so every socket receives one broadcast per "
            f"second, for {soak.get('duration_s')} s.", "")
    doc.table(["result", "deliveries", "per connection per second", "p99 latency ms",
               "server RSS MiB", "server CPU"],
              [["ok" if soak.get("ok") else "FAILED", fmt(soak.get("deliveries")),
                fmt(soak.get("deliveries_per_conn_per_s")),
                fmt((soak.get("latency_p99_us") or 0) / 1e3),
                fmt((soak.get("server_rss_kib") or 0) / 1024),
                fmt(soak.get("server_cpu_util"))]])
    # A projection to a million connections from what was measured, linear in connections.
    n = soak.get("connections") or 0
    rss = (soak.get("server_rss_kib") or 0) * 1024
    cpu = soak.get("server_cpu_util") or 0
    if n and rss and cpu:
        scale = 1e6 / n
        doc.add("", f"Projection to 1,000,000 such connections, linear in the measured figures: "
                f"{fmt(rss * scale / 2**30)} GiB of server RSS ({fmt(rss / n)} B per connection "
                f"here, broadcast buffers included; kernel socket buffers come on top), and "
                f"{fmt(cpu * scale)} cores busy for one broadcast per second to each socket "
                f"({fmt(cpu / (n * (soak.get('deliveries_per_conn_per_s') or 1)) * 1e6)} µs of "
                f"server CPU per delivery at this rate, where no two messages share a write). "
                f"At 20,000 connections per process (the file limit here), that is 50 "
                f"processes or, with the limit raised, one shard per core.", "")


def cluster_section(doc, cluster):
    """The cluster case (bench/tools/cluster.py): broadcast through Redis to two nodes."""
    if not cluster:
        return
    doc.add("## Cluster: a broadcast to 1,000 sockets on two nodes through Redis", "",
            "Two nodes of one kind share a Redis server in the `@socket.io/redis-adapter` "
            "wire format (classic pub/sub); both run on CPU 0 with one shard each, Redis and "
            "the two load generators on CPU 1. 500 subscribers and the publisher are on node "
            "A, 500 subscribers on node B, so every delivery on B crossed Redis. The rate "
            "rises step by step as in the one-node broadcast; the row is the best step both "
            "halves kept up with (p99 under 50 ms on both). Per server CPU-second counts both "
            "nodes' CPU (Redis's is not counted for either kind). The Redis hop is node B's "
            "latency minus node A's at the same step.", "")
    rows = []
    results = cluster.get("results", {})
    for name, reps in results.items():
        title = name
        for spec in cluster.get("specs", []):
            if spec[0] == name:
                title = spec[1]
        rows.append([
            title, "ok" if all_ok(reps) else "FAILED", fmt(median(reps, "rate")),
            fmt(median(reps, "deliveries_per_s")),
            fmt(median(reps, "deliveries_per_server_cpu_s")),
            fmt(median(reps, "server_cpu_util")),
            fmt((median(reps, "local_latency_us.p50") or 0) / 1e3),
            fmt((median(reps, "local_latency_us.p99") or 0) / 1e3),
            fmt((median(reps, "remote_latency_us.p50") or 0) / 1e3),
            fmt((median(reps, "remote_latency_us.p99") or 0) / 1e3),
            fmt((median(reps, "redis_hop_p50_us") or 0) / 1e3),
            fmt((median(reps, "redis_hop_p99_us") or 0) / 1e3)])
    doc.table(["pair", "result", "msgs/s", "deliveries/s", "per server CPU-s", "servers' CPU",
               "p50 ms on A", "p99 ms on A", "p50 ms on B", "p99 ms on B", "Redis hop p50 ms",
               "Redis hop p99 ms"], rows)
    sb = median(results.get("sb-pair"), "deliveries_per_server_cpu_s")
    node = median(results.get("node-pair"), "deliveries_per_server_cpu_s")
    if sb and node:
        doc.add("", f"switchboard pair / Node.js pair per server CPU-second: {sb / node:.1f}×; "
                f"deliveries/s: {fmt(ratio(median(results.get('sb-pair'), 'deliveries_per_s'), median(results.get('node-pair'), 'deliveries_per_s')))}×.")
    load = cluster.get("load") or ["?", "?"]
    doc.add("", f"Measured {cluster.get('date', '?')} by `{cluster.get('invocation', 'bench/run')}` "
            f"at a load average (1 min) of {load[0]} before and {load[1]} after: with other "
            "work on the two cores, latencies and wall-clock rates suffer more than the rates "
            "per server CPU-second. Every step is in docs/benchmarks/results.json (`cluster`).",
            "")


def _ir(v):
    return "–" if v is None else f"{v:,.0f}"


def callgrind_section(doc, cg):
    """Instructions per message from bench/run's callgrind stage (bench/tools/callgrind.py)."""
    if not cg or not cg.get("cases"):
        return
    doc.add("## Instructions per message (callgrind)", "",
            f"Server instructions (callgrind's Ir) per unit of work, switchboard with 1 shard "
            f"(`bench_server --shards 1`) under `{cg.get('command', 'valgrind --tool=callgrind')}`"
            f" ({cg.get('valgrind', '?')}), measured on commit {cg.get('commit', '?')} on "
            f"{cg.get('date', '?')} by `{cg.get('invocation', 'bench/run')}`. Unlike times, "
            "these counts hardly move with the load of the machine, so they show small gains "
            "and losses.", "",
            "- Method: every case runs twice, each time against a fresh server under callgrind, "
            "with the same connections and settings but a short and a long duration "
            "(`--warmup 0`, so that every message counted is one the server handled). Start-up, "
            "the connections' handshakes, the drain and shutdown cost the same in both runs, so "
            "(Ir of the long run − Ir of the short one) / (units of the long run − units of the "
            "short one) is what one more unit costs. The column \"whole run / units\" divides "
            "the long run alone, fixed costs included, for comparison.",
            "- Units: an echo message is one received and sent back; a broadcast's *delivery* "
            "is one socket written to (each published message goes to every subscriber and "
            "back to the publisher); a handshake is a completed connection (raw WebSocket: the "
            "101; Socket.IO: through the namespace CONNECT reply), then reset by the client.",
            "- Under callgrind the server runs some 50 times slower, so the loads are small and "
            "the generator's rates and latencies there mean nothing; batching differs from the "
            "native runs above (fewer messages per read and per write when fewer are in flight). "
            "Where messages share a read or a write, the figures per message fall: the system "
            "calls per unit below show how much they did.",
            "- callgrind counts user-space instructions only: the kernel's work for each "
            "message (the system calls, TCP on loopback), which the \"kernel share\" columns "
            "above show to be large, is not in these figures. Release build without debug "
            "information, so inlined code is counted in its caller.", "")
    rows = []
    for name, c in cg["cases"].items():
        if c.get("error"):
            rows.append([c.get("title", name), "–", "FAILED: " + c["error"][:100], "–", "–"])
            continue
        for unit, u in c.get("units", {}).items():
            counts = u.get("counts") or ["?", "?"]
            rows.append([c["title"], unit, f"**{_ir(u.get('ir_per_unit'))}**",
                         _ir(u.get("naive_ir_per_unit")), f"{counts[0]:,} / {counts[1]:,}"])
    doc.table(["case", "per", "server instructions per unit", "whole run / units",
               "units in short / long run"], rows)
    if cg.get("generator_commands"):
        doc.add("Load generator runs (`--port` and `--server-pid` omitted), each against "
                "`valgrind ... bench_server --shards 1`:", "", "```")
        for line in cg["generator_commands"]:
            doc.add("switchboard-bench " + " ".join(
                p for i, p in enumerate(line.split())
                if p not in ("--port", "--server-pid") and
                line.split()[i - 1] not in ("--port", "--server-pid")))
        doc.add("```", "")
    doc.add("### Where the instructions go", "",
            "Per unit of each case, from the same difference of the two runs taken function by "
            "function (self cost: a function's own instructions, not those of what it calls). "
            "Groups sort functions by namespace or library; then the top functions.", "")
    for name, c in cg["cases"].items():
        if c.get("error") or not c.get("top_functions"):
            continue
        per = c.get("per", "unit")
        total = (c.get("units", {}).get(per) or {}).get("ir_per_unit") or 0

        def share(ir):
            return f"{ir / total:.0%}" if total else "–"

        doc.add(f"**{c['title']}**: {_ir(total)} instructions per {per}. By group: " +
                "; ".join(f"{g['group']} {_ir(g['ir'])} ({share(g['ir'])})"
                          for g in c.get("groups", []) if g["ir"] >= 0.01 * total) + ".", "")
        if c.get("syscalls"):
            doc.add(f"Per {per}, counted by callgrind: {c.get('mallocs', 0):.2f} calls to "
                    "`malloc` (operator new included); system calls (through libc's wrappers) " +
                    ", ".join(f"`{n}` {v:.2f}" for n, v in
                              sorted(c["syscalls"].items(), key=lambda kv: -kv[1])) + ".", "")
        if c.get("library_calls"):
            doc.add(f"Switchboard's calls into shared libraries per {per}, each with all it "
                    "calls (inclusive): " + "; ".join(
                        f"`{f['function']}` ({f['library'].split('.so')[0]}) {_ir(f['ir'])}"
                        for f in c["library_calls"][:6] if f["ir"] >= 0.01 * total) + ".", "")
        doc.table(["function", "group", f"Ir per {per}", "share"],
                  [[f"`{f['function']}`", f["group"], _ir(f["ir"]), share(f["ir"])]
                   for f in c["top_functions"]])


def yardstick_section(doc, y):
    """switchboard beside uWebSockets in instructions and system calls (bench/tools/yardstick.py)."""
    if not y or not y.get("cases"):
        return
    import yardstick
    doc.add("## Beside uWebSockets: instructions and system calls per unit", "",
            "Instruction counts and system call counts, not throughput: raw WebSocket on "
            "`bench_server --shards 1` and on uWebSockets (`bench/peers/uws`, built by "
            "`bench/peers/uws/build` from a local checkout), the same `switchboard-bench` as the "
            f"client, measured on commit {y.get('commit', '?')} on {y.get('date', '?')} by "
            f"`{y.get('invocation', 'bench/run')}`. Instructions: callgrind's Ir per unit, the "
            "difference of a short and a long run (as above). System calls: the kernel's "
            "`raw_syscalls:sys_enter` count for the server process under `perf stat`, native "
            "runs, the same difference. Mallocs: calls to `malloc` per unit (callgrind).", "",
            *yardstick.table(y), "",
            "Where the instructions go is in `bench/gaps.md`.", "")


def add_peaks(results):
    """The best deliveries per server CPU-second over each broadcast ramp: where the server
    batches most, whatever the latency."""
    for scenario in ("ws-broadcast", "sio-broadcast"):
        for reps in results.get(scenario, {}).values():
            for r in reps:
                values = [s.get("deliveries_per_server_cpu_s") or 0 for s in r.get("steps", [])]
                r["peak_deliveries_per_server_cpu_s"] = max(values) if values else None


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


GAPS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "gaps.md")
# The chat on many nodes (bench/chat-cluster, run apart): hand-written from its results.
CHAT_CLUSTER = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                            "chat-cluster.md")


def hand_written(doc, path):
    """A hand-written section, included as it is: the analysis of the goals not met
    (bench/gaps.md, measured separately with heaptrack, strace, callgrind), and the chat
    cluster's (bench/chat-cluster.md, from bench/chat-cluster's results)."""
    if not os.path.exists(path):
        return
    with open(path) as f:
        text = f.read().rstrip()
    doc.add(*text.splitlines(), "")


def write(path, out_dir, specs, settings, results, soak, command_lines, elapsed, invocation,
          gen_binary, load, callgrind=None, measured_at=None, cluster=None, yardstick=None,
          machine_lines=None):
    add_peaks(results)
    doc = Doc(specs, results)
    now = measured_at or utc_now()
    doc.add("# Benchmarks", "",
            f"Generated by `{invocation}` on {now}: {settings.reps} repetition(s), medians"
            f"{' (quick run: short durations, treat as indicative)' if settings.quick else ''}; "
            f"{elapsed / 60:.0f} minutes of measurement. Raw results: "
            "[benchmarks/results.json](benchmarks/results.json).", "",
            "## Machine", "", *[f"- {line}" for line in (machine_lines or machine())],
            f"- Load average (1 min) before / after the measurements: {load[0]} / {load[1]} "
            "(the Release build just before counts in the first). Whether other work shared "
            "the cores shows in the servers' CPU-wait column; wall-clock rates suffer from "
            "contention more than the per-server-CPU-second rates.", "",
            "## Method", "",
            "- One contract for every server (`bench/server/main.cpp`, `bench/peers/`): raw "
            "WebSocket `/echo` and `/bcast`, Socket.IO events `echo` and `bcast` on `/`.",
            "- The load generator `switchboard-bench` (`bench/load/`) drives every connection "
            "from one epoll thread, checks every message (sequence number and checksum in the "
            "payload: lost, duplicated, reordered or corrupted messages fail the run) and "
            "reads the server's CPU time (utime + stime) from `/proc/<pid>/stat` over the "
            "measurement window, hence the per-server-CPU-second rates, which stay fair when "
            "the generator rather than the server is the bottleneck.",
            f"- \"generator-bound\": the generator used ≥ {GEN_BOUND:.0%} of its core, so the "
            "server may have had more to give; compare per CPU-second.",
            "- Broadcast: the publish rate is raised step by step (10, 20, 50, … 1000, 1500, 2000, 3000, … msgs/s) until "
            "two steps in a row fail to keep up. Keeping up means: no message lost, the last messages delivered within "
            "max(0.25 s, a tenth of the step) after publishing stops (\"drain\"), and the median "
            "latency of the step's last third within twice its first third's. The table shows "
            "the best such step whose p99 is under 50 ms (the goal's bound), else the best "
            "sustained step, flagged.",
            "- Server CPU is metered from the start of the measurement window until the "
            "messages sent in it have come back (the drain), so work a server defers is "
            "counted; \"kernel share\" is stime / (utime + stime). On loopback the sender's "
            "system time includes the receiving side's TCP processing. \"Server waited for "
            "CPU\" is the share of the window its threads were runnable but not running "
            "(`/proc/<pid>/task/*/schedstat`): other work on the machine had the core.",
            "- Idle: server RSS (`VmRSS`) before the connections and after holding them 3 s, "
            "divided by their number; connections come from 127.0.0.2 and 127.0.0.3.", "")
    goals(doc, soak)
    hand_written(doc, GAPS)
    scenario_tables(doc)
    scaling(doc)
    soak_section(doc, soak)
    callgrind_section(doc, callgrind)
    yardstick_section(doc, yardstick)
    cluster_section(doc, cluster)
    hand_written(doc, CHAT_CLUSTER)
    plots(doc, out_dir)
    commands(doc, specs, command_lines, invocation, gen_binary)
    with open(path, "w") as f:
        f.write("\n".join(doc.lines).rstrip() + "\n")
