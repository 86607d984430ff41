"""Socket.IO v5 conformance, written from the protocol document (and the reference test
suite's expectations), against protocol_testee (connectTimeout 1000 ms, pingInterval 300 ms,
pingTimeout 200 ms) on the polling and WebSocket transports."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from server import Server  # noqa: E402
from rawws import RawWebSocket  # noqa: E402
from socketio_raw import PATH, Polling, WebSocket, closes  # noqa: E402

SHARDS = os.environ.get("SB_SHARDS", "1")
server = None


def setUpModule():
    global server
    server = Server(os.environ["SB_PROTOCOL_TESTEE"], "--shards", SHARDS)


def tearDownModule():
    code = server.stop()
    assert code == 0, f"exit code {code}: {''.join(server.output)}"


class Conformance:
    transport = None

    def setUp(self):
        self.t = self.transport(server.port)

    def tearDown(self):
        self.t.close()

    def connect(self, nsp="", auth=""):
        """Joins `nsp` and returns (the CONNECT reply's object, the "auth" event's payload)."""
        prefix = nsp + "," if nsp else ""
        self.t.send("0" + prefix + auth)
        reply = self.t.recv()
        self.assertTrue(reply.startswith("0" + prefix), reply)
        handshake = json.loads(reply[1 + len(prefix):])
        event = self.t.recv()
        self.assertTrue(event.startswith("2" + prefix), event)
        name, payload = json.loads(event[1 + len(prefix):])
        self.assertEqual(name, "auth")
        return handshake, payload

    def assertCloses(self, within=3):
        self.assertIsNotNone(closes(self.t, within), "the connection stayed open")

    # --- connect -----------------------------------------------------------------------------
    def test_connect_to_main_namespace_answers_only_a_socket_id(self):
        handshake, auth = self.connect()
        self.assertEqual(set(handshake), {"sid"})
        self.assertRegex(handshake["sid"], r"^[A-Za-z0-9_-]{20}$")
        self.assertNotEqual(handshake["sid"], self.t.sid)
        self.assertEqual(auth, {})

    def test_connect_with_auth_echoes_the_auth_payload(self):
        _, auth = self.connect(auth='{"token":"123","n":[1,{"x":null}]}')
        self.assertEqual(auth, {"token": "123", "n": [1, {"x": None}]})

    def test_connect_to_custom_namespace(self):
        main, _ = self.connect()
        custom, auth = self.connect("/custom", '{"a":1}')
        self.assertEqual(auth, {"a": 1})
        self.assertNotEqual(main["sid"], custom["sid"])

    def test_namespace_without_trailing_comma_is_accepted(self):
        self.t.send("0/custom")
        self.assertTrue(self.t.recv().startswith('0/custom,{"sid":'))

    def test_unknown_namespace_is_refused_and_the_connection_stays(self):
        self.t.send("0/random,")
        self.assertEqual(self.t.recv(), '4/random,{"message":"Invalid namespace"}')
        self.connect()

    def test_no_connect_within_connect_timeout_closes(self):
        elapsed = closes(self.t, 4)
        self.assertIsNotNone(elapsed, "still open after 4 s")
        self.assertGreater(elapsed, 0.8)

    def test_connect_with_a_non_object_payload_closes(self):
        self.t.send('0"abc"')
        self.assertCloses()

    def test_first_packet_not_connect_closes_at_once(self):
        for first in ['2["message",1]', "1", '21["message-with-ack"]', "3/custom,1[]"]:
            with self.subTest(packet=first):
                self.t.close()
                self.t = self.transport(server.port)
                self.t.send(first)
                self.assertCloses(within=0.7)  # well before connectTimeout (1 s)

    def test_event_for_a_namespace_never_joined_closes(self):
        self.connect()
        self.t.send('2/custom,["message",1]')
        self.assertCloses(within=0.7)

    def test_second_connect_to_a_joined_namespace_is_ignored(self):
        # Tolerated (the JS client sends one when connect() is called while connecting).
        handshake, _ = self.connect()
        self.t.send("0", '2["message",1]')
        self.assertEqual(self.t.recv(), '2["message-back",1]')

    # --- malformed packets ---------------------------------------------------------------------
    def test_malformed_packets_close_the_connection(self):
        for bad in ["abc", "2{}", "2[]", '2abc["message-with-ack",1]', "2[{}]", '2["connect"]',
                    '511-["message"]', "3[1]", "4{}", "9", '2["message"', "1{}"]:
            with self.subTest(packet=bad):
                if bad != "abc":
                    self.t.close()
                    self.t = self.transport(server.port)
                self.connect()
                self.t.send(bad)
                self.assertCloses()

    def test_text_where_an_attachment_was_due_closes(self):
        self.connect()
        self.t.send('51-["message",{"_placeholder":true,"num":0}]', '2["message"]')
        self.assertCloses()

    def test_binary_without_a_pending_packet_closes(self):
        self.connect()
        self.t.send(b"\x01\x02")
        self.assertCloses()

    # --- disconnect ----------------------------------------------------------------------------
    def test_disconnect_leaves_the_namespace_but_keeps_the_connection(self):
        first, _ = self.connect()
        self.t.send("1")
        self.t.send("2[\"message\",1]")  # to the left namespace: ignored, not answered
        second, _ = self.connect()
        self.assertNotEqual(first["sid"], second["sid"])
        self.t.send('2["message",2]')
        self.assertEqual(self.t.recv(), '2["message-back",2]')

    def test_disconnect_from_custom_namespace_keeps_the_main_one(self):
        self.connect()
        self.connect("/custom")
        self.t.send("1/custom,")
        self.t.send('2["message","still here"]')
        self.assertEqual(self.t.recv(), '2["message-back","still here"]')

    # --- events and acks -----------------------------------------------------------------------
    def test_event_comes_back(self):
        self.connect()
        self.t.send('2["message",1,"2",{"3":[true]}]')
        self.assertEqual(self.t.recv(), '2["message-back",1,"2",{"3":[true]}]')

    def test_event_on_custom_namespace_comes_back(self):
        self.connect("/custom")
        self.t.send('2/custom,["message","€\\u001e"]')
        self.assertEqual(self.t.recv(), '2/custom,["message-back","€\\u001e"]')

    def test_event_with_ack_is_acknowledged_with_its_arguments(self):
        self.connect()
        self.t.send('21["message-with-ack",1,"2"]')
        self.assertEqual(self.t.recv(), '31[1,"2"]')
        self.t.send('2456["message-with-ack",{"3":[false]}]')
        self.assertEqual(self.t.recv(), '3456[{"3":[false]}]')

    def test_ack_on_custom_namespace(self):
        self.connect("/custom")
        self.t.send('2/custom,7["message-with-ack"]')
        self.assertEqual(self.t.recv(), "3/custom,7[]")

    def test_binary_event_comes_back_with_its_attachments(self):
        self.connect()
        self.t.send('51-["message",{"_placeholder":true,"num":0}]', b"\x01\x02\x03")
        self.assertEqual(self.t.recv(), '51-["message-back",{"_placeholder":true,"num":0}]')
        self.assertEqual(self.t.recv(), b"\x01\x02\x03")

    def test_binary_event_with_two_attachments_and_an_ack(self):
        self.connect("/custom")
        self.t.send('52-/custom,789["message-with-ack",{"_placeholder":true,"num":0},'
                    '{"a":[{"_placeholder":true,"num":1}]}]', b"\x01\x02\x03", b"\x00\xff")
        self.assertEqual(self.t.recv(), '62-/custom,789[{"_placeholder":true,"num":0},'
                                        '{"a":[{"_placeholder":true,"num":1}]}]')
        self.assertEqual(self.t.recv(), b"\x01\x02\x03")
        self.assertEqual(self.t.recv(), b"\x00\xff")

    def test_too_many_attachments_closes(self):
        self.connect()
        placeholders = ",".join(f'{{"_placeholder":true,"num":{i}}}' for i in range(11))
        self.t.send(f'511-["message",{placeholders}]')
        self.assertCloses()


class Upgrade(unittest.TestCase):
    def test_websocket_with_the_same_sid_after_upgrade_opens_then_is_closed(self):
        # The official suite's "should ignore WebSocket connection with same sid after upgrade":
        # the handshake completes, the newcomer is closed, the upgraded session carries on.
        t = Polling(server.port)
        path = f"{PATH}?EIO=4&transport=websocket&sid={t.sid}"
        ws = RawWebSocket(server.port, path)
        try:
            self.assertEqual(ws.status, 101, ws.head)
            ws.send(1, b"2probe")
            self.assertEqual(ws.recv_frame()[:2], (1, b"3probe"))
            ws.send(1, b"5")
            again = RawWebSocket(server.port, path)
            try:
                self.assertEqual(again.status, 101, again.head)
                self.assertIsNotNone(again.recv_close())
            finally:
                again.sock.close()
            ws.send(1, b"40")
            op, payload, _, _ = ws.recv_frame()
            while payload == b"2":
                ws.send(1, b"3")
                op, payload, _, _ = ws.recv_frame()
            self.assertTrue(payload.startswith(b"40{"), payload)
        finally:
            ws.close()


class PollingConformance(Conformance, unittest.TestCase):
    transport = Polling


class WebSocketConformance(Conformance, unittest.TestCase):
    transport = WebSocket


if __name__ == "__main__":
    unittest.main(verbosity=2)
