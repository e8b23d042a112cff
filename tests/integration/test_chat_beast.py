"""Chat against a running node with a C++ Beast client (bench/chat_load): 100 connections, a steady
message rate, and every message delivered to every connection exactly once."""
import json
import os
import subprocess
import tempfile
import unittest

from onair_harness import Node

CHAT_LOAD = os.environ.get("ONAIR_CHAT_LOAD", "")


@unittest.skipUnless(CHAT_LOAD and os.path.exists(CHAT_LOAD), "bench/chat_load not built (ONAIR_BUILD_BENCH=OFF)")
class ChatBeastClient(unittest.TestCase):
    def test_every_connection_gets_every_message_once(self):
        with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as cfg:
            # The load client publishes faster than a person types; lift the per-connection limits.
            cfg.write("[chat]\nsession_msgs_burst = 100.0\nsession_msgs_per_s = 100.0\n"
                      "user_msgs_burst = 100.0\nuser_msgs_per_s = 100.0\n")
        node = Node(extra_args=("--config", cfg.name))
        try:
            node.start()
            room = node.create_room("Beast", kind="audio")
            out = os.path.join(node.workdir, "load.json")
            url = node.http.replace("http://", "ws://") + f"/ws/rooms/{room['id']}/chat"
            p = subprocess.run([CHAT_LOAD, "--url", url, "--connections", "100", "--rate", "20", "--duration", "3",
                                "--warmup", "1", "--json", out], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=120)
            self.assertEqual(p.returncode, 0, p.stderr.decode() + p.stdout.decode())
            with open(out) as f:
                r = json.load(f)
            self.assertEqual(r["connections_established"], 100, r)
            self.assertEqual(r["duplicates"], 0, r)
            self.assertEqual(r["lost"], 0, r)
            self.assertGreater(r["delivered"], 0, r)
        finally:
            node.cleanup()
            os.unlink(cfg.name)


if __name__ == "__main__":
    unittest.main()
