"""onair-bench's own RTMP publisher (bench/onair_bench/rtmp_publisher.cpp, issue #7) against a server
that is not onair: ffmpeg's listening RTMP server (`ffmpeg -listen 1 -i rtmp://...`), which records what
it receives with `-c copy` into an FLV file. ffprobe then checks that file: H.264 video and AAC audio,
the publisher's onMetaData carried through, a duration close to the published one (the publisher loops
a 3 s file at real time with increasing timestamps), and per-stream timestamps that never go backwards
at a loop point. (test_onair_bench.py runs the same client against onair.)
Needs ONAIR_BENCH (set by ctest when the bench is built); skipped otherwise. Every child process is
bounded by a timeout and ended by PID; loopback only."""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

from onair_harness import TMP_ROOT
from test_onair_bench import make_flv

ONAIR_BENCH = os.environ.get("ONAIR_BENCH", "")
# A comment in the looped file's onMetaData: it reaches OUT.flv only if the publisher sent the file's
# script tag (as @setDataFrame onMetaData) and ffmpeg accepted it.
MARKER = "onair-bench-rtmp-test"


def free_loopback_port():
    """A port that was free a moment ago (ffmpeg's listener cannot report a port 0 choice back)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port):
    """True once some socket listens on 127.0.0.1:port (from /proc/net/tcp, so that checking does not
    take the listener's only connection: `-listen 1` accepts exactly one client)."""
    want = "0100007F:%04X" % port
    with open("/proc/net/tcp") as f:
        next(f)
        for line in f:
            fields = line.split()
            if fields[1] == want and fields[3] == "0A":  # TCP_LISTEN
                return True
    return False


def packets(path, timeout=60):
    """{codec_type: [dts in seconds, ...]} in file order, from ffprobe."""
    p = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "packet=codec_type,dts_time", "-of", "json", path],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout, check=True)
    out = {}
    for pkt in json.loads(p.stdout).get("packets", []):
        out.setdefault(pkt["codec_type"], []).append(float(pkt["dts_time"]))
    return out


@unittest.skipUnless(ONAIR_BENCH and os.path.exists(ONAIR_BENCH), "ONAIR_BENCH not built")
@unittest.skipUnless(shutil.which("ffmpeg") and shutil.which("ffprobe"), "ffmpeg/ffprobe not installed")
class OnairBenchRtmpAgainstFfmpegListener(unittest.TestCase):
    PUBLISH_S = 6   # two loops of the 3 s file
    FILE_S = 3

    def setUp(self):
        os.makedirs(TMP_ROOT, exist_ok=True)
        self.work = tempfile.mkdtemp(prefix="onair-bench-rtmp-", dir=TMP_ROOT)
        self.procs = []

    def tearDown(self):
        for p in self.procs:  # only what this test started, by PID
            if p.poll() is None:
                p.kill()
                p.wait(timeout=10)
        shutil.rmtree(self.work, ignore_errors=True)

    def start_listener(self, out_flv, attempts=3):
        """`ffmpeg -listen 1` on a free loopback port, recording with -c copy; returns (proc, port, log path).
        Retries on another port if the chosen one was taken in between."""
        for attempt in range(attempts):
            port = free_loopback_port()
            log_path = os.path.join(self.work, f"ffmpeg-listen-{attempt}.log")
            with open(log_path, "wb") as log:
                # -timeout: the listener gives up by itself after 30 s without a client (seconds, rtmp
                # protocol option); info level so that the input's metadata and any "Non-monotonous DTS"
                # warnings are in the log.
                p = subprocess.Popen(["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "info", "-y",
                                      "-listen", "1", "-timeout", "30", "-i", f"rtmp://127.0.0.1:{port}/live/key",
                                      "-c", "copy", "-f", "flv", out_flv],
                                     stdout=subprocess.DEVNULL, stderr=log)
            self.procs.append(p)
            deadline = time.time() + 10
            while time.time() < deadline and p.poll() is None and not listening(port):
                time.sleep(0.05)
            if p.poll() is None and listening(port):
                return p, port, log_path
            if p.poll() is None:
                p.kill()
            p.wait(timeout=10)
        self.fail("ffmpeg's RTMP listener did not start: " + self.read(log_path))

    @staticmethod
    def read(path):
        with open(path, "rb") as f:
            return f.read().decode(errors="replace")[-4000:]

    def test_publish_to_ffmpeg_listener_records_h264_aac_with_monotonic_timestamps(self):
        raw = os.path.join(self.work, "raw.flv")
        make_flv(raw, seconds=self.FILE_S)
        loop_flv = os.path.join(self.work, "loop.flv")
        subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-i", raw, "-c", "copy",
                        "-metadata", f"comment={MARKER}", "-f", "flv", loop_flv], check=True, timeout=60)
        out_flv = os.path.join(self.work, "out.flv")
        listener, port, log_path = self.start_listener(out_flv)

        pub_json = os.path.join(self.work, "publish.json")
        pub = subprocess.run([ONAIR_BENCH, "publish", "--url", f"rtmp://127.0.0.1:{port}/live/key", "--file", loop_flv,
                              "--duration", str(self.PUBLISH_S), "--json", pub_json],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=self.PUBLISH_S + 30)
        # The publisher ends with deleteStream and closes: the listener sees the end of its input, writes
        # the FLV trailer and exits by itself.
        try:
            listener.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.fail("ffmpeg's listener did not end after the publisher left: " + self.read(log_path))
        log = self.read(log_path)
        self.assertEqual(pub.returncode, 0, pub.stderr.decode(errors="replace"))
        self.assertEqual(listener.returncode, 0, log)

        with open(pub_json) as f:
            result = json.load(f)
        self.assertEqual(result["totals"]["errors"], 0, result.get("failures"))
        self.assertEqual(result["failures"], [])
        self.assertEqual(max(s["active"] for s in result["series"]), 1)
        # 6 s of 30 fps video and ~47 AAC frames/s: over 400 tags even with a slow handshake.
        self.assertGreater(result["totals"]["units"], 400)

        # ffmpeg rewrites DTS that go backwards before muxing ("Non-monotonous DTS ... changing to"), which
        # would hide a bad loop point from the packet check below: its log must not show that.
        self.assertNotIn("Non-monotonous DTS", log)
        self.assertNotIn("non monotonically", log)

        probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries",
                                "stream=codec_type,codec_name:format=duration:format_tags", "-of", "json", out_flv],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        self.assertEqual(probe.returncode, 0, probe.stderr.decode(errors="replace"))
        info = json.loads(probe.stdout)
        codecs = {s["codec_type"]: s["codec_name"] for s in info["streams"]}
        self.assertEqual(codecs, {"video": "h264", "audio": "aac"}, info)
        self.assertEqual(info["format"].get("tags", {}).get("comment"), MARKER, "onMetaData did not arrive")
        duration = float(info["format"]["duration"])
        # Two loops of the 3 s file at real time: ~6 s, less the connect time and the last frame gap.
        self.assertGreater(duration, self.PUBLISH_S - 1.0, info["format"])
        self.assertLess(duration, self.PUBLISH_S + 1.0, info["format"])

        pkts = packets(out_flv)
        for kind in ("video", "audio"):
            ts = pkts.get(kind, [])
            # More than one loop's worth of packets, so the loop point is inside the recording.
            self.assertGreater(ts[-1] - ts[0], self.FILE_S + 1.0, kind)
            steps = [b - a for a, b in zip(ts, ts[1:])]
            back = [(i, s) for i, s in enumerate(steps) if s <= 0]
            self.assertEqual(back, [], f"{kind} DTS not increasing at packets {back[:5]}")
            # ...and no hole either: the next loop starts about one frame after the previous one ended.
            self.assertLess(max(steps), 0.2, f"{kind} DTS gap of {max(steps):.3f} s")


if __name__ == "__main__":
    unittest.main()
