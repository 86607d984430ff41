"""bench/run's callgrind stage: the server's instructions (Ir) per unit of work, counted by
`valgrind --tool=callgrind` on bench_server (1 shard), which, unlike time, do not depend on
what else the machine is doing.

Each case runs twice, each time against a fresh server under callgrind: a short run and a
long one with the same connections and settings. Start-up, the connections' handshakes, the
final drain and shutdown cost the same in both, so

    Ir per unit = (Ir_long - Ir_short) / (units_long - units_short)

holds only what the extra work cost. The same difference per function (callgrind_annotate's
self cost) says where those instructions go. callgrind counts user-space instructions only:
the kernel's share (system calls, TCP on loopback) is not in these figures.
"""
import datetime
import os
import re
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field

from servers import RunningServer, ServerSpec

VALGRIND = ["valgrind", "--tool=callgrind", "--dump-instr=no", "--compress-strings=no",
            "--compress-pos=no"]
STOP_TIMEOUT = 60  # callgrind writes its profile at exit, which is slow for a big one
TOP = 8


@dataclass
class Case:
    name: str          # key in results.json
    title: str         # what the report calls it
    mode: str          # switchboard-bench mode
    args: list         # without --duration
    durations: tuple   # short, long (seconds)
    units: dict = field(default_factory=dict)  # unit name -> f(result line) -> count
    per: str = ""      # the unit the functions table is per


# Small loads: under callgrind the server runs ~50 times slower than natively. --warmup 0 so
# that every message the generator counts is one the server handled; the messages still in
# flight when the window ends are the same few in both runs and cancel out.
ECHO = ["--connections", 10, "--inflight", 2, "--payload", 64, "--warmup", 0, "--grace", 60]
BCAST_SUBSCRIBERS = 100
# Low enough that every message gets a write of its own (sendmsg per delivery 1.00): at
# 100 msgs/s, some 10 % of them shared a write and the per-delivery figure moved by 4 %.
BCAST_RATE = 50
BCAST = ["--connections", BCAST_SUBSCRIBERS, "--rate", BCAST_RATE, "--payload", 64,
         "--warmup", 0, "--grace", 60]
CONNECT = ["--connections", 4, "--warmup", 0]


def _bcast_units():
    # The publisher is one more connection and gets its own copy: each published message is
    # written to subscribers + 1 sockets.
    return {"published message": lambda r: r["published"],
            "delivery": lambda r: r["published"] * (BCAST_SUBSCRIBERS + 1)}


CASES = [
    Case("ws-echo", "Raw WebSocket echo (10 connections × 2 in flight, 64 B)", "ws-echo",
         ECHO, (1, 4), {"message": lambda r: r["messages"]}, "message"),
    Case("sio-echo", "Socket.IO echo (10 connections × 2 in flight, 64 B)", "sio-echo",
         ECHO, (1, 4), {"message": lambda r: r["messages"]}, "message"),
    Case("ws-broadcast", f"Raw WebSocket broadcast to {BCAST_SUBSCRIBERS} + 1 subscribers, "
         f"{BCAST_RATE} msgs/s", "ws-broadcast", BCAST, (1, 5), _bcast_units(), "delivery"),
    Case("sio-broadcast", f"Socket.IO broadcast to {BCAST_SUBSCRIBERS} + 1 sockets, "
         f"{BCAST_RATE} msgs/s", "sio-broadcast", BCAST, (1, 5), _bcast_units(), "delivery"),
    Case("ws-connect", "Raw WebSocket handshake (4 at a time, reset after the 101)",
         "connect-rate", ["--proto", "ws", *CONNECT], (1, 3),
         {"handshake": lambda r: r["handshakes"]}, "handshake"),
    Case("sio-connect", "Socket.IO handshake (4 at a time, through the CONNECT reply)",
         "connect-rate", ["--proto", "sio", *CONNECT], (1, 3),
         {"handshake": lambda r: r["handshakes"]}, "handshake"),
]


def _stop(server):
    """SIGTERM (bench_server shuts down gracefully and callgrind then writes its profile)."""
    if server.proc.poll() is None:
        server.proc.send_signal(signal.SIGTERM)
        try:
            server.proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            server.proc.kill()
            server.proc.wait()


OBJECTS = {}  # function -> the shared object it is in (libc.so.6, ...), as callgrind says


def annotate(path):
    """Total Ir of one callgrind profile, and its rows of self cost: (Ir, "file:function [obj]")."""
    out = subprocess.run(["callgrind_annotate", "--threshold=100", "--inclusive=no", "--auto=no",
                          path], capture_output=True, text=True, check=True).stdout
    total, rows = None, []
    for line in out.splitlines():
        m = re.match(r"^\s*([\d,]+)\s+(?:\([^)]*\)\s+)?(.*)$", line)
        if not m:
            continue
        ir = int(m.group(1).replace(",", ""))
        name = m.group(2).strip()
        if name.startswith("PROGRAM TOTALS"):
            total = ir
        else:
            rows.append((ir, name))
    if total is None:
        raise RuntimeError(f"no totals in {path}")
    return total, rows


def _profile(path):
    """Total Ir and self Ir per function of one callgrind profile."""
    total, rows = annotate(path)
    functions = {}
    for ir, name in rows:
        if ":" in name:
            name = re.sub(r"^[^:]*?:(?!:)", "", name, count=1)  # drop "file:"
            # A function's lines from several files (inlined code) come once with its object
            # and once without: one key per function, its object kept aside.
            obj = re.search(r"\s*\[([^\]]+)\]\s*$", name)
            if obj:
                name = name[:obj.start()]
            name = re.sub(r"'\d+$", "", name)  # callgrind's recursion depth marks: one function
            if obj:
                OBJECTS[name] = os.path.basename(obj.group(1))
            functions[name] = functions.get(name, 0) + ir
    return total, functions


# libc's system call wrappers whose calls callgrind counts: the server's system calls (those
# it makes through these) without running strace. And malloc: allocations (operator new
# calls it).
SYSCALLS = {"epoll_wait", "epoll_ctl", "recvmsg", "sendmsg", "recv", "send", "recvfrom",
            "sendto", "read", "write", "readv", "writev", "accept", "accept4", "close",
            "shutdown", "setsockopt", "getsockopt", "ioctl", "timerfd_settime", "eventfd_write",
            "socket", "bind", "listen", "getpeername", "getsockname", "fcntl", "fcntl64"}


def _wrapper(name):
    """recvmsg for recvmsg, __libc_recvmsg, __GI___libc_recvmsg or recvmsg@@GLIBC_2.2.5."""
    return re.sub(r"^(?:__GI_)?_*(?:libc_)?", "", name.split("@")[0])


def _counted_calls(path):
    """Calls to each system call wrapper, and to malloc, in one callgrind profile (its calls=
    lines)."""
    calls = {}
    callee = None
    with open(path, errors="replace") as f:
        for line in f:
            if line.startswith("cfn="):
                callee = _wrapper(re.sub(r"^\(\d+\)\s*", "", line[4:].strip()))
            elif line.startswith("calls=") and (callee in SYSCALLS or callee == "malloc"):
                calls[callee] = calls.get(callee, 0) + int(line[6:].split()[0])
    return calls


# Library functions that call the server's own code back: all of it, not a library's cost.
PROGRAM_ENTRIES = {"start_main", "start_thread", "clone", "clone3"}


def _library_calls(path, main_object="bench_server"):
    """Inclusive Ir of the server's own calls into shared libraries, by entry point: what
    RAND_bytes or boost::json::parse cost with all they call, which self costs scatter."""
    def records():
        with open(path, errors="replace") as f:
            for line in f:
                key, sep, value = line.partition("=")
                if sep and key in ("ob", "fn", "cob", "cfn", "calls"):
                    yield key, value.strip(), None
                elif line[:1].isdigit() or line[:1] in "+-*":
                    yield "cost", None, line.split()

    object_of = {}
    ob = None
    for key, value, _ in records():
        if key == "ob":
            ob = os.path.basename(value)
        elif key == "fn":
            object_of.setdefault(value, ob)
    costs = {}
    caller_in_main = False
    cob = cfn = None
    after_call = False
    for key, value, fields in records():
        if key == "ob":
            ob = os.path.basename(value)
        elif key == "fn":
            caller_in_main = ob == main_object
        elif key == "cob":
            cob = os.path.basename(value)
        elif key == "cfn":
            cfn = value
        elif key == "calls":
            after_call = True
        elif key == "cost" and after_call:
            after_call = False
            callee_object = object_of.get(cfn) or cob or ob
            name = re.sub(r"'\d+$", "", cfn or "")
            if (caller_in_main and callee_object != main_object and len(fields) > 1 and
                    _wrapper(name) not in PROGRAM_ENTRIES):
                OBJECTS.setdefault(name, callee_object)
                costs[name] = costs.get(name, 0) + int(fields[1])
            cob = None
    return costs


def _run_once(gen, bench_server, case, duration, workdir, port_of):
    out = os.path.join(workdir, f"{case.name}-{duration}.callgrind")
    spec = ServerSpec("sb1-callgrind", "switchboard, 1 shard, under callgrind",
                      [*VALGRIND, f"--callgrind-out-file={out}", bench_server, "--shards", "1"],
                      "0", ("ws", "sio"))
    server = RunningServer(spec, port_of(), timeout=120)
    try:
        result = gen.run(case.mode, server.port, server.pid,
                         [*case.args, "--duration", duration], timeout=300)
    finally:
        _stop(server)
    if not result.get("ok"):
        raise RuntimeError(f"{case.name} ({duration} s): {result.get('error') or 'faults'}: "
                           f"{result.get('faults')}")
    total, functions = _profile(out)
    return result, total, functions, _counted_calls(out), _library_calls(out)


def classify(name):
    """A reader's group for a function: the switchboard layer, the library, or libc's part."""
    obj = OBJECTS.get(name, "")
    if obj.startswith("ld-linux"):
        return "dynamic linker"
    if obj.startswith("libboost_json"):
        return "Boost.JSON"
    if obj.startswith("libc.so"):
        if re.search(r"malloc|free|realloc|calloc|tcache|arena", name):
            return "malloc/free (libc)"
        if re.search(r"mem(cpy|move|set|cmp|chr)|str(len|chr|cmp)", name):
            return "memcpy/memset & co (libc)"
        if _wrapper(name) in SYSCALLS:
            return "system call wrappers (libc; the kernel's work is not counted)"
        if name.startswith("pthread_"):
            return "pthread mutexes (libc)"
        return "other libc"
    if obj.startswith("libcrypto") or obj.startswith("libssl"):
        return "OpenSSL"
    if name.startswith("std::_Function_handler<"):
        return "std::function calls (with the lambda's body inlined)"
    if name.startswith("std::_Sp_counted_base"):
        return "shared_ptr reference counts"
    if obj.startswith("libstdc++"):
        return "libstdc++ (operator new/delete, strings)"
    if re.search(r"operator (new|delete)", name):
        return "libstdc++ (operator new/delete, strings)"
    for layer in ("socketio", "engineio", "ws", "http", "net", "adapter", "sse", "store"):
        if re.match(rf"^(?:[\w:<>,\s*&]*\s)?switchboard::{layer}::", name):
            return f"switchboard::{layer}"
    if re.match(r"^(?:[\w:<>,\s*&]*\s)?boost::asio::", name):
        return "Boost.Asio"
    if re.match(r"^(?:[\w:<>,\s*&]*\s)?boost::json::", name):
        return "Boost.JSON"
    if re.match(r"^(?:[\w:<>,\s*&]*\s)?boost::beast::", name):
        return "Boost.Beast (HTTP parser)"
    if re.match(r"^(?:[\w:<>,\s*&]*\s)?boost::", name):
        return "other Boost"
    if re.match(r"^(?:[\w:<>,\s*&]*\s)?std::", name):
        return "std:: (out-of-line templates)"
    if "(anonymous namespace)" in name or name.startswith("main"):
        return "bench_server's handlers"
    return "other"


READABLE = [
    ("std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >",
     "std::string"),
    ("std::basic_string_view<char, std::char_traits<char> >", "std::string_view"),
    ("boost::core::basic_string_view<char>", "boost::core::string_view"),
    (", 18446744073709551615ul>", ">"),  # std::dynamic_extent
]


def _short(name, limit=110):
    """A function name a table can hold: without the object file, long template arguments cut."""
    bare = re.sub(r"@@?GLIBC[\w.]*$", "", name)
    for long, short in READABLE:
        bare = bare.replace(long, short)
    while True:  # collapse the innermost <...> until it fits
        if len(bare) <= limit:
            return bare
        shorter = re.sub(r"<[^<>]*>", "<…>", bare)
        if shorter == bare:
            return bare[:limit - 1] + "…"
        bare = shorter


def measure_case(gen, bench_server, case, workdir, port_of):
    short, long_ = case.durations
    r1, ir1, f1, s1, l1 = _run_once(gen, bench_server, case, short, workdir, port_of)
    r2, ir2, f2, s2, l2 = _run_once(gen, bench_server, case, long_, workdir, port_of)
    entry = {"title": case.title, "mode": case.mode,
             "args": [str(a) for a in case.args], "durations_s": [short, long_],
             "ir": [ir1, ir2], "units": {}, "per": case.per}
    for unit, count in case.units.items():
        n1, n2 = count(r1), count(r2)
        entry["units"][unit] = {
            "counts": [n1, n2],
            "ir_per_unit": (ir2 - ir1) / (n2 - n1) if n2 > n1 else None,
            # What dividing one whole run by its count would claim: start-up and handshakes
            # spread over the messages.
            "naive_ir_per_unit": ir2 / n2 if n2 else None}
    n1, n2 = case.units[case.per](r1), case.units[case.per](r2)
    if n2 > n1:
        calls = {name: (s2.get(name, 0) - s1.get(name, 0)) / (n2 - n1)
                 for name in sorted(set(s1) | set(s2))}
        entry["mallocs"] = calls.pop("malloc", 0)
        entry["syscalls"] = {name: n for name, n in calls.items() if abs(n) >= 0.005}
        diff = {name: (f2.get(name, 0) - f1.get(name, 0)) / (n2 - n1)
                for name in set(f1) | set(f2)}
        groups = {}
        for name, ir in diff.items():
            groups[classify(name)] = groups.get(classify(name), 0) + ir
        top = sorted(diff.items(), key=lambda kv: -kv[1])[:TOP]
        entry["top_functions"] = [{"function": _short(n), "group": classify(n), "ir": ir}
                                  for n, ir in top]
        calls_in = sorted((((l2.get(n, 0) - l1.get(n, 0)) / (n2 - n1), n)
                           for n in set(l1) | set(l2)), reverse=True)[:TOP]
        entry["library_calls"] = [{"function": _short(n), "library": OBJECTS.get(n, "?"),
                                   "ir": ir} for ir, n in calls_in]
        entry["groups"] = sorted(({"group": g, "ir": ir} for g, ir in groups.items()
                                  if abs(ir) >= 0.5), key=lambda g: -g["ir"])
    return entry


def _git_commit(root):
    try:
        return subprocess.run(["git", "-C", root, "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def run(gen, bench_server, port_of, root):
    """Every case, with the settings, for results.json."""
    started = time.time()
    cases = {}
    with tempfile.TemporaryDirectory(prefix="sb-callgrind-") as workdir:
        for case in CASES:
            print(f"callgrind: {case.title}", flush=True)
            try:
                cases[case.name] = measure_case(gen, bench_server, case, workdir, port_of)
            except Exception as e:  # one failing case should not lose the others
                cases[case.name] = {"title": case.title, "error": str(e)}
    version = subprocess.run(["valgrind", "--version"], capture_output=True,
                             text=True).stdout.strip()
    return {"cases": cases, "valgrind": version, "commit": _git_commit(root),
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "elapsed": time.time() - started, "command": " ".join(VALGRIND)}
