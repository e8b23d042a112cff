"""Three onair processes on loopback in two regions, joined by gossip (port 0, ready files, seeds)."""
import json
import signal
import time
import unittest

from onair_harness import Node

SECRET = "integration-test-cluster-secret"


def cluster_node(region, seeds=(), data_dir=None):
    args = ["--cluster-secret", SECRET, "--region", region, "--gossip-port", "0", "--caf-port", "0"]
    if seeds:
        args += ["--seeds", ",".join(seeds)]
    return Node(data_dir=data_dir, extra_args=args)


class Cluster(unittest.TestCase):
    def setUp(self):
        self.nodes = []
        self.n1 = self.start(cluster_node("eu"))
        seed = f"127.0.0.1:{self.n1.ready['gossip_port']}"
        self.n2 = self.start(cluster_node("eu", [seed]))
        self.n3 = self.start(cluster_node("us", [seed]))

    def tearDown(self):
        for n in self.nodes:
            n.cleanup()

    def start(self, node):
        self.nodes.append(node)
        return node.start()

    def view(self, node):
        status, _, body = node.request("GET", "/api/cluster")
        self.assertEqual(status, 200, body)
        return body

    def states(self, node):
        return {n["node_id"]: (n["state"], n["linked"]) for n in self.view(node)["nodes"]}

    def wait_all_alive_and_linked(self, nodes, timeout=20):
        ids = {n.ready["node_id"] for n in nodes}
        for n in nodes:
            n.wait_for(lambda: {k for k, (st, linked) in self.states(n).items() if st == "alive" and linked} >= ids,
                       timeout=timeout, what=f"{n.ready['node_id']} sees every node alive and linked")

    def test_membership_links_rooms_and_failure_detection(self):
        nodes = [self.n1, self.n2, self.n3]
        self.wait_all_alive_and_linked(nodes)
        regions = {n["node_id"]: n["region"] for n in self.view(self.n3)["nodes"]}
        self.assertEqual(regions[self.n1.ready["node_id"]], "eu")
        self.assertEqual(regions[self.n3.ready["node_id"]], "us")
        me = [n for n in self.view(self.n2)["nodes"] if n["self"]][0]
        self.assertEqual(me["node_id"], self.n2.ready["node_id"])
        self.assertEqual(me["endpoints"]["http"], self.n2.ready["http_port"])

        # A room created on node 1 shows up in node 3's replica, owned by a node of its home region (eu).
        room = self.n1.create_room("Cluster room")
        def owner_seen_from_3():
            rooms = {r["id"]: r for r in self.view(self.n3)["rooms"]}
            return rooms.get(room["id"], {}).get("owner_node")
        self.assertIn(self.n3.wait_for(owner_seen_from_3, what="room listed on node 3"),
                      {self.n1.ready["node_id"], self.n2.ready["node_id"]})

        # The best ingest node for a DJ in region "us" is the us node; in "eu" one of the eu nodes.
        status, _, ingest = self.n1.request("GET", f"/api/rooms/{room['id']}/ingest?region=us")
        self.assertEqual(status, 200, ingest)
        self.assertEqual(ingest["node_id"], self.n3.ready["node_id"])
        self.assertEqual(ingest["rtmp_url"], f"rtmp://127.0.0.1:{self.n3.ready['rtmp_port']}/live")
        status, _, ingest = self.n1.request("GET", f"/api/rooms/{room['id']}/ingest?region=eu")
        self.assertIn(ingest["node_id"], {self.n1.ready["node_id"], self.n2.ready["node_id"]})
        self.assertEqual(self.n1.request("GET", "/api/rooms/nope/ingest")[0], 404)

        # kill -9 the us node (it owns nothing): the others mark it dead within 5 s.
        dead_id = self.n3.ready["node_id"]
        t0 = time.time()
        self.n3.stop(signal.SIGKILL)
        for n in (self.n1, self.n2):
            n.wait_for(lambda: self.states(n).get(dead_id, ("", False))[0] == "dead", timeout=8,
                       interval=0.1, what="the killed node marked dead")
        self.assertLess(time.time() - t0, 5.5, "failure detection took longer than 5 s")
        self.assertFalse(self.states(self.n1)[dead_id][1], "no CAF link to a dead node")

        # Restart it on its data dir: it rejoins (same node id) and the cluster converges again.
        self.n3.start()
        self.assertEqual(self.n3.ready["node_id"], dead_id)
        self.wait_all_alive_and_linked(nodes)

    def test_graceful_stop_is_a_leave_not_a_failure(self):
        self.wait_all_alive_and_linked([self.n1, self.n2, self.n3])
        left_id = self.n2.ready["node_id"]
        self.assertEqual(self.n2.stop(signal.SIGTERM), 0)
        self.n1.wait_for(lambda: self.states(self.n1).get(left_id, ("", False))[0] == "left", timeout=8,
                         what="the stopped node marked left")

    def test_wrong_secret_never_joins(self):
        intruder = Node(extra_args=["--cluster-secret", "a-different-secret-entirely", "--region", "eu",
                                    "--gossip-port", "0", "--caf-port", "0",
                                    "--seeds", f"127.0.0.1:{self.n1.ready['gossip_port']}"])
        self.start(intruder)
        time.sleep(3)
        self.assertNotIn(intruder.ready["node_id"], self.states(self.n1))
        self.assertEqual(len(self.view(intruder)["nodes"]), 1)


class Standalone(unittest.TestCase):
    def test_a_node_without_a_cluster_secret_is_a_cluster_of_one(self):
        node = Node().start()
        try:
            view = node.request("GET", "/api/cluster")[2]
            self.assertEqual([n["node_id"] for n in view["nodes"]], [node.ready["node_id"]])
            self.assertTrue(view["nodes"][0]["self"])
            room = node.create_room("Solo")
            ingest = node.request("GET", f"/api/rooms/{room['id']}/ingest?region=anywhere")[2]
            self.assertEqual(ingest["node_id"], node.ready["node_id"])
            # Its own load shows even without gossip (the room it owns, within one 2 s tick).
            node.wait_for(lambda: node.request("GET", "/api/cluster")[2]["nodes"][0]["load"]["rooms"] == 1,
                          timeout=6, what="standalone load")
        finally:
            node.cleanup()

    def test_seeds_without_a_secret_are_refused(self):
        import subprocess
        from onair_harness import ONAIR_BIN
        p = subprocess.run([ONAIR_BIN, "node", "--data-dir", "/tmp/onair-never-created", "--seeds", "127.0.0.1:1"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
        self.assertEqual(p.returncode, 2)
        self.assertIn("cluster-secret", p.stderr.decode())


if __name__ == "__main__":
    unittest.main()
