"""bench/run's yardstick stage: switchboard (bench_server, 1 shard) beside uWebSockets
(bench/peers/uws, when built) on raw WebSocket, in instructions and system calls per unit of
work, neither of which depends much on what else the machine is doing.

- Instructions: each case runs twice under callgrind (short and long, same connections), as in
  callgrind.py: (Ir_long - Ir_short) / (units_long - units_short). The same difference per
  source file and function says where they go: the groups follow the source file of each
  instruction (so code inlined from asio's headers counts as asio, from <functional> as
  std::function), not the function it was inlined into.
- System calls: each case runs twice natively (server on CPU 0, generator on CPU 1) under
  `perf stat` counting the kernel's syscall tracepoints for the server process, with the same
  difference. These are the kernel's own counts, at native batching (how many messages share a
  read or a write depends on timing, so with several messages in flight they move with load).

The same load generator (switchboard-bench) is the client for both servers.
"""
import datetime
import os
import re
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass

import callgrind
from servers import RunningServer, ServerSpec

BROADCAST_SUBSCRIBERS = 1000


@dataclass
class Case:
    name: str
    title: str
    mode: str
    args: list
    durations: tuple
    unit: str
    count: object  # result line -> units


def _deliveries(r):
    return r["published"] * (BROADCAST_SUBSCRIBERS + 1)


ECHO = ["--connections", 100, "--payload", 64, "--warmup", 0, "--grace", 60]
CASES = [
    Case("echo-1", "echo, 100 connections × 1 in flight, 64 B", "ws-echo",
         [*ECHO, "--inflight", 1], (1, 3), "message", lambda r: r["messages"]),
    Case("echo-8", "echo, 100 connections × 8 in flight, 64 B", "ws-echo",
         [*ECHO, "--inflight", 8], (1, 3), "message", lambda r: r["messages"]),
    # Slow enough that each published message is written on its own under callgrind.
    Case("broadcast", f"broadcast to {BROADCAST_SUBSCRIBERS} + 1, 10 msgs/s, 64 B",
         "ws-broadcast", ["--connections", BROADCAST_SUBSCRIBERS, "--rate", 10, "--payload", 64,
                          "--warmup", 0, "--grace", 60], (1, 3), "delivery", _deliveries),
    Case("handshake", "handshake, 4 at a time, reset after the 101", "connect-rate",
         ["--proto", "ws", "--connections", 4, "--warmup", 0], (1, 3), "handshake",
         lambda r: r["handshakes"]),
]

# Where an instruction's source file says it belongs. First match wins; a path not matched
# falls back to callgrind.classify's grouping by function name and object.
FILE_GROUPS = [
    (r"boost/asio/|src/net/runtime|src/net/listener|src/net/asio_stream|src/net/timer",
     REACTOR := "reactor (Boost.Asio / uSockets, net::)"),
    (r"uSockets/src/|uws/src/Loop\.h|uws/src/LoopData\.h", REACTOR),
    (r"bits/std_function\.h|MoveOnlyFunction\.h", CALLBACKS := "std::function / callbacks"),
    (r"bits/shared_ptr|bits/atomic|ext/atomicity", SHARED := "shared_ptr / atomics"),
    (r"src/ws/.*(decoder|encoder|frame|utf8|mask)|WebSocketProtocol\.h",
     CODEC := "WebSocket codec (frames, masks, UTF-8)"),
    (r"WebSocketHandshake\.h|src/ws/handshake|src/net/random",
     ACCEPT := "handshake key (SHA-1, base64), ids"),
    (r"src/ws/|src/net/write_queue|uws/src/WebSocket\.h|WebSocketContext|AsyncSocket|"
     r"WebSocketData\.h", CONNECTION := "WebSocket connection, write queue"),
    (r"src/http/|HttpParser|HttpContext|HttpResponse|HttpRouter|BloomFilter|boost/beast/",
     HTTP := "HTTP (request parser, routing, 101)"),
    (r"src/socketio/|src/engineio/|src/adapter/|examples/common/",
     SOCKETIO := "Socket.IO layer (namespace rooms, fan-out)"),
    (r"TopicTree\.h", PUBSUB := "pub/sub (uWS TopicTree)"),
    (r"src/net/", REACTOR),
    (r"bench/server/|bench/peers/|uws/src/App\.h", APP := "the bench server, app glue"),
]

# Code inlined from a standard header, or a library without debug information: the function's
# own name or object says where it belongs.
NAME_GROUPS = {
    "malloc/free (libc)": (ALLOC := "allocation (malloc/free, new/delete)"),
    "libstdc++ (operator new/delete, strings)": ALLOC,
    "memcpy/memset & co (libc)": "memcpy/memset & co (libc)",
    "system call wrappers (libc; the kernel's work is not counted)": "system call wrappers",
    "std::function calls (with the lambda's body inlined)": CALLBACKS,
    "shared_ptr reference counts": SHARED,
    "Boost.Asio": REACTOR,
    "switchboard::net": REACTOR,
    "switchboard::http": HTTP,
    "Boost.Beast (HTTP parser)": HTTP,
    "switchboard::ws": CONNECTION,
    "switchboard::socketio": SOCKETIO,
    "switchboard::engineio": SOCKETIO,
    "switchboard::adapter": SOCKETIO,
    "OpenSSL": "OpenSSL (SHA-1 of the key, ids)",
    "bench_server's handlers": APP,
    "pthread mutexes (libc)": "locks (pthread mutexes, in asio and OpenSSL)",
}


def _group(file, function):
    for pattern, group in FILE_GROUPS:
        if re.search(pattern, file):
            return group
    if function.startswith("uWS::WebSocketHandshake"):
        return ACCEPT
    if function.startswith("uWS::HttpParser") or function.startswith("uWS::HttpResponse"):
        return HTTP
    if function.startswith("uWS::TopicTree"):
        return PUBSUB
    if re.match(r"^(?:[\w:<>,\s*&]*\s)?(uWS::|us_)", function):
        return REACTOR if function.startswith("us_") else CONNECTION
    g = callgrind.classify(function)
    return NAME_GROUPS.get(g, "other: " + g)


def _profile_by_file(path):
    """Total Ir, and self Ir per (source file, function) of one callgrind profile."""
    total, rows = callgrind.annotate(path)
    costs = {}
    for ir, name in rows:
        fm = re.match(r"^([^:]*?):(?!:)(.*)$", name)
        if not fm:
            continue
        file, function = fm.group(1), fm.group(2)
        obj = re.search(r"\s*\[([^\]]+)\]\s*$", function)
        if obj:
            function = function[:obj.start()]
            callgrind.OBJECTS[function] = os.path.basename(obj.group(1))
        function = re.sub(r"'\d+$", "", function)
        costs[(file, function)] = costs.get((file, function), 0) + ir
    return total, costs


def _callgrind_once(gen, spec, case, duration, workdir, port):
    out = os.path.join(workdir, f"{spec.name}-{case.name}-{duration}.callgrind")
    cg = ServerSpec(spec.name + "-callgrind", spec.title,
                    [*callgrind.VALGRIND, f"--callgrind-out-file={out}", *spec.argv], spec.cpus,
                    spec.protocols)
    server = RunningServer(cg, port, timeout=120)
    try:
        result = gen.run(case.mode, server.port, server.pid,
                         [*case.args, "--duration", duration], timeout=600)
    finally:
        callgrind._stop(server)
    if not result.get("ok"):
        raise RuntimeError(f"{spec.name} {case.name} ({duration} s): "
                           f"{result.get('error') or result.get('faults')}")
    total, costs = _profile_by_file(out)
    return case.count(result), total, costs, callgrind._counted_calls(out)


SYSCALL_NAMES = ["epoll_wait", "epoll_pwait", "epoll_ctl", "recvfrom", "sendto", "recvmsg",
                 "sendmsg", "read", "write", "readv", "writev", "accept4", "close", "shutdown",
                 "setsockopt", "getsockopt", "ioctl", "fcntl", "futex", "getpeername",
                 "getsockname", "timerfd_settime"]


def _perf_once(gen, spec, case, duration, workdir, port):
    out = os.path.join(workdir, f"{spec.name}-{case.name}-{duration}.perf")
    server = RunningServer(spec, port)
    events = ["raw_syscalls:sys_enter", *[f"syscalls:sys_enter_{n}" for n in SYSCALL_NAMES]]
    perf = subprocess.Popen(["perf", "stat", "-x", ",", "-o", out, "-e", ",".join(events),
                             "-p", str(server.pid)], stderr=subprocess.DEVNULL)
    time.sleep(0.5)  # perf attaches
    try:
        result = gen.run(case.mode, server.port, server.pid,
                         [*case.args, "--duration", duration], timeout=600)
    finally:
        perf.send_signal(signal.SIGINT)
        perf.wait(timeout=30)
        server.stop()
    if not result.get("ok"):
        raise RuntimeError(f"{spec.name} {case.name} natively ({duration} s): "
                           f"{result.get('error') or result.get('faults')}")
    counts = {}
    with open(out) as f:
        for line in f:
            fields = line.strip().split(",")
            if len(fields) > 2 and fields[0].isdigit():
                name = fields[2].split(":")[-1].replace("sys_enter_", "")
                counts["all" if name == "sys_enter" else name] = int(fields[0])
    return case.count(result), counts


def measure(gen, spec, case, workdir, port_of):
    short, long_ = case.durations
    n1, ir1, c1, w1 = _callgrind_once(gen, spec, case, short, workdir, port_of())
    n2, ir2, c2, w2 = _callgrind_once(gen, spec, case, long_, workdir, port_of())
    if n2 <= n1:
        raise RuntimeError(f"{spec.name} {case.name}: no more units in the long run")
    d = n2 - n1
    groups, functions = {}, {}
    for key in set(c1) | set(c2):
        ir = (c2.get(key, 0) - c1.get(key, 0)) / d
        g = _group(*key)
        groups[g] = groups.get(g, 0) + ir
        functions[key[1]] = functions.get(key[1], 0) + ir
    calls = {n: (w2.get(n, 0) - w1.get(n, 0)) / d for n in set(w1) | set(w2)}
    p1, s1 = _perf_once(gen, spec, case, short, workdir, port_of())
    p2, s2 = _perf_once(gen, spec, case, long_, workdir, port_of())
    syscalls = {n: (s2.get(n, 0) - s1.get(n, 0)) / (p2 - p1) for n in set(s1) | set(s2)} \
        if p2 > p1 else {}
    return {"units": [n1, n2], "ir_per_unit": (ir2 - ir1) / d,
            "mallocs": calls.pop("malloc", 0),
            "syscall_wrappers": {n: v for n, v in calls.items() if abs(v) >= 0.005},
            "native_units": [p1, p2],
            "syscalls": {n: v for n, v in syscalls.items() if abs(v) >= 0.005},
            "groups": sorted(({"group": g, "ir": ir} for g, ir in groups.items()
                              if abs(ir) >= 0.5), key=lambda g: -g["ir"]),
            "top_functions": [{"function": callgrind._short(n), "ir": ir} for n, ir in
                              sorted(functions.items(), key=lambda kv: -kv[1])[:12]]}


def yardstick_specs(bin_dir):
    specs = [ServerSpec("sb1", "switchboard, 1 shard",
                        [os.path.join(bin_dir, "bench_server"), "--shards", "1"], "0", ("ws",))]
    uws = os.path.join(bin_dir, "uws_server")
    if os.path.exists(uws):
        specs.append(ServerSpec("uws", "uWebSockets", [uws], "0", ("ws",)))
    return specs


def run(gen, bin_dir, port_of, root, only=None):
    started = time.time()
    specs = yardstick_specs(bin_dir)
    results = {}
    # SB_YARDSTICK_KEEP=DIR keeps the profiles (callgrind_annotate them for more detail).
    keep = os.environ.get("SB_YARDSTICK_KEEP")
    if keep:
        os.makedirs(keep, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sb-yardstick-") as scratch:
        workdir = keep or scratch
        for case in CASES:
            if only and case.name not in only:
                continue
            for spec in specs:
                print(f"yardstick: {case.title} on {spec.title}", flush=True)
                try:
                    r = measure(gen, spec, case, workdir, port_of)
                except Exception as e:  # one failing case should not lose the others
                    r = {"error": str(e)}
                results.setdefault(case.name, {"title": case.title, "unit": case.unit,
                                               "servers": {}})["servers"][spec.name] = r
    return {"cases": results, "servers": [[s.name, s.title] for s in specs],
            "commit": callgrind._git_commit(root),
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "elapsed": time.time() - started}


def table(y):
    """The Markdown rows of the side-by-side table (bench/gaps.md, docs/BENCHMARKS.md)."""
    names = [n for n, _ in y["servers"]]
    titles = dict(y["servers"])
    lines = ["| case | per | " + " | ".join(f"{titles[n]}: instructions" for n in names) +
             " | " + " | ".join(f"{titles[n]}: system calls" for n in names) + " | " +
             " | ".join(f"{titles[n]}: mallocs" for n in names) + " |",
             "| --- | --- |" + " ---: |" * (3 * len(names))]
    for case in y["cases"].values():
        s = case["servers"]

        def cell(n, key, digits):
            v = s.get(n, {}).get(key)
            if isinstance(v, dict):
                v = v.get("all")
            return "–" if v is None else f"{v:,.{digits}f}"
        lines.append(f"| {case['title']} | {case['unit']} | " +
                     " | ".join(cell(n, "ir_per_unit", 0) for n in names) + " | " +
                     " | ".join(cell(n, "syscalls", 2) for n in names) + " | " +
                     " | ".join(cell(n, "mallocs", 2) for n in names) + " |")
    return lines
