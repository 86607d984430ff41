"""The servers bench/run measures: how to start each one pinned to its CPUs, and stop it."""
import os
import resource
import signal
import subprocess
import time
from dataclasses import dataclass, field

PEERS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "peers")
PYTHON = "/usr/bin/python3"


@dataclass
class ServerSpec:
    name: str             # short key used in tables
    title: str            # what the report calls it
    argv: list            # without --port
    cpus: str             # taskset CPU list
    protocols: tuple      # "ws", "sio"
    env: dict = field(default_factory=dict)


def server_specs(bin_dir):
    bench_server = os.path.join(bin_dir, "bench_server")
    node = "node"
    return [
        ServerSpec("sb1", "switchboard, 1 shard", [bench_server, "--shards", "1"], "0",
                   ("ws", "sio")),
        ServerSpec("sb2", "switchboard, 2 shards", [bench_server, "--shards", "2"], "0,1",
                   ("ws", "sio")),
        ServerSpec("node-ws", "Node.js ws", [node, os.path.join(PEERS, "ws_server.mjs")], "0",
                   ("ws",)),
        ServerSpec("node-sio", "Node.js socket.io",
                   [node, os.path.join(PEERS, "socketio_server.mjs")], "0", ("sio",)),
        ServerSpec("py-sio", "python-socketio (aiohttp)",
                   [PYTHON, os.path.join(PEERS, "python_socketio_server.py")], "0", ("sio",)),
    ] + uws_specs(bin_dir)


def uws_specs(bin_dir):
    """uWebSockets (raw WebSocket only), when bench/peers/uws/build has built it (from a local
    checkout: bench/run --uws DIR or $UWS_DIR); otherwise none."""
    binary = os.path.join(bin_dir, "uws_server")
    if not os.path.exists(binary):
        return []
    return [ServerSpec("uws", "uWebSockets", [binary], "0", ("ws",))]


def priority_prefix():
    """Servers and the generator run at nice -10 when we may (root): the two cores are shared
    with other work, and its time slices would otherwise show up as latency."""
    return ["nice", "-n", "-10"] if os.geteuid() == 0 else []


def _raise_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


class RunningServer:
    """One server process; `pid` is the server itself (taskset execs it)."""

    def __init__(self, spec, port, extra=(), timeout=20.0):
        self.spec = spec
        self.port = port
        argv = [*priority_prefix(), "taskset", "-c", spec.cpus, *spec.argv, "--port", str(port), *extra]
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, preexec_fn=_raise_fd_limit,
                                     env={**os.environ, **spec.env})
        self.pid = self.proc.pid
        deadline = time.monotonic() + timeout
        line = self.proc.stdout.readline()
        while "listening on" not in line:
            if not line or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{spec.name} did not start: {line}")
            line = self.proc.stdout.readline()
        # Keep draining its output so that a chatty server never blocks on a full pipe.
        import threading
        threading.Thread(target=lambda: [None for _ in self.proc.stdout], daemon=True).start()

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
