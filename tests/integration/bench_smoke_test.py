"""switchboard-bench against bench_server, every mode very briefly: each run must exit 0 with a
sane result line (no timing assertions). Then far beyond the rate the server sustains: the run
must end within its bound and account for every message. Then against a server that drops
messages: the generator must notice and exit 1. And (SB_MICRO_BENCH, once) the codec
micro-benchmarks, one iteration each: every one runs, decodes what it encoded, and reports a
rate per byte."""
import json
import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from server import Server  # noqa: E402

SERVER = os.environ["SB_BENCH_SERVER"]
BENCH = os.environ["SB_BENCH"]
SHARDS = os.environ.get("SB_SHARDS", "1")
MICRO = os.environ.get("SB_MICRO_BENCH")

BRIEF = ["--duration", "1", "--warmup", "0.2", "--grace", "3"]  # long enough on a loaded machine


def bench(port, server_pid, mode, *args):
    """Runs one mode; returns (exit status, the parsed result line)."""
    proc = subprocess.run(
        [BENCH, mode, "--port", str(port), "--server-pid", str(server_pid), *args],
        capture_output=True, text=True, timeout=60)
    lines = proc.stdout.strip().splitlines()
    assert lines, f"{mode}: no result line; stderr: {proc.stderr}"
    result = json.loads(lines[-1])
    assert result["mode"] == mode, result
    return proc.returncode, result


class BenchModes(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # A short ping interval: idle Socket.IO connections must answer pings to stay.
        cls.server = Server(SERVER, "--shards", SHARDS, "--ping-ms", "300")

    @classmethod
    def tearDownClass(cls):
        assert cls.server.stop() == 0, "bench_server did not exit cleanly on SIGTERM"

    def run_ok(self, mode, *args):
        status, result = bench(self.server.port, self.server.proc.pid, mode, *args)
        self.assertEqual(status, 0, result)
        self.assertTrue(result["ok"], result)
        self.assertFalse(any(result["faults"].values()), result)
        return result

    def test_echo_round_trips_every_message(self):
        for mode in ("ws-echo", "sio-echo"):
            with self.subTest(mode=mode):
                r = self.run_ok(mode, "--connections", "20", "--inflight", "3",
                                "--payload", "200", *BRIEF)
                self.assertGreater(r["messages"], 0)
                self.assertGreater(r["rtt_us"]["p50"], 0)
                self.assertIsNotNone(r["server_cpu_s"])

    def test_broadcast_reaches_every_subscriber(self):
        for mode in ("ws-broadcast", "sio-broadcast"):
            with self.subTest(mode=mode):
                r = self.run_ok(mode, "--connections", "30", "--rate", "100", *BRIEF)
                self.assertGreater(r["published"], 0)
                self.assertGreater(r["deliveries"], 0)
                self.assertEqual(r["deliveries"] % 30, 0, r)
                # Every message reached the 30 subscribers and the publisher itself.
                self.assertEqual(r["expected"], r["published"] * 31, r)
                self.assertEqual(r["received"], r["expected"], r)

    def test_broadcast_far_beyond_capacity_ends_on_time_and_accounts_for_every_message(self):
        # A rate no server here sustains: the publisher's backlog outgrows what the server reads.
        # The run must still end (warm-up + window + grace, plus the set-up), count what the
        # server did deliver, and call every missing delivery lost, not report a silent stall.
        for mode in ("ws-broadcast", "sio-broadcast"):
            with self.subTest(mode=mode):
                began = time.monotonic()
                status, r = bench(self.server.port, self.server.proc.pid, mode,
                                  "--connections", "20", "--rate", "50000", "--duration", "0.5",
                                  "--warmup", "0.2", "--grace", "0.5")
                self.assertLess(time.monotonic() - began, 30, r)
                self.assertIn(status, (0, 1), r)
                self.assertGreater(r["published"], 0, r)
                self.assertGreater(r["received"], 0, r)
                self.assertEqual(r["expected"], r["published"] * 21, r)
                self.assertEqual(r["received"] + r["faults"]["lost"], r["expected"], r)
                self.assertEqual(r["faults"]["disconnected"], 0, r)
                self.assertEqual(r["faults"]["duplicated"], 0, r)
                if r["faults"]["lost"] > 0:
                    self.assertEqual(status, 1, r)
                    self.assertFalse(r["sustained"], r)
                    self.assertGreater(r["undelivered_age_s"], 0, r)

    def test_idle_connections_stay_and_memory_is_measured(self):
        for proto in ("ws", "sio"):
            with self.subTest(proto=proto):
                r = self.run_ok("idle", "--proto", proto, "--connections", "100",
                                "--hold", "1", "--sources", "2")
                self.assertEqual(r["held"], 100)
                self.assertIn("rss_per_conn_bytes", r)

    def test_connect_rate_counts_handshakes(self):
        for proto in ("ws", "sio"):
            with self.subTest(proto=proto):
                r = self.run_ok("connect-rate", "--proto", proto, "--connections", "8",
                                "--duration", "0.5", "--warmup", "0.1")
                self.assertGreater(r["handshakes"], 0)


class BenchDetectsFaults(unittest.TestCase):
    def test_a_server_that_drops_messages_fails_the_run(self):
        with Server(SERVER, "--shards", SHARDS, "--drop-every", "50") as server:
            for mode in ("ws-echo", "sio-echo"):
                with self.subTest(mode=mode):
                    status, r = bench(server.port, server.proc.pid, mode, "--connections", "5",
                                      "--duration", "0.3", "--warmup", "0", "--grace", "0.5")
                    self.assertEqual(status, 1, r)
                    self.assertFalse(r["ok"])
                    self.assertGreater(r["faults"]["lost"], 0)


@unittest.skipUnless(MICRO, "SB_MICRO_BENCH names the micro_bench binary")
class MicroBenchmarks(unittest.TestCase):
    def test_every_codec_benchmark_runs_once_and_reports_bytes(self):
        proc = subprocess.run([MICRO, "--benchmark_min_time=0", "--benchmark_format=json"],
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        runs = json.loads(proc.stdout)["benchmarks"]
        names = {r["name"].split("/")[0] for r in runs}
        for codec in ("BM_DecodeMasked", "BM_DecodeUnmasked", "BM_EncodeMasked",
                      "BM_EncodeUnmasked", "BM_EngineIoEncodeText", "BM_EngineIoDecodeBinary",
                      "BM_SocketIoEncodeText", "BM_SocketIoDecodeBinary"):
            self.assertIn(codec, names)
        self.assertEqual({r["name"].split("/")[1] for r in runs}, {"16", "1024", "65536"})
        for r in runs:
            self.assertFalse(r.get("error_occurred"), r)
            self.assertGreater(r["bytes_per_second"], 0, r)


if __name__ == "__main__":
    unittest.main(verbosity=2)
