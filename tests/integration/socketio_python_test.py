"""protocol_testee (--extras 1) against the official python-socketio clients (Client and
AsyncClient), on each transport mode (SB_TRANSPORTS) and SB_SHARDS shards."""
import asyncio
import os
import sys
import threading
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import socketio  # noqa: E402
from server import Server  # noqa: E402
from socketio_pyclients import MODES, SHARDS, TRANSPORTS, Recorder, free_port  # noqa: E402

BINARY = os.environ["SB_PROTOCOL_TESTEE"]
servers = {}


def setUpModule():
    servers["main"] = Server(BINARY, "--shards", SHARDS, "--extras", "1")
    servers["secure"] = Server(BINARY, "--shards", SHARDS, "--extras", "1",
                               "--require-token", "secret")


def tearDownModule():
    for s in servers.values():
        code = s.stop()
        assert code == 0, f"exit code {code}: {''.join(s.output)}"


def url(name="main"):
    return servers[name].url("http", "")


class SyncClientTests:
    """socketio.Client, one thread per connection."""
    mode = None

    def setUp(self):
        self.clients = []

    def tearDown(self):
        for c in self.clients:
            c.disconnect()

    def client(self, namespaces=("/",), server="main", **kw):
        sio = socketio.Client(reconnection=False)
        rec = Recorder()
        for n in namespaces:
            rec.attach(sio, n)
        sio.connect(url(server), transports=TRANSPORTS[self.mode], namespaces=list(namespaces),
                    wait_timeout=5, **kw)
        self.clients.append(sio)
        return sio, rec

    def test_transport_is_the_one_asked_for(self):
        sio, _ = self.client()
        self.assertEqual(sio.transport(), "polling" if self.mode == "polling" else "websocket")

    def test_namespaces_are_multiplexed_on_one_connection(self):
        sio, rec = self.client(("/", "/custom"))
        self.assertNotEqual(sio.get_sid("/"), sio.get_sid("/custom"))
        self.assertNotEqual(sio.get_sid("/"), sio.eio.sid)
        sio.emit("message", "main")
        sio.emit("message", "custom", namespace="/custom")
        self.assertEqual(rec.wait("message-back", "/"), ("main",))
        self.assertEqual(rec.wait("message-back", "/custom"), ("custom",))

    def test_middleware_accepts_the_right_token(self):
        sio, rec = self.client(("/custom",), server="secure", auth={"token": "secret"})
        self.assertEqual(rec.wait("auth", "/custom"), ({"token": "secret"},))

    def test_middleware_refuses_a_wrong_token_with_message_and_data(self):
        sio = socketio.Client(reconnection=False)
        errors = []
        sio.on("connect_error", lambda data: errors.append(data))
        with self.assertRaises(socketio.exceptions.ConnectionError):
            sio.connect(url("secure"), transports=TRANSPORTS[self.mode], auth={"token": "x"},
                        wait_timeout=5)
        self.assertEqual(errors, [{"message": "not authorized", "data": {"reason": "bad token"}}])
        self.assertFalse(sio.connected)

    def test_acks_both_ways(self):
        sio, _ = self.client()
        self.assertEqual(sio.call("message-with-ack", (1, "2", {"3": [True]}), timeout=5),
                         (1, "2", {"3": [True]}))
        sio.on("question", lambda *args: ("answer", list(args)))
        self.assertEqual(sio.call("ask", (1, {"a": 2}), timeout=5), ("answer", [1, {"a": 2}]))

    def test_binary_in_nested_objects(self):
        sio, rec = self.client()
        payload = {"a": {"b": b"\x01\x02\x03", "c": [b"", b"\xff"]}, "n": 1}
        sio.emit("message", (payload, "€".encode()))
        self.assertEqual(rec.wait("message-back"), (payload, "€".encode()))
        self.assertEqual(sio.call("message-with-ack", [b"\x09"], timeout=5), [b"\x09"])

    def test_rooms_and_broadcasts(self):
        (a, ra), (b, rb), (c, rc) = [self.client() for _ in range(3)]
        for sio in (a, b):
            self.assertEqual(set(sio.call("join", "r1", timeout=5)), {sio.get_sid(), "r1"})
        c.call("to-room", ("r1", "hello"), timeout=5)
        for rec in (ra, rb):
            self.assertEqual(rec.wait("room-message"), ("hello",))
        c.call("broadcast", "marker", timeout=5)  # had c got the room message, it came first
        for rec in (ra, rb, rc):
            self.assertEqual(rec.wait("broadcast-message"), ("marker",))
        self.assertEqual(rc.names(), ["auth", "broadcast-message"])
        self.assertEqual(a.call("leave", "r1", timeout=5), [a.get_sid()])
        self.assertEqual(a.call("rooms", timeout=5), [a.get_sid()])

    def test_volatile_emit_reaches_a_ready_client(self):
        sio, rec = self.client()
        sio.emit("volatile", "v")
        self.assertEqual(rec.wait("volatile-back"), ("v",))

    def test_server_side_disconnect(self):
        sio, _ = self.client()
        gone = threading.Event()
        sio.on("disconnect", gone.set)
        sio.emit("disconnect-me")
        self.assertTrue(gone.wait(5))
        self.assertFalse(sio.connected)


class AsyncClientTests:
    """socketio.AsyncClient, on asyncio."""
    mode = None

    async def asyncSetUp(self):
        self.clients = []

    async def asyncTearDown(self):
        for c in self.clients:
            await c.disconnect()

    async def client(self, namespaces=("/",), server="main", **kw):
        sio = socketio.AsyncClient(**kw)
        rec = Recorder()
        for n in namespaces:
            rec.attach(sio, n)
        await sio.connect(url(server), transports=TRANSPORTS[self.mode],
                          namespaces=list(namespaces), wait_timeout=5)
        self.clients.append(sio)
        return sio, rec

    async def test_events_acks_and_binary(self):
        sio, rec = await self.client(("/", "/custom"))
        await sio.emit("message", ({"x": [b"\x00\x01"]},), namespace="/custom")
        self.assertEqual(await rec.await_("message-back", "/custom"), ({"x": [b"\x00\x01"]},))
        self.assertEqual(await sio.call("message-with-ack", ("a", 1), timeout=5), ("a", 1))

        async def question(*args):
            return "async answer", len(args)
        sio.on("question", question, namespace="/custom")
        self.assertEqual(await sio.call("ask", (1, 2), namespace="/custom", timeout=5),
                         ("async answer", 2))

    async def test_broadcast_with_ack_collects_every_answer(self):
        clients = [await self.client(("/custom",)) for _ in range(3)]
        for i, (sio, _) in enumerate(clients):
            sio.on("question", lambda q, i=i: f"{q}-{i}", namespace="/custom")
        reply = await clients[0][0].call("ask-all", "q", namespace="/custom", timeout=5)
        self.assertNotIn("error", reply)
        self.assertEqual(sorted(r[0] for r in reply["replies"]), ["q-0", "q-1", "q-2"])

    async def test_server_side_disconnect(self):
        sio, _ = await self.client(reconnection=False)
        gone = asyncio.Event()
        sio.on("disconnect", gone.set)
        await sio.emit("disconnect-me")
        await asyncio.wait_for(gone.wait(), 5)
        self.assertFalse(sio.connected)

    async def test_reconnects_after_the_server_restarts(self):
        port = str(free_port())
        server = Server(BINARY, "--shards", SHARDS, "--extras", "1", "--port", port)
        sio = socketio.AsyncClient(reconnection_delay=0.05, reconnection_delay_max=0.1,
                                   randomization_factor=0)
        connects, gone = asyncio.Queue(), asyncio.Event()
        sio.on("connect", lambda: connects.put_nowait(sio.get_sid()))
        sio.on("disconnect", gone.set)
        try:
            await sio.connect(server.url("http", ""), transports=TRANSPORTS[self.mode],
                              wait_timeout=5)
            first = await asyncio.wait_for(connects.get(), 5)
            # Stopped off the loop: the client must see the close while the server shuts down.
            self.assertEqual(await asyncio.to_thread(server.stop), 0)
            await asyncio.wait_for(gone.wait(), 5)
            server = Server(BINARY, "--shards", SHARDS, "--extras", "1", "--port", port)
            second = await asyncio.wait_for(connects.get(), 10)
            self.assertNotEqual(first, second)
            self.assertEqual(await sio.call("message-with-ack", "back", timeout=5), "back")
        finally:
            await sio.disconnect()
            await asyncio.to_thread(server.stop)


for _mode in MODES:
    globals()[f"Client_{_mode}"] = type(f"Client_{_mode}", (SyncClientTests, unittest.TestCase),
                                        {"mode": _mode})
    globals()[f"AsyncClient_{_mode}"] = type(f"AsyncClient_{_mode}",
                                             (AsyncClientTests, unittest.IsolatedAsyncioTestCase),
                                             {"mode": _mode})

if __name__ == "__main__":
    unittest.main(verbosity=2)
