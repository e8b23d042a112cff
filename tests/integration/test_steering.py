"""HLS Content Steering across a three-node cluster (issue #13, docs/hls-steering.md): the master of any
node names every healthy node as a pathway, the steering manifest orders them (this node, its region, the
rest), and a node killed with SIGKILL drops out of both once gossip stops seeing it alive."""
import re
import signal
import time
import unittest
import urllib.parse

from cluster_harness import ClusterCase
from onair_harness import start_publisher


def pathways(master):
    """PATHWAY-ID -> variant URIs, in the order the master lists them."""
    out = {}
    lines = master.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("#EXT-X-STREAM-INF:"):
            pid = re.search(r'PATHWAY-ID="([^"]+)"', line).group(1)
            out.setdefault(pid, []).append(lines[i + 1])
    return out


class SteeringTest(ClusterCase):
    def test_master_steers_across_nodes_and_a_killed_node_drops_out(self):
        a, b, c = self.nodes  # regions eu, eu, us
        room = self.replicated_room("Steered")
        rid = room["id"]
        self.publishers.append(start_publisher(f"{a.rtmp}/{room['stream_key']}", seconds=60))
        ids = {n: n.ready["node_id"] for n in self.nodes}

        # Every node follows the origin; b's master names all three, b first, then a (eu), then c (us).
        def master_of(node):
            status, _, body = node.request("GET", f"/hls/{rid}/master.m3u8?sid=it1")
            return body if status == 200 and "#EXT-X-CONTENT-STEERING" in body and len(pathways(body)) == 3 else None
        master = b.wait_for(lambda: master_of(b), timeout=30, what="a steered master on b")
        self.assertIn(f'#EXT-X-CONTENT-STEERING:SERVER-URI="steering.json?sid=it1",PATHWAY-ID="{ids[b]}"', master)
        paths = pathways(master)
        self.assertEqual(list(paths), [ids[b], ids[a], ids[c]])
        for uri in paths[ids[b]]:
            self.assertFalse(uri.startswith("http"), uri)  # this node: relative, as a lone node's
            self.assertIn("sid=it1", uri)
        for n in (a, c):
            for uri in paths[ids[n]]:
                self.assertTrue(uri.startswith(f"http://127.0.0.1:{n.ready['http_port']}/hls/{rid}/"), uri)
                self.assertIn("sid=it1", uri)
        # Every pathway's media playlist is served by its node (each one an origin or an edge).
        for n in self.nodes:
            uri = paths[ids[n]][0]
            path = urllib.parse.urlsplit(uri).path if uri.startswith("http") else f"/hls/{rid}/{uri}"
            n.wait_for(lambda: n.request("GET", path)[0] == 200, timeout=20, what=f"media playlist on {ids[n]}")

        # The manifest, with the parameters hls.js adds.
        def manifest(node):
            status, headers, body = node.request(
                "GET", f"/hls/{rid}/steering.json?sid=it1&_HLS_pathway={ids[node]}&_HLS_throughput=1000000")
            self.assertEqual(status, 200, body)
            self.assertEqual(headers["Cache-Control"], "no-cache")
            return body
        m = manifest(b)
        self.assertEqual(m["VERSION"], 1)
        self.assertLessEqual(m["TTL"], 10)
        self.assertEqual(m["PATHWAY-PRIORITY"], [ids[b], ids[a], ids[c]])
        # c (us): itself, then the eu nodes by node id.
        self.assertEqual(manifest(c)["PATHWAY-PRIORITY"], [ids[c], *sorted([ids[a], ids[b]])])
        self.assertEqual(b.request("GET", "/hls/no-such-room/steering.json")[0], 404)

        # kill -9 c: once gossip says dead, b's manifest and new masters leave it out.
        c.stop(signal.SIGKILL)
        killed = time.time()
        b.wait_for(lambda: manifest(b)["PATHWAY-PRIORITY"] == [ids[b], ids[a]], timeout=30, interval=0.2,
                   what="the killed node dropped from the steering manifest")
        dropped = time.time() - killed
        a.wait_for(lambda: manifest(a)["PATHWAY-PRIORITY"] == [ids[a], ids[b]], timeout=30, interval=0.2,
                   what="the killed node dropped on the other survivor")
        status, _, master = b.request("GET", f"/hls/{rid}/master.m3u8?sid=it1")
        self.assertEqual(status, 200)
        self.assertEqual(list(pathways(master)), [ids[b], ids[a]])
        print(f"\n[steering] killed node left the steering manifest {dropped:.1f} s after kill -9")


if __name__ == "__main__":
    unittest.main()
