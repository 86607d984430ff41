"""Starts an example server on a free port and stops it the way an operator would."""
import os
import queue
import re
import threading
import signal
import subprocess
import time


class Server:
    """A server process started with --port 0; `port` is read from its first line."""

    def __init__(self, binary, *args, timeout=10.0, args_first=False, port=0):
        argv = [*args, "--port", str(port)] if args_first else ["--port", str(port), *args]
        self.proc = subprocess.Popen(
            [binary, *argv],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.output = []
        # A reader thread: select() on the pipe would miss lines already in Python's buffer.
        lines = queue.Queue()
        threading.Thread(target=self._pump, args=(lines,), daemon=True).start()
        deadline = time.monotonic() + timeout
        self.port = None
        while self.port is None:
            remaining = deadline - time.monotonic()
            try:
                line = lines.get(timeout=max(remaining, 0.01))
            except queue.Empty:
                line = None
            if line is None or remaining <= 0:
                self.proc.kill()
                self.proc.wait()
                raise RuntimeError("server did not start: " + "".join(self.output))
            m = re.search(r"listening on \S+://[^:]+:(\d+)", line)
            if m:
                self.port = int(m.group(1))

    def _pump(self, lines):
        for line in self.proc.stdout:
            self.output.append(line)
            lines.put(line)
        lines.put(None)

    def url(self, scheme, path):
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    def stop(self, timeout=10.0):
        """SIGTERM, then the exit code (the process must exit within `timeout`). The server
        gives its connections up to 5 s to close, so the default allows more (as
        lib/server.mjs does): exactly 5 s raced with a client slow to close."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
