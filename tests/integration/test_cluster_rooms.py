"""Any node serves any room (issue #4): three onair processes on loopback in two regions. A room created
on node 1 is published to node 2, played with LL-HLS from node 3 (ffprobe), chatted in from nodes 1
and 3, changed through a node that does not own it; a node that was down converges when it returns."""
import asyncio
import signal
import time
import unittest

from chat_client import ChatClient
from onair_harness import Node, ffprobe_frames, start_publisher

SECRET = "integration-test-cluster-rooms"


def cluster_node(region, seeds=(), data_dir=None):
    args = ["--cluster-secret", SECRET, "--region", region, "--gossip-port", "0", "--caf-port", "0"]
    if seeds:
        args += ["--seeds", ",".join(seeds)]
    return Node(data_dir=data_dir, extra_args=args)


class ClusterRooms(unittest.TestCase):
    def setUp(self):
        self.nodes = []
        self.publisher = None
        self.n1 = self.start(cluster_node("eu"))
        self.seed = f"127.0.0.1:{self.n1.ready['gossip_port']}"
        self.n2 = self.start(cluster_node("eu", [self.seed]))
        self.n3 = self.start(cluster_node("us", [self.seed]))
        for n in self.nodes:
            self.wait_linked(n, {m.ready["node_id"] for m in self.nodes})

    def tearDown(self):
        if self.publisher and self.publisher.poll() is None:
            self.publisher.kill()
            self.publisher.wait()
        for n in self.nodes:
            n.cleanup()

    def start(self, node):
        self.nodes.append(node)
        return node.start()

    def cluster(self, node):
        status, _, body = node.request("GET", "/api/cluster")
        self.assertEqual(status, 200, body)
        return body

    def wait_linked(self, node, ids, timeout=20):
        node.wait_for(lambda: {n["node_id"] for n in self.cluster(node)["nodes"] if n["state"] == "alive" and n["linked"]}
                      >= ids, timeout=timeout, what="every node alive and linked")

    def room_on(self, node, room_id):
        status, _, body = node.request("GET", f"/api/rooms/{room_id}")
        return body if status == 200 else None

    def test_create_on_1_publish_to_2_play_and_chat_on_3(self):
        eu = {self.n1.ready["node_id"], self.n2.ready["node_id"]}
        room = self.n1.create_room("Across the cluster")
        rid = room["id"]
        # Replicated to every node; owned by a node of the home region (the creating node's: eu).
        for n in (self.n2, self.n3):
            n.wait_for(lambda: self.room_on(n, rid), what="room replicated")
        owners = {r["id"]: r["owner_node"] for r in self.cluster(self.n3)["rooms"]}
        self.assertIn(owners[rid], eu)

        # Publish to node 2 with the key node 1 handed out: node 2 validates it from its replica.
        self.publisher = start_publisher(f"{self.n2.rtmp}/{room['stream_key']}", seconds=40)
        def origin_seen(node):
            r = {x["id"]: x for x in self.cluster(node)["rooms"]}.get(rid, {})
            return r.get("status") == "live" and r.get("origin_node") == self.n2.ready["node_id"]
        for n in self.nodes:
            n.wait_for(lambda: origin_seen(n), timeout=20, what="origin recorded and replicated")
        self.assertEqual(self.room_on(self.n3, rid)["status"], "live")
        # The origin's ingest statistics reach every node.
        stream = self.n3.wait_for(lambda: self.room_on(self.n3, rid)["stream"], timeout=10, what="stats on node 3")
        self.assertGreater(stream["ingest_kbps"], 100)

        # LL-HLS from node 3, an edge of node 2: ffprobe decodes video and audio.
        url = f"{self.n3.http}/hls/{rid}/master.m3u8"
        self.n3.wait_for(lambda: self.n3.request("GET", f"/hls/{rid}/master.m3u8")[0] == 200, timeout=20,
                         what="edge master playlist on node 3")
        frames, err, _ = ffprobe_frames(url, timeout=60, read_seconds=4)
        self.assertGreater(frames.get("video", 0), 0, err)
        self.assertGreater(frames.get("audio", 0), 0, err)
        status, _, playlist = self.n3.request("GET", f"/hls/{rid}/source/index.m3u8")
        self.assertIn("#EXT-X-PART:", playlist)
        # Blocking reload on the edge: ask for the next part and get it when the origin makes it.
        status, _, playlist = self.n3.request("GET", f"/hls/{rid}/source/index.m3u8")
        msn = int([l for l in playlist.splitlines() if l.startswith("#EXT-X-MEDIA-SEQUENCE:")][0].split(":")[1])
        segs = sum(1 for l in playlist.splitlines() if l.startswith("#EXTINF"))
        status, _, later = self.n3.request("GET", f"/hls/{rid}/source/index.m3u8?_HLS_msn={msn + segs + 1}&_HLS_part=0",
                                           timeout=20)
        self.assertEqual(status, 200, later)
        # Viewers of node 3 count on node 1 too.
        self.n1.wait_for(lambda: self.room_on(self.n1, rid)["viewers"] >= 1, timeout=15, what="viewers aggregated")

        # Chat: a client on node 1 and one on node 3 each see both messages exactly once, in order.
        asyncio.run(self.chat_across(rid))

        # Tokens replicate: node 1's admin token works on node 3 too.
        self.n3.wait_for(lambda: self.n3.request("PATCH", f"/api/rooms/{rid}", {"description": "token from 1"},
                                                 token=self.n1.admin_token)[0] == 200, what="node 1's token on node 3")
        # A change through node 3 (not the owner; its own admin token) is made by the owner and replicated.
        status, _, body = self.n3.request("PATCH", f"/api/rooms/{rid}", {"title": "Renamed from 3"},
                                          token=self.n3.admin_token)
        self.assertEqual(status, 200, body)
        for n in self.nodes:
            n.wait_for(lambda: self.room_on(n, rid)["title"] == "Renamed from 3", what="patch replicated")

        # The show ends on the owner: node 2's publisher is cut, every node sees "ended".
        owner = [n for n in self.nodes if n.ready["node_id"] == owners[rid]][0]
        status, _, body = owner.request("POST", f"/api/rooms/{rid}/end", token=owner.admin_token)
        self.assertEqual(status, 200, body)
        self.publisher.wait(timeout=15)
        for n in self.nodes:
            n.wait_for(lambda: self.room_on(n, rid)["status"] == "ended", what="ended everywhere")
        # The edge got the origin's EXT-X-ENDLIST: a player on node 3 reads to the end and stops.
        self.n3.wait_for(lambda: "#EXT-X-ENDLIST" in self.n3.request("GET", f"/hls/{rid}/source/index.m3u8")[2],
                         what="ENDLIST on the edge")
        frames, err, _ = ffprobe_frames(url, timeout=60)
        self.assertGreater(frames.get("video", 0), 0, err)

    async def chat_across(self, rid):
        a = await ChatClient.join(self.n1.http, rid, nick="on-1")
        b = await ChatClient.join(self.n3.http, rid, nick="on-3")
        try:
            for c in (a, b):
                await c.until_type("welcome")
            # Both present: the owner counts relayed connections too.
            await b.until(lambda f: f.get("type") == "presence" and f.get("viewers") == 2, timeout=10)
            await a.send({"type": "msg", "text": "hello from 1", "client_id": "a1"})
            await b.send({"type": "msg", "text": "hello from 3", "client_id": "b1"})
            for c, mine in ((a, "a1"), (b, "b1")):
                ack = await c.until(lambda f: f.get("type") == "ack" and f.get("client_id") == mine)
                self.assertGreater(ack["seq"], 0)
            seen = {}
            for c in (a, b):
                # Every frame read so far is kept in c.frames (waiting for the ack skipped over some).
                def msgs():
                    return [(f["seq"], f["text"]) for f in c.frames if f.get("type") == "msg"]
                while len(msgs()) < 2:
                    await c.recv()
                # Nothing more arrives: exactly once.
                try:
                    while True:
                        await c.recv(timeout=1.5)
                except asyncio.TimeoutError:
                    pass
                seen[c] = msgs()
                self.assertEqual(len(seen[c]), 2, c.frames)
            self.assertEqual(seen[a], seen[b])
            self.assertEqual({t for _, t in seen[a]}, {"hello from 1", "hello from 3"})
            self.assertLess(seen[a][0][0], seen[a][1][0])
        finally:
            await a.ws.close()
            await b.ws.close()

    def test_a_node_that_was_down_converges_when_it_returns(self):
        n3_id = self.n3.ready["node_id"]
        self.n3.stop(signal.SIGKILL)
        for n in (self.n1, self.n2):
            n.wait_for(lambda: {x["node_id"]: x["state"] for x in self.cluster(n)["nodes"]}.get(n3_id) == "dead",
                       timeout=8, what="node 3 dead")
        # While node 3 is down: a room is created, another is deleted.
        kept = self.n1.create_room("Created while 3 was down")
        gone = self.n2.create_room("Deleted while 3 was down")
        self.n1.wait_for(lambda: self.room_on(self.n1, gone["id"]), what="replicated to 1")
        status, _, _ = self.n2.request("DELETE", f"/api/rooms/{gone['id']}", token=self.n2.admin_token)
        self.assertEqual(status, 204)
        # Node 3 restarts on its data dir and converges through anti-entropy.
        restarted = cluster_node("us", [self.seed], data_dir=self.n3.data_dir)
        self.nodes.remove(self.n3)
        self.n3.cleanup()
        self.n3 = self.start(restarted)
        self.n3.wait_for(lambda: self.room_on(self.n3, kept["id"]), timeout=20, what="late room on node 3")
        self.assertIsNone(self.room_on(self.n3, gone["id"]))
        ids = {r["id"] for r in self.cluster(self.n3)["rooms"]}
        self.assertIn(kept["id"], ids)
        self.assertNotIn(gone["id"], ids)


if __name__ == "__main__":
    unittest.main()
