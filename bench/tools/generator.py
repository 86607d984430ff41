"""Runs switchboard-bench on CPU 1 and returns its result line, plus its own CPU use."""
import json
import os
import subprocess
import time

from servers import priority_prefix


class Generator:
    def __init__(self, binary, cpu="1", log=None):
        self.binary = binary
        self.cpu = cpu
        self.log = log

    def start(self, mode, port, server_pid, args):
        argv = [*priority_prefix(), "taskset", "-c", self.cpu, self.binary, mode, "--port", str(port),
                "--server-pid", str(server_pid), *[str(a) for a in args]]
        if self.log:
            self.log(" ".join(argv[argv.index(self.binary) + 1:]))
        _child_cpu()  # reset: count only this generator (and any started with it)
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        proc.started = time.monotonic()
        return proc

    @staticmethod
    def finish(proc, timeout=600):
        """The parsed result line, with the generator's exit status and CPU utilisation."""
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
        wall = time.monotonic() - proc.started
        lines = [l for l in out.splitlines() if l.startswith("{")]
        result = json.loads(lines[-1]) if lines else {"ok": False, "error": err.strip()[-300:]}
        result["exit"] = proc.returncode
        usage = _child_cpu()
        # The generator's own figure covers just the measurement window; ours its whole life.
        result["gen_cpu_util"] = result.get("generator_cpu_util") or (
            usage / wall if wall > 0 and usage is not None else None)
        return result

    def run(self, mode, port, server_pid, args, timeout=600):
        return self.finish(self.start(mode, port, server_pid, args), timeout)


_last_children_cpu = [0.0]


def _child_cpu():
    """CPU seconds of children reaped since the previous call (generators run one at a time,
    or their total when several ran together)."""
    t = os.times()
    total = t.children_user + t.children_system
    delta = total - _last_children_cpu[0]
    _last_children_cpu[0] = total
    return delta
