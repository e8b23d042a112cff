"""onair-bench end to end (issue #7): our own RTMP client publishes a looped FLV file to a real node,
and the tool's LL-HLS viewers follow the room with blocking reload, fetch parts and measure latency.
Needs ONAIR_BENCH (set by ctest when the bench is built); skipped otherwise."""
import json
import os
import subprocess
import unittest

from onair_harness import NodeTestCase

ONAIR_BENCH = os.environ.get("ONAIR_BENCH", "")


def make_flv(path, seconds=3):
    """A short H.264/AAC FLV file: what a load tester pre-encodes once and loops."""
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
         "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
         "-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-g", "15", "-pix_fmt", "yuv420p", "-b:v", "300k",
         "-c:a", "aac", "-b:a", "64k", "-f", "flv", path],
        check=True, timeout=60)


@unittest.skipUnless(ONAIR_BENCH and os.path.exists(ONAIR_BENCH), "ONAIR_BENCH not built")
class OnairBenchAgainstNode(NodeTestCase):
    node_args = ("--viewer-timeout-ms", "2000")

    def test_publish_goes_live_and_hls_viewers_get_parts_with_latency(self):
        work = self.node.workdir
        flv = os.path.join(work, "loop.flv")
        make_flv(flv)
        room = self.node.create_room("Bench room")
        pub_json = os.path.join(work, "publish.json")
        # 12 s of a 3 s file: the publisher loops it at real time with increasing timestamps.
        pub = subprocess.Popen([ONAIR_BENCH, "publish", "--url", f"{self.node.rtmp}/{room['stream_key']}",
                                "--file", flv, "--duration", "12", "--json", pub_json],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            self.node.wait_for(lambda: self.node.room(room["id"])["status"] == "live", timeout=15, what="room live")
            media = f"/hls/{room['id']}/source/index.m3u8"
            self.node.wait_for(lambda: "#EXTINF" in str(self.node.request("GET", media)[2]), timeout=15,
                               what="first segment")
            hls_json = os.path.join(work, "hls.json")
            html_out = os.path.join(work, "hls.html")
            p = subprocess.run([ONAIR_BENCH, "hls", "--url", f"{self.node.http}/hls/{room['id']}/master.m3u8",
                                "--viewers", "20", "--duration", "5", "--ramp-up", "1", "--json", hls_json,
                                "--html", html_out], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
            self.assertEqual(p.returncode, 0, p.stderr.decode(errors="replace"))
            out, err = pub.communicate(timeout=30)
        finally:
            if pub.poll() is None:
                pub.kill()
                pub.wait()
        self.assertEqual(pub.returncode, 0, err.decode(errors="replace"))

        with open(pub_json) as f:
            pub_result = json.load(f)
        self.assertEqual(pub_result["totals"]["errors"], 0, pub_result.get("failures"))
        # 12 s of 30 fps video and ~47 AAC frames/s: well over 600 tags even on a slow start.
        self.assertGreater(pub_result["totals"]["units"], 600)
        self.assertEqual(max(s["active"] for s in pub_result["series"]), 1)

        with open(hls_json) as f:
            hls = json.load(f)
        self.assertEqual(hls["scenario"], "hls")
        self.assertEqual(max(s["active"] for s in hls["series"]), 20)
        # 20 viewers x ~4 s of parts: each viewer fetches several parts per second.
        self.assertGreater(hls["totals"]["units"], 20 * 4)
        self.assertGreater(hls["totals"]["bytes"], 0)
        lat = hls["latency_ms"]
        self.assertEqual(lat["count"], hls["totals"]["units"], "every part has a program date time")
        # LL-HLS on loopback: a part is in well within a few seconds of its first sample.
        self.assertLess(lat["p50"], 5000, lat)
        self.assertGreater(lat["p50"], 0, lat)
        self.assertEqual(hls["totals"]["stalls"], 0, hls["series"])
        with open(html_out) as f:
            page = f.read()
        self.assertIn("<svg", page)
        self.assertIn("hls: latency CDF", page)
        self.assertNotIn("http://cdn", page)

    def test_chat_chatters_deliver_with_latency(self):
        room = self.node.create_room("Bench chat")
        out = os.path.join(self.node.workdir, "chat.json")
        ws = self.node.http.replace("http://", "ws://") + f"/ws/rooms/{room['id']}/chat"
        p = subprocess.run([ONAIR_BENCH, "chat", "--url", ws, "--chatters", "20", "--rate", "2", "--duration", "5",
                            "--server-pid", str(self.node.proc.pid), "--json", out],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=90)
        self.assertEqual(p.returncode, 0, p.stderr.decode(errors="replace"))
        with open(out) as f:
            r = json.load(f)
        self.assertEqual(r["scenario"], "chat")
        t = r["totals"]
        self.assertEqual(t["errors"], 0, t)
        self.assertEqual(t["lost"], 0, t)
        # Senders start 1 s after the joins (2 s in): ~2 msgs/s for ~3 s, each to all 20 receivers.
        self.assertGreaterEqual(t["sent"], 4, t)
        self.assertGreaterEqual(t["units"], 20 * (t["sent"] - 1), t)
        self.assertGreater(r["latency_ms"]["p50"], 0)
        self.assertTrue(r["latency_ms"]["cdf"], "per-message latency CDF")
        self.assertEqual(max(s["active"] for s in r["series"]), 20)
        self.assertTrue(any(s.get("server_rss_mb", 0) > 1 for s in r["series"]), r["series"][:2])


if __name__ == "__main__":
    unittest.main()
