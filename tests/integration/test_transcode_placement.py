"""Transcoder placement (issue #5): a room whose ingest node has no transcoding capacity left is transcoded
by another node of its region, and says so nowhere because nothing is missing."""
import unittest

from onair_harness import Node, ffprobe_frames, start_publisher

SECRET = "integration-test-transcode-placement"


def node(seeds=()):
    args = ["--cluster-secret", SECRET, "--region", "eu", "--gossip-port", "0", "--caf-port", "0",
            "--max-ladders", "1"]
    if seeds:
        args += ["--seeds", ",".join(seeds)]
    return Node(extra_args=args)


class TranscodePlacement(unittest.TestCase):
    def setUp(self):
        self.procs = []
        self.a = node().start()
        self.b = node([f"127.0.0.1:{self.a.ready['gossip_port']}"]).start()
        ids = {self.a.ready["node_id"], self.b.ready["node_id"]}
        for n in (self.a, self.b):
            n.wait_for(lambda: {x["node_id"] for x in n.request("GET", "/api/cluster")[2]["nodes"]
                                if x["state"] == "alive" and x["linked"]} >= ids, what="linked")

    def tearDown(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        self.b.cleanup()
        self.a.cleanup()

    def test_second_ladder_on_a_full_node_runs_on_its_neighbour(self):
        first = self.a.create_room("Takes A's only ladder")
        second = self.a.create_room("Needs another node")
        for r in (first, second):
            self.b.wait_for(lambda: self.b.request("GET", f"/api/rooms/{r['id']}")[0] == 200, what="replicated")
        self.procs.append(start_publisher(f"{self.a.rtmp}/{first['stream_key']}", seconds=25, size="1280x720"))
        self.a.wait_for(lambda: len(self.a.room(first["id"])["renditions"]) == 3, timeout=20, what="first transcoded on A")
        self.procs.append(start_publisher(f"{self.a.rtmp}/{second['stream_key']}", seconds=12, size="1280x720"))
        view = self.a.wait_for(lambda: (lambda v: v if len(v["renditions"]) == 3 else None)(self.a.room(second["id"])),
                               timeout=25, what="second transcoded elsewhere")
        self.assertEqual(view["transcoding"], "")
        self.assertIn(f"transcoding room {second['id']} for another node", self.b.read_log())
        self.assertIn("no transcoding capacity on this node; asking the region", self.a.read_log())
        self.assertEqual(self.procs[1].wait(timeout=60), 0)
        self.a.request("POST", f"/api/rooms/{second['id']}/end", token=self.a.admin_token)
        # The rungs made on B play from A, the ingest node.
        for name in ("480p", "360p"):
            frames, err, _ = ffprobe_frames(f"{self.a.http}/hls/{second['id']}/{name}/index.m3u8")
            self.assertGreater(frames.get("video", 0), 60, (name, err))


if __name__ == "__main__":
    unittest.main()
