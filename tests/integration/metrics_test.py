"""/metrics of `switchboard serve`, scraped and parsed with prometheus_client's text parser
while official clients use the chat: Socket.IO over WebSocket and over polling
(python-socketio), a plain WebSocket and an SSE stream. The counts move as a user expects and
fall back once the clients leave; `--metrics off` serves no metrics. With `--redis`, the
adapter's health and Redis round trips are there, and the health falls when Redis dies."""
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import socketio  # noqa: E402
from prometheus_client.parser import text_string_to_metric_families  # noqa: E402
from rawws import RawWebSocket  # noqa: E402
from server import Server  # noqa: E402

BINARY = os.environ["SB_SWITCHBOARD"]
ROOM = "metrics"


def start(data, *extra):
    # --web: an empty folder (no UI; unknown paths are 404).
    return Server(BINARY, "serve", "--data", data, "--web", data, "--shards", "2", *extra,
                  args_first=True)


def get(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", path)
    r = conn.getresponse()
    body = r.read().decode()
    conn.close()
    return r, body


class Scrape:
    """One scrape: its families by name, and sample values by (name, labels)."""

    def __init__(self, port):
        r, body = get(port, "/metrics")
        assert r.status == 200, (r.status, body)
        self.content_type = r.getheader("Content-Type")
        self.families = {f.name: f for f in text_string_to_metric_families(body)}
        self.samples = {}
        for f in self.families.values():
            for s in f.samples:
                self.samples[(s.name, tuple(sorted(s.labels.items())))] = s.value

    def value(self, name, **labels):
        return self.samples.get((name, tuple(sorted(labels.items()))), 0.0)

    def connections(self, transport):
        return self.value("switchboard_connections", transport=transport)

    def sockets(self, nsp="/chat"):
        return self.value("switchboard_socketio_sockets", namespace=nsp)


def scrape_until(port, check, timeout=5.0):
    """Scrapes until `check(scrape)` holds (the server counts as events arrive)."""
    deadline = time.monotonic() + timeout
    while True:
        scrape = Scrape(port)
        if check(scrape) or time.monotonic() > deadline:
            return scrape
        time.sleep(0.05)


class Metrics(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        cls.server = start(cls.dir.name)
        cls.port = cls.server.port

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        cls.dir.cleanup()
        assert code == 0, "".join(cls.server.output)

    def sio(self, transports, name):
        client = socketio.Client(reconnection=False)
        client.connect(f"http://127.0.0.1:{self.port}", namespaces=["/chat"],
                       transports=transports, auth={"name": name}, wait_timeout=5)
        ack = client.call("join", {"room": ROOM}, namespace="/chat", timeout=5)
        self.assertTrue(ack.get("ok"), ack)
        return client

    def test_the_format_is_the_text_exposition_with_types(self):
        # A lag probe on each of the two shards (the second starts with its thread).
        scrape = scrape_until(self.port, lambda s: len(
            s.families["switchboard_event_loop_lag_seconds"].samples) == 2)
        self.assertTrue(scrape.content_type.startswith("text/plain; version=0.0.4"),
                        scrape.content_type)
        types = {name: f.type for name, f in scrape.families.items()}
        # prometheus_client names a counter's family without its _total.
        self.assertEqual(types["switchboard_connections"], "gauge")
        self.assertEqual(types["switchboard_connections_opened"], "counter")
        self.assertEqual(types["switchboard_sent_bytes"], "counter")
        self.assertEqual(types["switchboard_write_queue_bytes"], "gauge")
        self.assertEqual(types["switchboard_redis_round_trip_seconds"], "histogram")
        self.assertEqual(types["switchboard_socketio_sockets"], "gauge")
        lags = [s for s in scrape.families["switchboard_event_loop_lag_seconds"].samples]
        self.assertEqual(sorted(s.labels["shard"] for s in lags), ["0", "1"])

    def test_counts_follow_the_clients_of_every_transport(self):
        before = Scrape(self.port)
        over_ws = self.sio(["websocket"], "alice")
        over_polling = self.sio(["polling"], "bob")
        raw = RawWebSocket(self.port, f"/ws/chat/{ROOM}?name=carol")
        self.assertEqual(raw.status, 101)
        sse = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        sse.request("GET", f"/api/rooms/{ROOM}/events")
        stream = sse.getresponse()
        self.assertEqual(stream.status, 200)

        def all_counted(s):
            return (s.connections("engineio_websocket") == before.connections("engineio_websocket") + 1
                    and s.connections("engineio_polling") == before.connections("engineio_polling") + 1
                    and s.connections("websocket") == before.connections("websocket") + 1
                    and s.connections("sse") == before.connections("sse") + 1)

        during = scrape_until(self.port, all_counted)
        self.assertTrue(all_counted(during), during.samples)
        self.assertEqual(during.sockets(), 2)
        self.assertEqual(during.value("switchboard_socketio_rooms", namespace="/chat"), 1)

        # A message reaches the two sockets, the plain WebSocket and the SSE stream.
        ack = over_ws.call("message", {"room": ROOM, "text": "counted"}, namespace="/chat",
                           timeout=5)
        self.assertTrue(ack.get("ok"), ack)
        while b"counted" not in raw.recv_frame()[1]:
            pass
        after = scrape_until(
            self.port,
            lambda s: s.value("switchboard_sse_events_sent_total")
            > before.value("switchboard_sse_events_sent_total"))

        def grew(name, by=1):
            self.assertGreaterEqual(after.value(name) - before.value(name), by, name)

        grew("switchboard_broadcasts_total")
        grew("switchboard_broadcast_deliveries_total", 4)
        # Two CONNECTs, two joins, one message.
        grew("switchboard_socketio_packets_received_total", 5)
        grew("switchboard_socketio_packets_sent_total", 4)
        grew("switchboard_websocket_messages_sent_total", 2)
        grew("switchboard_websocket_messages_received_total", 1)
        grew("switchboard_sse_events_sent_total")
        grew("switchboard_received_bytes_total", 500)
        grew("switchboard_sent_bytes_total", 500)
        opened = "switchboard_connections_opened_total"
        for transport in ("websocket", "sse", "engineio_websocket", "engineio_polling"):
            self.assertGreaterEqual(after.value(opened, transport=transport)
                                    - before.value(opened, transport=transport), 1, transport)

        # Everyone leaves: the gauges fall back.
        over_ws.disconnect()
        over_polling.disconnect()
        raw.close()
        sse.close()

        def all_gone(s):
            return all(s.connections(t) == before.connections(t)
                       for t in ("engineio_websocket", "engineio_polling", "websocket", "sse")) \
                and s.sockets() == 0

        gone = scrape_until(self.port, all_gone)
        self.assertTrue(all_gone(gone), gone.samples)
        self.assertEqual(gone.value("switchboard_socketio_rooms", namespace="/chat"), 0)

    def test_refused_handshakes_are_counted_by_reason(self):
        def failures(s, protocol, reason):
            return s.value("switchboard_handshake_failures_total", protocol=protocol,
                           reason=reason)

        before = Scrape(self.port)
        r, _ = get(self.port, "/socket.io/?EIO=3&transport=polling")
        self.assertEqual(r.status, 400)
        bad = RawWebSocket(self.port, f"/ws/chat/{ROOM}", headers={"Sec-WebSocket-Version": "8"})
        self.assertEqual(bad.status, 426)
        bad.close()
        # An Engine.IO session asking for a namespace that does not exist.
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        conn.request("GET", "/socket.io/?EIO=4&transport=polling")
        sid = json.loads(conn.getresponse().read()[1:])["sid"]
        conn.request("POST", f"/socket.io/?EIO=4&transport=polling&sid={sid}", "40/nowhere,")
        self.assertEqual(conn.getresponse().read(), b"ok")
        conn.request("GET", f"/socket.io/?EIO=4&transport=polling&sid={sid}")
        self.assertIn(b"Invalid namespace", conn.getresponse().read())
        conn.close()
        after = Scrape(self.port)
        for protocol, reason in (("engineio", "unsupported_protocol_version"),
                                 ("websocket", "unsupported_version"),
                                 ("socketio", "invalid_namespace")):
            self.assertEqual(failures(after, protocol, reason),
                             failures(before, protocol, reason) + 1, (protocol, reason))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_redis(port):
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                             "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc
        except OSError:
            time.sleep(0.01)
    proc.kill()
    raise RuntimeError("redis-server did not start")


@unittest.skipIf(shutil.which("redis-server") is None, "no redis-server")
class MetricsWithRedis(unittest.TestCase):
    def test_adapter_health_and_redis_round_trips(self):
        port = free_port()
        redis = start_redis(port)
        data = tempfile.TemporaryDirectory()
        server = start(data.name, "--redis", f"redis://127.0.0.1:{port}")
        try:
            up = scrape_until(server.port, lambda s: s.value(
                "switchboard_adapter_up", namespace="/chat") == 1)
            self.assertEqual(up.value("switchboard_adapter_up", namespace="/chat"), 1)
            # The adapter's and the history's clients, each a command and a subscriber link.
            self.assertGreaterEqual(up.value("switchboard_redis_connections"), 2)
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
            conn.request("POST", "/api/rooms/redis/messages",
                         json.dumps({"user": "ann", "text": "via redis"}),
                         {"Content-Type": "application/json"})
            self.assertEqual(conn.getresponse().status, 201)
            conn.close()
            after = Scrape(server.port)
            self.assertGreater(after.value("switchboard_redis_commands_total"),
                               up.value("switchboard_redis_commands_total"))
            self.assertGreater(after.value("switchboard_redis_round_trip_seconds_count"),
                               up.value("switchboard_redis_round_trip_seconds_count"))
            self.assertGreater(after.value("switchboard_redis_round_trip_seconds_sum"), 0)
            # Redis dies: the adapter says so.
            redis.kill()
            redis.wait()
            down = scrape_until(server.port, lambda s: s.value(
                "switchboard_adapter_up", namespace="/chat") == 0)
            self.assertEqual(down.value("switchboard_adapter_up", namespace="/chat"), 0)
            self.assertEqual(down.value("switchboard_redis_connections"), 0)
        finally:
            server.stop()
            redis.kill()
            redis.wait()
            data.cleanup()


class MetricsOff(unittest.TestCase):
    def test_metrics_off_serves_no_metrics(self):
        with tempfile.TemporaryDirectory() as data:
            server = start(data, "--metrics", "off")
            try:
                r, body = get(server.port, "/metrics")
                self.assertEqual(r.status, 404)
                self.assertNotIn("switchboard_", body)
            finally:
                self.assertEqual(server.stop(), 0)


if __name__ == "__main__":
    unittest.main()
