"""Raw Engine.IO transports speaking Socket.IO packets: what a conformance test needs to send
exact packets, good or bad, and to see exactly what comes back. Pings are answered on the way."""
import base64
import http.client
import json
import socket
import time

from rawws import RawWebSocket

PATH = "/socket.io/"


class Closed(Exception):
    """The server ended the Engine.IO connection."""


class Polling:
    name = "polling"

    def __init__(self, port):
        self.port = port
        self.queue = []
        status, body = self._request("GET", "")
        assert status == 200 and body[:1] == b"0", (status, body)
        self.open = json.loads(body[1:])
        self.sid = self.open["sid"]

    def _request(self, method, sid_query, body=None, timeout=5):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        conn.request(method, f"{PATH}?EIO=4&transport=polling{sid_query}", body=body)
        r = conn.getresponse()
        data = r.read()
        conn.close()
        return r.status, data

    def _post(self, engine_packets):
        status, body = self._request("POST", f"&sid={self.sid}", "\x1e".join(engine_packets).encode())
        if status != 200:
            raise Closed(f"POST {status} {body!r}")

    def send(self, *packets):
        """Socket.IO packets (str) and attachments (bytes), in one POST."""
        self._post(["4" + p if isinstance(p, str) else "b" + base64.b64encode(p).decode()
                    for p in packets])

    def _fill(self, timeout):
        status, body = self._request("GET", f"&sid={self.sid}", timeout=timeout)
        if status != 200:
            raise Closed(f"GET {status} {body!r}")
        self.queue.extend(body.decode().split("\x1e"))

    def recv(self, timeout=5):
        """The next Socket.IO packet (str) or attachment (bytes)."""
        deadline = time.monotonic() + timeout
        while True:
            while not self.queue:
                self._fill(max(0.1, deadline - time.monotonic()))
            p = self.queue.pop(0)
            if p == "2":
                self._post(["3"])
            elif p == "1":
                raise Closed("close packet")
            elif p.startswith("4"):
                return p[1:]
            elif p.startswith("b"):
                return base64.b64decode(p[1:])
            if time.monotonic() > deadline:
                raise TimeoutError("no packet")

    def close(self):
        try:
            self._post(["1"])
        except Closed:
            pass


class WebSocket:
    name = "websocket"

    def __init__(self, port):
        self.ws = RawWebSocket(port, f"{PATH}?EIO=4&transport=websocket")
        assert self.ws.status == 101, self.ws.head
        op, payload, _, _ = self.ws.recv_frame()
        assert op == 1 and payload[:1] == b"0", payload
        self.open = json.loads(payload[1:])
        self.sid = self.open["sid"]

    def send(self, *packets):
        for p in packets:
            if isinstance(p, str):
                self.ws.send(1, ("4" + p).encode())
            else:
                self.ws.send(2, p)

    def recv(self, timeout=5):
        self.ws.sock.settimeout(timeout)
        while True:
            try:
                op, payload, _, _ = self.ws.recv_frame()
            except (ConnectionError, OSError) as e:
                if isinstance(e, socket.timeout):
                    raise TimeoutError("no packet") from e
                raise Closed(str(e)) from e
            if op == 8:
                raise Closed("close frame")
            if op == 2:
                return payload
            if op == 1:
                text = payload.decode()
                if text == "2":
                    self.ws.send(1, b"3")
                elif text.startswith("4"):
                    return text[1:]
                elif text == "1":
                    raise Closed("close packet")

    def close(self):
        self.ws.close()


def closes(transport, timeout=5):
    """Seconds until the server ends the connection (pings answered meanwhile), or None."""
    start = time.monotonic()
    try:
        while time.monotonic() - start < timeout:
            transport.recv(timeout=max(0.05, timeout - (time.monotonic() - start)))
    except Closed:
        return time.monotonic() - start
    except TimeoutError:
        return None
    return None
