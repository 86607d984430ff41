"""Anything acknowledged is durable: 1000 messages are posted while the server is killed with
SIGKILL mid-way and restarted on the same data folder; every acknowledged message is in the
history afterwards, once, with its id."""
import http.client
import json
import os
import signal
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from server import Server  # noqa: E402

BINARY = os.environ["SB_SWITCHBOARD"]
TARGET = 1000


class Durability(unittest.TestCase):
    def start(self):
        # One writer posts as fast as it can: this tests durability, not the rate limits.
        limits = ["--name-burst", "100000", "--address-burst", "100000"]
        return Server(BINARY, "serve", "--data", self.dir.name, "--shards", "2", *limits,
                      args_first=True)

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.dir.cleanup()

    def post(self, conn, i):
        body = json.dumps({"user": "durable", "text": f"message {i}"})
        conn.request("POST", "/api/rooms/durable/messages", body, {"Content-Type": "application/json"})
        r = conn.getresponse()
        data = r.read()
        self.assertEqual(r.status, 201, data)
        return json.loads(data)["message"]

    def history(self, port):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        messages, before = [], 0
        while True:
            conn.request("GET", f"/api/rooms/durable/messages?limit=200&before={before}")
            page = json.loads(conn.getresponse().read())["messages"]
            if not page:
                return messages
            messages = page + messages
            before = page[0]["id"]

    def test_every_acknowledged_message_survives_sigkill(self):
        acked = {}
        server = self.start()
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        killed = False
        i = 0
        while len(acked) < TARGET:
            i += 1
            if not killed and len(acked) == TARGET // 3:
                # Pipeline a few requests and kill the server while they are in flight.
                raw = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
                raw.connect()
                for j in range(20):
                    body = json.dumps({"user": "durable", "text": f"in flight {j}"})
                    raw.sock.sendall((f"POST /api/rooms/durable/messages HTTP/1.1\r\nHost: x\r\n"
                                      f"Content-Type: application/json\r\nContent-Length: {len(body)}"
                                      f"\r\n\r\n{body}").encode())
                server.proc.send_signal(signal.SIGKILL)
                server.proc.wait()
                server.stop()
                raw.close()
                killed = True
                server = self.start()
                conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            m = self.post(conn, i)
            self.assertNotIn(m["id"], acked, "an id was handed out twice")
            acked[m["id"]] = m["text"]
        stored = self.history(server.port)
        self.assertEqual(server.stop(), 0)
        by_id = {m["id"]: m["text"] for m in stored}
        self.assertEqual(len(by_id), len(stored), "duplicate ids in the history")
        for id_, text in acked.items():
            self.assertEqual(by_id.get(id_), text, f"acknowledged message {id_} lost")
        ids = [m["id"] for m in stored]
        self.assertEqual(ids, sorted(ids))


if __name__ == "__main__":
    unittest.main(verbosity=2)
