"""onair-bench's ramp, mixed, fault and compare scenarios (issue #7) against real onair nodes on loopback.
The fault test kills a node by PID and lets the tool restart it from /proc (same ports, same data
folder), then checks the gaps viewers and chatters saw and that no acknowledged chat message was lost.
Needs ONAIR_BENCH (set by ctest when the bench is built); skipped otherwise."""
import json
import os
import signal
import socket
import subprocess
import time
import unittest

from onair_harness import ONAIR_BIN, Node, NodeTestCase
from test_onair_bench import ONAIR_BENCH, make_flv


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_bench(args, out, timeout):
    p = subprocess.run([ONAIR_BENCH, *args, "--json", out], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout)
    if p.returncode != 0:
        raise AssertionError(f"onair-bench {args[0]} exited {p.returncode}: {p.stderr.decode(errors='replace')[-2000:]}")
    with open(out) as f:
        return json.load(f), p.stdout.decode()


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


@unittest.skipUnless(ONAIR_BENCH and os.path.exists(ONAIR_BENCH), "ONAIR_BENCH not built")
class ScenariosAgainstOneNode(NodeTestCase):
    node_args = ("--open-publish", "--ladder", "none", "--audio-ladder", "none")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.flv = os.path.join(cls.node.workdir, "loop.flv")
        make_flv(cls.flv)

    def test_ramp_adds_steps_and_reports_the_knee(self):
        work = self.node.workdir
        pub = subprocess.Popen([ONAIR_BENCH, "publish", "--url", f"{self.node.rtmp}/ramp1", "--file", self.flv,
                                "--duration", "20"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            self.node.wait_for(lambda: "#EXTINF" in str(self.node.request("GET", "/hls/ramp1/source/index.m3u8")[2]),
                               timeout=15, what="first segment")
            r, out = run_bench(["ramp", "--url", f"{self.node.http}/hls/ramp1/master.m3u8", "--start", "5",
                                "--step", "5", "--max", "15", "--step-seconds", "3",
                                "--server-pid", str(self.node.proc.pid)], os.path.join(work, "ramp.json"), 60)
        finally:
            pub.kill()
            pub.wait()
        steps = r["steps"]
        self.assertEqual([s["viewers"] for s in steps], [5, 10, 15], steps)
        self.assertEqual(r["knee_viewers"], 15, steps)
        self.assertFalse(r["knee_found"], "no step stalled, so the knee is only a lower bound")
        self.assertIn("lower bound", out)
        for s in steps:
            self.assertEqual(s["stalls"], 0, s)
            self.assertGreater(s["parts"], 0, s)
            self.assertGreater(s["latency_p99_ms"], 0, s)
        # The server was sampled: CPU and RSS in the series.
        rss = [x["server_rss_mb"] for x in r["series"] if "server_rss_mb" in x]
        self.assertTrue(rss and min(rss) > 1, r["series"][:3])

    def test_mixed_runs_publishers_viewers_and_chatters_together(self):
        work = self.node.workdir
        r, _ = run_bench(["mixed", "--rtmp-url", f"{self.node.rtmp}/mixed1", "--file", self.flv,
                          "--hls-url", f"{self.node.http}/hls/mixed1/master.m3u8", "--viewers", "10",
                          "--ramp-up", "1", "--chat-url",
                          self.node.http.replace("http://", "ws://") + "/ws/rooms/mixed1/chat",
                          "--chatters", "10", "--chat-rate", "2", "--duration", "10",
                          "--server-pid", str(self.node.proc.pid), "--html", os.path.join(work, "mixed.html")],
                         os.path.join(work, "mixed.json"), 60)
        parts = r["parts"]
        self.assertEqual(set(parts), {"publish", "hls", "chat"})
        self.assertGreater(parts["publish"]["totals"]["units"], 300)
        self.assertEqual(max(s["active"] for s in parts["hls"]["series"]), 10)
        self.assertEqual(parts["hls"]["totals"]["stalls"], 0)
        self.assertGreater(parts["hls"]["latency_ms"]["count"], 0)
        chat = parts["chat"]["totals"]
        self.assertGreater(chat["sent"], 5)
        # Every message the senders got out reached every receiver once (minus those in flight at the end).
        self.assertGreaterEqual(chat["units"], 10 * (chat["sent"] - 2))
        self.assertEqual(chat["lost"], 0)
        with open(os.path.join(work, "mixed.html")) as f:
            page = f.read()
        for section in ("<h2>publish</h2>", "<h2>hls</h2>", "<h2>chat</h2>", "<h2>Server</h2>", "server and client CPU"):
            self.assertIn(section, page, "report section missing")


@unittest.skipUnless(ONAIR_BENCH and os.path.exists(ONAIR_BENCH), "ONAIR_BENCH not built")
class FaultKillsAndRestartsANode(unittest.TestCase):
    def test_viewers_and_chatters_see_a_gap_and_recover(self):
        node = Node()
        rtmp_port, http_port = free_port(), free_port()
        # Fixed ports: the restarted process must come back where the clients reconnect.
        node.extra_args = []
        work = node.workdir
        flv = os.path.join(work, "loop.flv")
        make_flv(flv)
        log = open(os.path.join(work, "node.log"), "ab")
        proc = subprocess.Popen([ONAIR_BIN, "node", "--data-dir", node.data_dir, "--bind", "127.0.0.1",
                                 "--rtmp-port", str(rtmp_port), "--http-port", str(http_port),
                                 "--ready-file", node.ready_file, "--open-publish", "--ladder", "none",
                                 "--audio-ladder", "none", "--log-level", "warn"],
                                stdout=log, stderr=subprocess.STDOUT)
        restarted = 0
        try:
            deadline = time.time() + 20
            while not os.path.exists(node.ready_file) and time.time() < deadline:
                time.sleep(0.1)
            self.assertTrue(os.path.exists(node.ready_file), "node did not start")
            http = f"http://127.0.0.1:{http_port}"
            out = os.path.join(work, "fault.json")
            p = subprocess.run([ONAIR_BENCH, "fault", "--rtmp-url", f"rtmp://127.0.0.1:{rtmp_port}/live/fault1",
                                "--file", flv, "--hls-url", f"{http}/hls/fault1/master.m3u8", "--viewers", "10",
                                "--ramp-up", "1", "--chat-url", f"ws://127.0.0.1:{http_port}/ws/rooms/fault1/chat",
                                "--chatters", "10", "--chat-rate", "2", "--duration", "22",
                                "--kill", f"{proc.pid}:8:1", "--restart-log", os.path.join(work, "restart.log"),
                                "--json", out, "--html", os.path.join(work, "fault.html")],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=90)
            proc.wait(timeout=10)  # killed by the tool: reap it here, its parent
            with open(out) as f:
                r = json.load(f)
            ev = r["faults"][0]
            restarted = ev.get("restarted_pid", 0)
            self.assertEqual(p.returncode, 0, p.stderr.decode(errors="replace")[-2000:])
            self.assertEqual(proc.returncode, -signal.SIGKILL)
            self.assertTrue(ev["killed"])
            self.assertGreater(restarted, 0)
            self.assertTrue(alive(restarted), "the restarted node keeps running after the run")
            self.assertAlmostEqual(ev["restarted_at_s"] - ev["killed_at_s"], 1, delta=0.5)
            gaps = r["gaps"]
            # Viewers: everyone came back; the gap spans the second the node was down plus the publisher's
            # reconnect and the first new parts.
            self.assertEqual(gaps["hls"]["clients"], 10, gaps)
            self.assertEqual(gaps["hls"]["recovered"], 10, gaps)
            self.assertGreater(gaps["hls"]["gap_ms"]["p50"], 1000, gaps)
            self.assertLess(gaps["hls"]["gap_ms"]["max"], 12000, gaps)
            # Chatters reconnect with `since`: a gap, but not one acknowledged message lost (durable history).
            self.assertEqual(gaps["chat"]["recovered"], 10, gaps)
            self.assertGreater(gaps["chat"]["gap_ms"]["p50"], 1000, gaps)
            self.assertEqual(r["parts"]["chat"]["totals"]["lost"], 0, r["parts"]["chat"]["totals"])
            self.assertGreater(r["parts"]["publish"]["totals"]["errors"], 0, "the publisher lost its connection")
            # The viewers' errors while the node was down, by kind, add up to their total.
            hls = r["parts"]["hls"]
            self.assertGreater(hls["totals"]["errors"], 0)
            self.assertEqual(sum(hls["errors_by_kind"].values()), hls["totals"]["errors"], hls["errors_by_kind"])
            with open(os.path.join(work, "fault.html")) as f:
                page = f.read()
            self.assertIn("Gaps clients saw", page)
            self.assertIn("kill", page)
        finally:
            for pid in (restarted,):
                if pid and alive(pid):
                    os.kill(pid, signal.SIGTERM)
                    for _ in range(100):
                        if not alive(pid):
                            break
                        time.sleep(0.1)
                    if alive(pid):
                        os.kill(pid, signal.SIGKILL)
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            log.close()


@unittest.skipUnless(ONAIR_BENCH and os.path.exists(ONAIR_BENCH), "ONAIR_BENCH not built")
class CompareTwoServers(unittest.TestCase):
    def test_compare_runs_both_sides_and_prints_ratios(self):
        a = Node(extra_args=("--open-publish", "--ladder", "none", "--audio-ladder", "none"))
        b = Node(extra_args=("--open-publish", "--ladder", "none", "--audio-ladder", "none", "--part-target", "0.5"))
        try:
            a.start()
            b.start()
            flv = os.path.join(a.workdir, "loop.flv")
            make_flv(flv)
            r, out = run_bench(["compare", "--a-name", "fast-parts", "--a-rtmp", f"{a.rtmp}/cmp",
                                "--a-hls", f"{a.http}/hls/cmp/master.m3u8", "--a-pid", str(a.proc.pid),
                                "--b-name", "slow-parts", "--b-rtmp", f"{b.rtmp}/cmp",
                                "--b-hls", f"{b.http}/hls/cmp/master.m3u8", "--b-pid", str(b.proc.pid),
                                "--file", flv, "--viewers", "5", "--duration", "5", "--warmup", "4",
                                "--ramp-up", "1"], os.path.join(a.workdir, "compare.json"), 90)
        finally:
            a.cleanup()
            b.cleanup()
        self.assertEqual([s["name"] for s in r["sides"]], ["fast-parts", "slow-parts"])
        for s in r["sides"]:
            self.assertEqual(s["summary"]["stalls"], 0, s["summary"])
            self.assertGreater(s["summary"]["viewers_parts"], 0, s["summary"])
            self.assertGreater(s["summary"]["server_rss_mb_median"], 1, s["summary"])
        self.assertEqual(r["ratios_are"], "fast-parts / slow-parts")
        # Parts of 0.333 s against 0.5 s: A's viewers are closer to live.
        self.assertGreater(r["ratios"]["latency_p50_ms"], 0)
        self.assertLess(r["ratios"]["latency_p50_ms"], 1.0, r["ratios"])
        self.assertIn("ratios (fast-parts / slow-parts)", out)


if __name__ == "__main__":
    unittest.main()
