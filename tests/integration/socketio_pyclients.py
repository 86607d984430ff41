"""Helpers for tests with the official python-socketio clients: transport modes and event
recorders that can be awaited (from a thread or from asyncio)."""
import asyncio
import os
import socket
import threading
import time

MODES = os.environ.get("SB_TRANSPORTS", "websocket,polling,upgrade").split(",")
SHARDS = os.environ.get("SB_SHARDS", "1")
TRANSPORTS = {"websocket": ["websocket"], "polling": ["polling"],
              "upgrade": ["polling", "websocket"]}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Recorder:
    """Every event a client got, as (namespace, name, args); register with attach()."""

    def __init__(self):
        self.events = []
        self.cond = threading.Condition()

    def attach(self, client, namespace="/"):
        def on_any(event, *args):
            self.add(namespace, event, args)
        client.on("*", on_any, namespace=namespace)
        return self

    def add(self, namespace, event, args):
        with self.cond:
            self.events.append((namespace, event, args))
            self.cond.notify_all()

    def find(self, event, namespace="/"):
        with self.cond:
            return [a for n, e, a in self.events if e == event and n == namespace]

    def names(self):
        with self.cond:
            return [e for _, e, _ in self.events]

    def clear(self):
        with self.cond:
            self.events.clear()

    def wait(self, event, namespace="/", timeout=5):
        """The arguments of the first `event` (blocking)."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                found = [a for n, e, a in self.events if e == event and n == namespace]
                if found:
                    return found[0]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no {event} on {namespace} within {timeout} s")
                self.cond.wait(left)

    async def await_(self, event, namespace="/", timeout=5):
        """The same, for an asyncio client (whose handlers run on the loop)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.find(event, namespace)
            if found:
                return found[0]
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {event} on {namespace} within {timeout} s")
            await asyncio.sleep(0.01)
