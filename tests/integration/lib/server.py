"""Starts an example server on a free port and stops it the way an operator would."""
import os
import re
import select
import signal
import subprocess
import time


class Server:
    """A server process started with --port 0; `port` is read from its first line."""

    def __init__(self, binary, *args, timeout=10.0):
        self.proc = subprocess.Popen(
            [binary, "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.output = []
        deadline = time.monotonic() + timeout
        self.port = None
        while self.port is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.proc.poll() is not None:
                self.proc.kill()
                raise RuntimeError("server did not start: " + "".join(self.output))
            ready, _, _ = select.select([self.proc.stdout], [], [], remaining)
            if ready:
                line = self.proc.stdout.readline()
                self.output.append(line)
                m = re.search(r"listening on \S+://[^:]+:(\d+)", line)
                if m:
                    self.port = int(m.group(1))

    def url(self, scheme, path):
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    def stop(self, timeout=5.0):
        """SIGTERM, then the exit code (the process must exit within `timeout`)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None
        finally:
            self.proc.stdout.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
