"""Chat against a running node with a C++ Beast client (bench/chat_load): 100 connections, a steady
message rate, and every message delivered to every connection exactly once, with and without a write
delay. Also checks bench/chat_floor, the per-delivery floor server of the chat bench, with the same client."""
import json
import os
import subprocess
import tempfile
import time
import unittest

from onair_harness import Node

CHAT_LOAD = os.environ.get("ONAIR_CHAT_LOAD", "")
CHAT_FLOOR = os.environ.get("ONAIR_CHAT_FLOOR", "")


def run_load(test, url, out, connections=100, rate=20):
    """Runs chat_load against `url` and returns its JSON result after checking exactly-once delivery."""
    p = subprocess.run([CHAT_LOAD, "--url", url, "--connections", str(connections), "--rate", str(rate),
                        "--duration", "3", "--warmup", "1", "--json", out],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    test.assertEqual(p.returncode, 0, p.stderr.decode() + p.stdout.decode())
    with open(out) as f:
        r = json.load(f)
    test.assertEqual(r["connections_established"], connections, r)
    test.assertEqual(r["duplicates"], 0, r)
    test.assertEqual(r["out_of_order"], 0, r)
    test.assertEqual(r["lost"], 0, r)
    test.assertGreater(r["delivered"], 0, r)
    return r


@unittest.skipUnless(CHAT_LOAD and os.path.exists(CHAT_LOAD), "bench/chat_load not built (ONAIR_BUILD_BENCH=OFF)")
class ChatBeastClient(unittest.TestCase):
    def run_node(self, *extra):
        with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as cfg:
            # The load client publishes faster than a person types; lift the per-connection limits.
            cfg.write("[chat]\nsession_msgs_burst = 100.0\nsession_msgs_per_s = 100.0\n"
                      "user_msgs_burst = 100.0\nuser_msgs_per_s = 100.0\n")
        self.addCleanup(os.unlink, cfg.name)
        node = Node(extra_args=("--config", cfg.name) + extra)
        self.addCleanup(node.cleanup)
        node.start()
        room = node.create_room("Beast", kind="audio")
        url = node.http.replace("http://", "ws://") + f"/ws/rooms/{room['id']}/chat"
        return run_load(self, url, os.path.join(node.workdir, "load.json"))

    def test_every_connection_gets_every_message_once(self):
        self.run_node()

    def test_with_a_write_delay_every_message_still_arrives_once_and_in_order(self):
        # 20 msgs/s against a 120 ms delay: several messages share each write; none may be lost,
        # doubled or reordered (chat_load counts gaps, duplicates and seq order per receiver),
        # and each waits at least part of the delay.
        r = self.run_node("--chat-write-delay-ms", "120")
        self.assertGreaterEqual(r["latency_ms"]["p50"], 20, r)

    @unittest.skipUnless(CHAT_FLOOR and os.path.exists(CHAT_FLOOR), "bench/chat_floor not built")
    def test_the_floor_server_delivers_every_message_once(self):
        # bench/chat_compare.sh reports chat_floor as the per-delivery ceiling: its figures only mean
        # something if it does the same fan-out (every message to every connection, once, in order).
        with tempfile.TemporaryDirectory() as d:
            ready = os.path.join(d, "ready.json")
            p = subprocess.Popen([CHAT_FLOOR, "--port", "0", "--ready-file", ready],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                deadline = time.monotonic() + 10
                while not os.path.exists(ready) and time.monotonic() < deadline and p.poll() is None:
                    time.sleep(0.05)
                with open(ready) as f:
                    port = json.load(f)["http_port"]
                run_load(self, f"ws://127.0.0.1:{port}/ws/rooms/bench/chat", os.path.join(d, "load.json"))
            finally:
                p.terminate()
                self.assertEqual(p.wait(timeout=10), 0)


if __name__ == "__main__":
    unittest.main()
