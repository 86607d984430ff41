"""Engine.IO v4 conformance, written from the protocol document, against engineio_testee
(pingInterval 300 ms, pingTimeout 200 ms, maxPayload 1000000, echo)."""
import asyncio
import http.client
import json
import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import websockets  # noqa: E402
from server import Server  # noqa: E402

SHARDS = os.environ.get("SB_SHARDS", "1")
PATH = "/engine.io/"


class EngineIO(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server(os.environ["SB_ENGINEIO_TESTEE"], "--shards", SHARDS)

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        assert code == 0, f"exit code {code}: {''.join(cls.server.output)}"

    # --- helpers -------------------------------------------------------------------------
    def request(self, method, query, body=None, headers=None, timeout=5):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=timeout)
        conn.request(method, PATH + "?" + query, body=body, headers=headers or {})
        r = conn.getresponse()
        data = r.read()
        conn.close()
        return r.status, data, r

    def handshake(self):
        status, body, r = self.request("GET", "EIO=4&transport=polling")
        self.assertEqual(status, 200)
        self.assertEqual(body[:1], b"0")
        return json.loads(body[1:])

    def poll(self, sid, timeout=5):
        return self.request("GET", f"EIO=4&transport=polling&sid={sid}", timeout=timeout)

    def post(self, sid, body, headers=None):
        return self.request("POST", f"EIO=4&transport=polling&sid={sid}", body, headers)

    def ws_url(self, sid=None):
        q = "EIO=4&transport=websocket" + (f"&sid={sid}" if sid else "")
        return f"ws://127.0.0.1:{self.server.port}{PATH}?{q}"

    def run_async(self, coro):
        return asyncio.run(asyncio.wait_for(coro, 20))

    # --- handshake -----------------------------------------------------------------------
    def test_polling_handshake_announces_exactly_the_five_fields(self):
        status, body, r = self.request("GET", "EIO=4&transport=polling&t=abc&b64=1")
        self.assertEqual(status, 200)
        self.assertEqual(r.getheader("Content-Type"), "text/plain; charset=UTF-8")
        open_ = json.loads(body[1:])
        self.assertEqual(set(open_), {"sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload"})
        self.assertEqual(open_["upgrades"], ["websocket"])
        self.assertEqual((open_["pingInterval"], open_["pingTimeout"], open_["maxPayload"]),
                         (300, 200, 1000000))
        self.assertRegex(open_["sid"], r"^[A-Za-z0-9_-]{20}$")

    def test_websocket_handshake_sends_open_first_with_no_upgrades(self):
        async def go():
            async with websockets.connect(self.ws_url()) as ws:
                first = await ws.recv()
                self.assertEqual(first[0], "0")
                self.assertEqual(json.loads(first[1:])["upgrades"], [])
        self.run_async(go())

    def test_handshake_errors_carry_the_reference_codes(self):
        cases = [
            ("GET", "transport=polling", 400, 5),
            ("GET", "EIO=3&transport=polling", 400, 5),
            ("GET", "EIO=4", 400, 0),
            ("GET", "EIO=4&transport=carrier-pigeon", 400, 0),
            ("POST", "EIO=4&transport=polling", 400, 2),
            ("GET", "EIO=4&transport=polling&sid=unknown", 400, 1),
            ("GET", "EIO=4&transport=polling&sid=AAAAAAAAAAAAAAAAAAAA", 400, 1),
            ("GET", "EIO=4&transport=websocket", 400, 3),
        ]
        for method, query, status, code in cases:
            with self.subTest(query=query, method=method):
                s, body, _ = self.request(method, query)
                self.assertEqual(s, status)
                self.assertEqual(json.loads(body)["code"], code)

    def test_cors_allows_any_origin_with_credentials(self):
        s, _, r = self.request("GET", "EIO=4&transport=polling", headers={"Origin": "https://x.test"})
        self.assertEqual(s, 200)
        self.assertEqual(r.getheader("Access-Control-Allow-Origin"), "https://x.test")
        self.assertEqual(r.getheader("Access-Control-Allow-Credentials"), "true")
        s, _, r = self.request("OPTIONS", "EIO=4&transport=polling",
                               headers={"Origin": "https://x.test", "Access-Control-Request-Method": "POST"})
        self.assertEqual(s, 204)

    # --- messages ------------------------------------------------------------------------
    def test_polling_echoes_text_and_binary(self):
        sid = self.handshake()["sid"]
        self.assertEqual(self.post(sid, "4hello\x1e4€\x1ebAQIDBA==".encode())[:2], (200, b"ok"))
        status, body, r = self.poll(sid)
        self.assertEqual(status, 200)
        self.assertEqual(body.decode(), "4hello\x1e4€\x1ebAQIDBA==")

    def test_websocket_echoes_text_and_raw_binary(self):
        async def go():
            async with websockets.connect(self.ws_url()) as ws:
                await ws.recv()
                await ws.send("4hello")
                self.assertEqual(await ws.recv(), "4hello")
                await ws.send(b"\x01\x02\x03\x04")
                self.assertEqual(await ws.recv(), b"\x01\x02\x03\x04")
        self.run_async(go())

    def test_payload_over_max_is_413(self):
        sid = self.handshake()["sid"]
        status, _, _ = self.post(sid, "4" + "x" * 1000001)
        self.assertEqual(status, 413)

    def test_malformed_payload_is_400_and_ends_the_session(self):
        sid = self.handshake()["sid"]
        self.assertEqual(self.post(sid, "abc")[0], 400)
        self.assertEqual(self.poll(sid)[0], 400)

    def test_binary_content_type_is_400(self):
        sid = self.handshake()["sid"]
        s, _, _ = self.post(sid, b"\x01\x02", {"Content-Type": "application/octet-stream"})
        self.assertEqual(s, 400)

    # --- heartbeat -----------------------------------------------------------------------
    def test_server_pings_and_a_pong_keeps_the_session(self):
        sid = self.handshake()["sid"]
        for _ in range(3):
            status, body, _ = self.poll(sid)
            self.assertEqual((status, body), (200, b"2"))
            self.assertEqual(self.post(sid, "3")[0], 200)

    def test_polling_session_without_pong_dies(self):
        sid = self.handshake()["sid"]
        self.assertEqual(self.poll(sid)[1], b"2")
        deadline = time.monotonic() + 3
        status = 200
        while status == 200 and time.monotonic() < deadline:
            status, body, _ = self.poll(sid, timeout=2)
        self.assertEqual(status, 400)

    def test_websocket_without_pong_is_closed(self):
        async def go():
            async with websockets.connect(self.ws_url()) as ws:
                await ws.recv()
                self.assertEqual(await ws.recv(), "2")
                start = time.monotonic()
                await ws.wait_closed()
                self.assertLess(time.monotonic() - start, 2)
        self.run_async(go())

    def test_websocket_ping_pong_keeps_it_open(self):
        async def go():
            async with websockets.connect(self.ws_url()) as ws:
                await ws.recv()
                for _ in range(3):
                    self.assertEqual(await ws.recv(), "2")
                    await ws.send("3")
                await ws.send("4still")
                self.assertEqual(await ws.recv(), "4still")
        self.run_async(go())

    # --- close ---------------------------------------------------------------------------
    def test_close_by_post_answers_the_pending_poll_with_noop(self):
        sid = self.handshake()["sid"]
        result = {}
        t = threading.Thread(target=lambda: result.update(r=self.poll(sid)))
        t.start()
        time.sleep(0.05)  # the GET is sent and held (no event to await from outside)
        self.assertEqual(self.post(sid, "1")[0], 200)
        t.join(5)
        self.assertEqual(result["r"][:2], (200, b"6"))
        self.assertEqual(self.poll(sid)[0], 400)

    def test_a_poll_that_arrives_just_after_the_close_gets_the_noop_once(self):
        # A GET sent together with the close may reach the session's shard after it, through
        # another shard (official suite: "forcefully closes the session"): it gets the noop it
        # would have had; the next one is 400.
        sid = self.handshake()["sid"]
        self.assertEqual(self.post(sid, "1")[0], 200)
        self.assertEqual(self.poll(sid)[:2], (200, b"6"))
        self.assertEqual(self.poll(sid)[0], 400)

    def test_concurrent_polls_close_the_session(self):
        sid = self.handshake()["sid"]
        result = {}
        t = threading.Thread(target=lambda: result.update(r=self.poll(sid)))
        t.start()
        time.sleep(0.05)
        second = self.poll(sid)
        t.join(5)
        self.assertEqual(second[0], 400)
        self.assertEqual(result["r"][:2], (200, b"1"))
        self.assertEqual(self.poll(sid)[0], 400)

    # --- upgrade -------------------------------------------------------------------------
    def test_upgrade_from_polling_to_websocket(self):
        sid = self.handshake()["sid"]
        self.post(sid, "4before")

        async def go():
            async with websockets.connect(self.ws_url(sid)) as ws:
                await ws.send("2probe")
                self.assertEqual(await ws.recv(), "3probe")
                # The poll loop is paused with a noop (here: the queued echo arrives first).
                loop = asyncio.get_running_loop()
                status, body, _ = await loop.run_in_executor(None, self.poll, sid)
                self.assertEqual(status, 200)
                self.assertIn(body, (b"4before", b"6"))
                await ws.send("5")
                await ws.send("4after")
                got = await ws.recv()
                if got == "4before":
                    got = await ws.recv()
                self.assertEqual(got, "4after")
                status, _, _ = await loop.run_in_executor(None, self.poll, sid)
                self.assertEqual(status, 400)
        self.run_async(go())

    def test_upgrade_without_probe_is_tolerated(self):
        sid = self.handshake()["sid"]

        async def go():
            async with websockets.connect(self.ws_url(sid)) as ws:
                await ws.send("5")
                await ws.send("4direct")
                self.assertEqual(await ws.recv(), "4direct")
        self.run_async(go())

    def test_second_websocket_for_an_upgraded_session_opens_then_is_closed(self):
        # The reference completes the handshake and closes the newcomer (official suite:
        # "ignores WebSocket connection with same sid after upgrade"); the session carries on.
        sid = self.handshake()["sid"]

        async def go():
            async with websockets.connect(self.ws_url(sid)) as ws:
                await ws.send("2probe")
                self.assertEqual(await ws.recv(), "3probe")
                await ws.send("5")
                async with websockets.connect(self.ws_url(sid)) as again:
                    with self.assertRaises(websockets.exceptions.ConnectionClosed):
                        await asyncio.wait_for(again.recv(), 5)
                await ws.send("4hello")
                self.assertEqual(await ws.recv(), "4hello")
        self.run_async(go())

    def test_second_websocket_during_a_probe_opens_then_is_closed(self):
        sid = self.handshake()["sid"]

        async def go():
            async with websockets.connect(self.ws_url(sid)) as ws:
                await ws.send("2probe")
                self.assertEqual(await ws.recv(), "3probe")
                async with websockets.connect(self.ws_url(sid)) as again:
                    with self.assertRaises(websockets.exceptions.ConnectionClosed):
                        await asyncio.wait_for(again.recv(), 5)
                await ws.send("5")
                await ws.send("4hello")
                self.assertEqual(await ws.recv(), "4hello")
        self.run_async(go())

    def test_websocket_with_unknown_sid_is_refused(self):
        async def go():
            with self.assertRaises(websockets.exceptions.InvalidStatusCode):
                async with websockets.connect(self.ws_url("AAAAAAAAAAAAAAAAAAAA")):
                    pass
        self.run_async(go())


class HandlerErrors(unittest.TestCase):
    """engineio_testee --extras 1: handlers that throw close only their session."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server(os.environ["SB_ENGINEIO_TESTEE"], "--shards", SHARDS, "--extras", "1")

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        assert code == 0, f"exit code {code}: {''.join(cls.server.output)}"

    def url(self, query=""):
        return f"ws://127.0.0.1:{self.server.port}{PATH}?EIO=4&transport=websocket{query}"

    async def open(self, query=""):
        ws = await websockets.connect(self.url(query))
        self.assertEqual((await ws.recv())[0], "0")
        return ws

    async def errors(self, ws):
        await ws.send("4handler-errors")
        while True:
            got = await ws.recv()
            if got != "2":
                return int(got[1:])
            await ws.send("3")

    async def echoes(self, ws, text):
        await ws.send("4" + text)
        while (got := await ws.recv()) == "2":
            await ws.send("3")
        self.assertEqual(got, "4" + text)

    async def closed(self, ws):
        """True once the server ends `ws` (a close packet or the close frame)."""
        try:
            while True:
                got = await asyncio.wait_for(ws.recv(), 5)
                if got == "1":
                    return True
                if got == "2":
                    await ws.send("3")
        except websockets.exceptions.ConnectionClosed:
            return True

    def test_a_throwing_message_handler_closes_only_its_session(self):
        async def go():
            others = [await self.open() for _ in range(3)]
            victim = await self.open()
            before = await self.errors(others[0])
            await victim.send("4throw")
            self.assertTrue(await self.closed(victim))
            for i, ws in enumerate(others):
                await self.echoes(ws, f"still here {i}")
            self.assertEqual(await self.errors(others[0]), before + 1)
            for ws in others:
                await ws.close()
        asyncio.run(asyncio.wait_for(go(), 20))

    def test_a_throwing_connection_handler_closes_that_session(self):
        async def go():
            witness = await self.open()
            before = await self.errors(witness)
            async with websockets.connect(self.url("&throw=connection")) as ws:
                self.assertTrue(await self.closed(ws))
            await self.echoes(witness, "fine")
            self.assertEqual(await self.errors(witness), before + 1)
            await witness.close()
        asyncio.run(asyncio.wait_for(go(), 20))

    def test_a_throwing_close_handler_is_counted(self):
        async def go():
            witness = await self.open()
            before = await self.errors(witness)
            victim = await self.open()
            await self.echoes(victim, "throw-on-close")
            await victim.close()
            for _ in range(200):  # each a round trip: the close is handled meanwhile
                if await self.errors(witness) == before + 1:
                    break
            self.assertEqual(await self.errors(witness), before + 1)
            await witness.close()
        asyncio.run(asyncio.wait_for(go(), 20))


if __name__ == "__main__":
    unittest.main(verbosity=2)
