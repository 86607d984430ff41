"""The echo example against Debian's python3-websockets and a raw frame client: messages of
every size, compression, fragmentation, and the close code RFC 6455 names for each violation."""
import asyncio
import os
import socket
import struct
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import websockets  # noqa: E402
from rawws import RawWebSocket  # noqa: E402
from server import Server  # noqa: E402

BINARY = os.environ["SB_ECHO"]
SHARDS = os.environ.get("SB_SHARDS", "1")


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 60))


class EchoServerTest(unittest.TestCase):
    """One echo server for the class, started with SERVER_ARGS; it must exit cleanly on SIGTERM."""

    SERVER_ARGS = ()

    @classmethod
    def setUpClass(cls):
        cls.server = Server(BINARY, "--shards", SHARDS, *cls.SERVER_ARGS)

    @classmethod
    def tearDownClass(cls):
        assert cls.server.stop() == 0, "server did not exit cleanly on SIGTERM"


class EchoWithPythonClient(EchoServerTest):
    def echo(self, messages, compression=None, path="/echo", max_size=2**25):
        async def go():
            async with websockets.connect(self.server.url("ws", path), compression=compression,
                                          max_size=max_size) as ws:
                got = []
                for m in messages:
                    await ws.send(m)
                    got.append(await ws.recv())
                return got, ws.response_headers.get("Sec-WebSocket-Extensions")
        return run(go())

    def test_text_and_binary_come_back_unchanged(self):
        msgs = ["hello", "", "üñí©ødé ✓ 😀", b"\x00\x01\xff", b""]
        got, ext = self.echo(msgs)
        self.assertEqual(got, msgs)
        self.assertIsNone(ext)

    def test_every_length_encoding(self):
        msgs = ["a" * 125, "b" * 126, "c" * 65535, "d" * 65536, b"e" * 200000]
        got, _ = self.echo(msgs)
        self.assertEqual(got, msgs)

    def test_sixteen_mebibyte_message(self):
        big = os.urandom(16 * 1024 * 1024 - 64)
        got, _ = self.echo([big])
        self.assertEqual(got[0], big)

    def test_permessage_deflate_is_negotiated_and_round_trips(self):
        msgs = ["x" * 10000, "hello " * 500, b"\x00" * 100000, "short"]
        got, ext = self.echo(msgs, compression="deflate")
        self.assertEqual(got, msgs)
        self.assertIn("permessage-deflate", ext or "")

    def test_ws_path_prefixes_text_with_echo(self):
        got, _ = self.echo(["hi", "there"], path="/ws")
        self.assertEqual(got, ["Echo: hi", "Echo: there"])

    def test_fragmented_message_with_interleaved_ping(self):
        ws = RawWebSocket(self.server.port)
        self.assertEqual(ws.status, 101)
        ws.send(1, b"frag", fin=False)
        ws.send(9, b"ping!")
        ws.send(0, b"men", fin=False)
        ws.send(0, b"ted", fin=True)
        op, payload, _, _ = ws.recv_frame()
        self.assertEqual((op, payload), (10, b"ping!"))
        op, payload, _, _ = ws.recv_frame()
        self.assertEqual((op, payload), (1, b"fragmented"))
        ws.send(8, struct.pack("!H", 1000))
        self.assertEqual(ws.recv_close(), 1000)
        self.assertTrue(ws.closed_by_server())
        ws.close()

    def test_close_without_code_is_answered_and_tcp_closed(self):
        ws = RawWebSocket(self.server.port)
        ws.send(8, b"")
        self.assertIn(ws.recv_close(), (1000, 1005))
        self.assertTrue(ws.closed_by_server())
        ws.close()


class CloseCodes(EchoServerTest):
    """Each protocol violation gets the close code the RFC names, and only that connection
    closes: a bystander keeps echoing."""

    SERVER_ARGS = ("--max-message", "1048576")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bystander = RawWebSocket(cls.server.port)

    @classmethod
    def tearDownClass(cls):
        cls.bystander.close()
        super().tearDownClass()

    def expect_close(self, code, *frames):
        ws = RawWebSocket(self.server.port)
        self.assertEqual(ws.status, 101)
        for f in frames:
            ws.send_raw(f)
        self.assertEqual(ws.recv_close(), code)
        self.assertTrue(ws.closed_by_server())
        ws.close()
        self.bystander.send(1, b"still here")
        self.assertEqual(self.bystander.recv_frame()[1], b"still here")

    F = staticmethod(RawWebSocket.frame)

    def test_unmasked_frame_is_1002(self):
        self.expect_close(1002, self.F(1, b"hi", mask=False))

    def test_reserved_opcodes_are_1002(self):
        for op in (3, 7, 0xB, 0xF):
            with self.subTest(op=op):
                self.expect_close(1002, self.F(op, b"x"))

    def test_rsv_bits_without_extension_are_1002(self):
        for rsv in (1, 2, 4):
            with self.subTest(rsv=rsv):
                self.expect_close(1002, self.F(1, b"x", rsv=rsv))

    def test_control_frame_rules_are_1002(self):
        self.expect_close(1002, self.F(9, b"x" * 126))
        self.expect_close(1002, self.F(9, b"x", fin=False))

    def test_continuation_without_start_is_1002(self):
        self.expect_close(1002, self.F(0, b"x"))

    def test_new_message_inside_fragmented_one_is_1002(self):
        self.expect_close(1002, self.F(1, b"a", fin=False), self.F(1, b"b"))

    def test_invalid_utf8_is_1007_even_before_the_message_ends(self):
        self.expect_close(1007, self.F(1, b"\xce\xba\xe1\xbd\xb9\xed\xa0\x80"))
        self.expect_close(1007, self.F(1, b"ok\xff", fin=False))

    def test_invalid_close_payloads_are_1002_or_1007(self):
        self.expect_close(1002, self.F(8, b"\x03"))
        for code in (0, 999, 1004, 1005, 1006, 1015, 2000, 5000):
            with self.subTest(code=code):
                self.expect_close(1002, self.F(8, struct.pack("!H", code)))
        self.expect_close(1007, self.F(8, struct.pack("!H", 1000) + b"\xff"))

    def test_valid_close_codes_are_echoed(self):
        for code in (1000, 1001, 1003, 1011, 3000, 4999):
            with self.subTest(code=code):
                self.expect_close(code, self.F(8, struct.pack("!H", code)))

    def test_message_over_the_limit_is_1009(self):
        self.expect_close(1009, self.F(2, b"", length_override=2 * 1024 * 1024))
        self.expect_close(1009, self.F(2, b"x" * 600000, fin=False), self.F(0, b"y" * 600000))


def masked_frame(opcode, payload):
    """A whole client frame, masked quickly (RawWebSocket.frame masks byte by byte)."""
    n = len(payload)
    key = os.urandom(4)
    if n < 126:
        head = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
    elif n < 65536:
        head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
    mask = (key * (n // 4 + 1))[:n]
    masked = (int.from_bytes(payload, "big") ^ int.from_bytes(mask, "big")).to_bytes(n, "big")
    return head + key + masked


class ClosingWithAReason(EchoServerTest):
    """At the 16 MiB limits of the echo example (message and write queue alike): a message of
    exactly the limit is answered, and one over it is refused with 1009 that a client still
    sending its whole message reads, instead of a reset."""

    LIMIT = 16 * 1024 * 1024

    def test_a_message_of_exactly_the_limit_is_echoed(self):
        big = os.urandom(self.LIMIT)
        got, _ = EchoWithPythonClient.echo(self, [big])
        self.assertEqual(got[0], big)

    def test_a_message_over_the_limit_is_refused_with_1009_after_the_client_sent_it_all(self):
        ws = RawWebSocket(self.server.port, timeout=30)
        ws.send_raw(masked_frame(2, os.urandom(self.LIMIT + 1)))  # EPIPE/ECONNRESET would raise
        self.assertEqual(ws.recv_close(), 1009)
        self.assertTrue(ws.closed_by_server())
        ws.close()

    def test_a_fragmented_message_over_the_limit_is_refused_the_same_way(self):
        ws = RawWebSocket(self.server.port, timeout=30)
        half = os.urandom(self.LIMIT // 2 + 1)
        first = bytearray(masked_frame(2, half))
        first[0] &= 0x7F  # not FIN
        ws.send_raw(bytes(first) + masked_frame(0, half))
        self.assertEqual(ws.recv_close(), 1009)
        self.assertTrue(ws.closed_by_server())
        ws.close()

    def test_an_http_error_answer_is_read_by_a_client_still_sending_its_body(self):
        import socket
        body = b"x" * (8 * 1024 * 1024)
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=30)
        s.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body))
        s.sendall(body)  # the server answers 413 at the head, and reads the rest
        head = s.recv(1000)
        self.assertTrue(head.startswith(b"HTTP/1.1 413"), head)
        s.close()


def memory_of(pid):
    """(VmRSS, VmHWM) of a process, in bytes."""
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                fields[name] = int(value.split()[0]) * 1024
    return fields["VmRSS"], fields["VmHWM"]


def frame_head(length):
    """The header of a masked binary frame of `length` bytes, with an all-zero mask (so the
    payload that follows goes unmasked)."""
    if length < 126:
        head = struct.pack("!BB", 0x82, 0x80 | length)
    elif length < 65536:
        head = struct.pack("!BBH", 0x82, 0x80 | 126, length)
    else:
        head = struct.pack("!BBQ", 0x82, 0x80 | 127, length)
    return head + b"\0\0\0\0"


class SlowConsumer(EchoServerTest):
    """A client that does not read its echoes goes over the write queue's limit: it is closed
    with 1008 "slow consumer", a Close it reads once it reads again."""

    SERVER_ARGS = ("--max-message", "65536", "--queue-limit", "262144")

    def test_a_client_that_stops_reading_gets_1008_slow_consumer_when_it_reads_again(self):
        ws = RawWebSocket(self.server.port, timeout=10)
        ws.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        frame = masked_frame(2, bytes(60000))
        for _ in range(300):  # 18 MB of echoes; the queue holds 256 KiB past the kernel's buffers
            ws.send_raw(frame)
        while True:
            op, payload, _, _ = ws.recv_frame()
            if op == 8:
                break
        self.assertEqual(struct.unpack("!H", payload[:2])[0], 1008)
        self.assertEqual(payload[2:], b"slow consumer")
        self.assertTrue(ws.closed_by_server())
        ws.close()


class HalfSentMessages(EchoServerTest):
    """Connections that send a frame header and then only part of its payload, or trickle it,
    are cut: by the time one message may take, and by the shard's budget for unfinished
    messages (64 MiB by default), so that they cannot hold the server's memory."""

    MESSAGE_MS = 2000

    SERVER_ARGS = ("--message-ms", str(MESSAGE_MS))

    def test_a_trickled_message_is_closed_with_1008_when_its_time_is_up(self):
        import time
        ws = RawWebSocket(self.server.port)
        ws.sock.settimeout(0.1)
        ws.send_raw(frame_head(1000) + b"x" * 10)
        started, trickled, code = time.monotonic(), 0, None
        while code is None and time.monotonic() - started < self.MESSAGE_MS / 1000 + 3:
            try:
                ws.send_raw(b"x")  # every byte would reset an idle timeout
                trickled += 1
                code = ws.recv_close()
            except socket.timeout:
                ws.buf = b""  # recv_close reads frames whole: nothing came, go on
        self.assertEqual(code, 1008)
        self.assertGreater(time.monotonic() - started, self.MESSAGE_MS / 1000 - 0.5)
        self.assertGreater(trickled, 5)
        ws.close()

    def test_thirty_unfinished_messages_stay_within_the_budget(self):
        # Each declares 16 MiB and sends 6 MiB of it (an 8 MiB buffer on the server): 240 MiB
        # of buffers without a budget. A shard keeps at most 8 of them (64 MiB); the others are
        # closed with 1009 at once. The time per message is long here (the trickle test checks
        # the cut by time), so that on a slow machine none is cut while the thirty are sent
        # and frees its part of the budget for a later one.
        import select
        import time
        with Server(BINARY, "--shards", SHARDS, "--message-ms", "60000") as server:
            rss_before, _ = memory_of(server.proc.pid)
            clients = []
            for _ in range(30):
                ws = RawWebSocket(server.port, timeout=20)
                ws.send_raw(frame_head(16 * 1024 * 1024) + bytes(6 * 1024 * 1024))
                clients.append(ws)
            refused = 30 - 8 * int(SHARDS)
            codes, deadline = {}, time.monotonic() + 30
            while len(codes) < refused and time.monotonic() < deadline:
                waiting = [ws.sock for i, ws in enumerate(clients) if i not in codes]
                ready, _, _ = select.select(waiting, [], [], 0.5)
                for i, ws in enumerate(clients):
                    if i not in codes and ws.sock in ready:
                        codes[i] = ws.recv_close()
            self.assertEqual(set(codes.values()), {1009}, codes)
            self.assertGreaterEqual(len(codes), refused, codes)
            for ws in clients:
                ws.close()
            _, peak = memory_of(server.proc.pid)
            grown = peak - rss_before
            # AddressSanitizer keeps freed memory in quarantine (256 MiB): only a normal build
            # shows what the process really holds.
            # (GCC maps libasan.so; clang links its runtime into the executable.)
            with open(f"/proc/{server.proc.pid}/maps") as maps:
                sanitized = "libasan" in maps.read()
            with open(BINARY, "rb") as executable:
                sanitized = sanitized or b"__asan_init" in executable.read()
            if not sanitized:
                self.assertLess(grown, 150 * 1000 * 1000, f"peak grew by {grown / 1e6:.0f} MB")
            bystander = RawWebSocket(server.port)
            bystander.send(1, b"still fine")
            self.assertEqual(bystander.recv_frame()[1], b"still fine")
            bystander.close()
            print(f" (peak grew by {grown / 1e6:.0f} MB)", end=" ", file=sys.stderr)


class Handshake(EchoServerTest):
    def test_version_other_than_13_is_426_with_the_supported_version(self):
        ws = RawWebSocket(self.server.port, headers={"Sec-WebSocket-Version": "8"})
        self.assertEqual(ws.status, 426)
        self.assertIn("Sec-WebSocket-Version: 13", ws.head)
        ws.close()

    def status_of(self, fields):
        import socket
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=5)
        lines = ["GET /echo HTTP/1.1", "Upgrade: websocket", "Connection: Upgrade"] + fields
        s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        head = b""
        while b"\r\n" not in head:
            chunk = s.recv(1000)
            if not chunk:
                break
            head += chunk
        s.close()
        return int(head.split(b" ")[1])

    def test_missing_key_is_400(self):
        self.assertEqual(self.status_of(["Host: x", "Sec-WebSocket-Version: 13"]), 400)

    def test_singleton_headers_sent_twice_are_400(self):
        key, other = "dGhlIHNhbXBsZSBub25jZQ==", "AAAAAAAAAAAAAAAAAAAAAA=="
        good = ["Host: x", f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13"]
        self.assertEqual(self.status_of(good), 101)
        cases = {
            "two keys": good + [f"Sec-WebSocket-Key: {other}"],
            "the same key twice": good + [f"Sec-WebSocket-Key: {key}"],
            "two versions": good + ["Sec-WebSocket-Version: 8"],
            "two hosts": good + ["Host: y"],
            "two content lengths": good + ["Content-Length: 0", "Content-Length: 1"],
        }
        for name, fields in cases.items():
            with self.subTest(name):
                self.assertEqual(self.status_of(fields), 400)


class OnePortOneProcess(unittest.TestCase):
    """A second server on a port that one already serves fails at once, and clearly, instead
    of sharing the port (the kernel would split the connections between the two)."""

    def test_a_second_server_on_the_same_port_exits_and_the_first_keeps_serving(self):
        import subprocess
        with Server(BINARY, "--shards", SHARDS) as first:
            second = subprocess.run([BINARY, "--port", str(first.port), "--shards", SHARDS],
                                    capture_output=True, text=True, timeout=10)
            self.assertNotEqual(second.returncode, 0)
            self.assertIn(f"another process holds port {first.port}", second.stderr)

            async def go():
                for i in range(20):
                    async with websockets.connect(first.url("ws", "/echo")) as ws:
                        await ws.send(f"hello {i}")
                        self.assertEqual(await ws.recv(), f"hello {i}")
            run(go())
            self.assertIsNone(first.proc.poll())


class KeepAliveAndLimits(EchoServerTest):
    """Server keep-alive pings, the idle timeout, the slow-consumer limit, subprotocols and the
    Origin hook."""

    SERVER_ARGS = ("--ping-ms", "200", "--idle-ms", "600", "--queue-limit", "1048576",
                   "--check-origin", "1")

    def test_a_quiet_client_is_pinged_and_answering_keeps_it_open(self):
        async def go():
            # websockets answers pings by itself; its own pings are off.
            async with websockets.connect(self.server.url("ws", "/echo"), ping_interval=None) as ws:
                await asyncio.sleep(1.0)  # longer than the idle timeout: only pongs were sent
                await ws.send("alive")
                self.assertEqual(await ws.recv(), "alive")
        run(go())

    def test_a_silent_client_gets_pings_then_is_closed_with_1001(self):
        ws = RawWebSocket(self.server.port)
        op, _, _, _ = ws.recv_frame()
        self.assertEqual(op, 9)  # ping, after 200 ms of silence
        self.assertEqual(ws.recv_close(), 1001)  # nobody answered: idle timeout
        self.assertTrue(ws.closed_by_server())
        ws.close()

    def test_a_client_that_never_reads_is_closed_and_others_carry_on(self):
        import socket
        slow = RawWebSocket(self.server.port)
        slow.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        payload = b"x" * 65536
        closed = False
        try:
            for _ in range(2000):  # 128 MiB of echoes at most; the limit is 1 MiB queued
                slow.send(2, payload)
        except (BrokenPipeError, ConnectionResetError):
            closed = True
        self.assertTrue(closed or slow.closed_by_server())
        slow.close()
        other = RawWebSocket(self.server.port)
        other.send(1, b"fine")
        self.assertEqual(other.recv_frame()[1], b"fine")
        other.close()

    def test_the_first_supported_subprotocol_is_chosen(self):
        ws = RawWebSocket(self.server.port, headers={"Sec-WebSocket-Protocol": "other, superchat, chat"})
        self.assertEqual(ws.status, 101)
        self.assertIn("Sec-WebSocket-Protocol: superchat", ws.head)
        ws.close()
        ws = RawWebSocket(self.server.port, headers={"Sec-WebSocket-Protocol": "other"})
        self.assertEqual(ws.status, 101)
        self.assertNotIn("Sec-WebSocket-Protocol", ws.head)
        ws.close()

    def test_pages_from_other_origins_are_refused_with_403(self):
        ws = RawWebSocket(self.server.port, headers={"Origin": "http://evil.example"})
        self.assertEqual(ws.status, 403)
        ws.close()
        ws = RawWebSocket(self.server.port, headers={"Origin": "http://allowed.example"})
        self.assertEqual(ws.status, 101)
        ws.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
