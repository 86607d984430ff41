"""https:// and wss:// with --tls-cert/--tls-key: a self-signed certificate made for the test."""
import asyncio
import os
import ssl
import subprocess
import sys
import tempfile
import unittest
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
import websockets  # noqa: E402
from server import Server  # noqa: E402


class Tls(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        cls.cert = os.path.join(cls.dir.name, "cert.pem")
        cls.key = os.path.join(cls.dir.name, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=127.0.0.1", "-keyout", cls.key, "-out", cls.cert],
                       check=True, capture_output=True)
        cls.ctx = ssl.create_default_context(cafile=cls.cert)
        cls.ctx.check_hostname = False
        cls.echo = Server(os.environ["SB_ECHO"], "--tls-cert", cls.cert, "--tls-key", cls.key)
        cls.page = Server(os.environ["SB_BROADCAST"], "--tls-cert", cls.cert, "--tls-key", cls.key)

    @classmethod
    def tearDownClass(cls):
        assert cls.echo.stop() == 0
        assert cls.page.stop() == 0
        cls.dir.cleanup()

    def test_https_serves_the_page(self):
        with urllib.request.urlopen(self.page.url("https", "/"), context=self.ctx) as r:
            self.assertEqual(r.status, 200)
            self.assertIn(b"WebSocket", r.read())

    def test_wss_echoes(self):
        async def go():
            async with websockets.connect(self.echo.url("wss", "/echo"), ssl=self.ctx) as ws:
                await ws.send("over tls")
                self.assertEqual(await ws.recv(), "over tls")
                big = os.urandom(300000)
                await ws.send(big)
                self.assertEqual(await ws.recv(), big)
        asyncio.run(asyncio.wait_for(go(), 30))

    def test_plain_http_on_the_tls_port_is_refused_without_harm(self):
        import socket
        s = socket.create_connection(("127.0.0.1", self.page.port))
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        s.settimeout(15)
        try:
            data = s.recv(100)
        except ConnectionResetError:
            data = b""
        self.assertFalse(data.startswith(b"HTTP/1.1 200"))
        s.close()
        with urllib.request.urlopen(self.page.url("https", "/"), context=self.ctx) as r:
            self.assertEqual(r.status, 200)


if __name__ == "__main__":
    unittest.main(verbosity=2)
