"""Authenticated node links (issue #14 item 4): the CAF port of a cluster node speaks only mutual TLS with
certificates of the cluster's CA (docs/cluster.md, "Node links"). A CAF client without a certificate cannot
reach the directory to hand it an admin token record, a raw TCP client gets nothing, and a node whose
certificate comes from another CA never links even when it knows the gossip secret."""
import os
import shutil
import signal
import socket
import subprocess
import time
import unittest

from cluster_harness import ClusterCase, cluster_node
from onair_harness import Node

INTRUDER = os.environ.get("ONAIR_CAF_INTRUDER",
                          os.path.join(os.path.dirname(__file__), "../../build/tests/caf_intruder"))


class LinkAuth(ClusterCase):
    def test_a_caf_client_without_a_certificate_cannot_deliver_a_token_record(self):
        node = self.nodes[1]
        forged = "oat_forged-by-an-intruder-0123456789"
        p = subprocess.run([INTRUDER, "127.0.0.1", str(node.ready["caf_port"]), forged], capture_output=True,
                           timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout.decode() + p.stderr.decode())
        self.assertIn(b"refused", p.stdout)
        # Had the record gone in, the forged token would be an admin token on every node.
        for n in self.nodes:
            status, _, body = n.request("POST", "/api/rooms", {"title": "x"}, token=forged)
            self.assertEqual(status, 401, body)
        # A raw TCP client's bytes are not CAF messages to anyone: the TLS handshake fails and the
        # connection ends without an answer.
        with socket.create_connection(("127.0.0.1", node.ready["caf_port"]), timeout=5) as s:
            s.sendall(b"\x00" * 64 + b"GET / HTTP/1.1\r\n\r\n")
            try:
                data = s.recv(4096)
            except ConnectionResetError:
                data = b""
            self.assertNotIn(b"HTTP", data)
        # The cluster's own links are unharmed.
        self.wait_linked(self.nodes)

    def test_a_node_with_a_foreign_certificate_never_links(self):
        # Certificates of another cluster: made by a node started once with another secret.
        other = Node(extra_args=["--cluster-secret", "another-cluster-secret-0987654321", "--gossip-port", "0",
                                 "--caf-port", "0"])
        other.start()
        tls = os.path.join(other.workdir, "foreign-tls")
        shutil.copytree(os.path.join(other.data_dir, "cluster-tls"), tls)
        other.stop()
        intruder = cluster_node("eu", [self.seed], extra=[
            "--cluster-ca", os.path.join(tls, "ca.pem"), "--cluster-cert", os.path.join(tls, "node.pem"),
            "--cluster-key", os.path.join(tls, "node.key")])
        self.start(intruder)
        try:
            iid = intruder.ready["node_id"]
            # It knows the gossip secret, so it is a member...
            self.nodes[0].wait_for(lambda: [x for x in self.cluster(self.nodes[0])["nodes"]
                                            if x["node_id"] == iid and x["state"] == "alive"],
                                   timeout=20, what="the foreign node in gossip")
            room = self.nodes[0].create_room("Not for them")
            time.sleep(6)  # several link retries (every 2 s) on both sides
            # ...but no CAF link comes up in either direction, and nothing replicates to it.
            for n in self.nodes[:3]:
                linked = [x["linked"] for x in self.cluster(n)["nodes"] if x["node_id"] == iid]
                self.assertEqual(linked, [False], n.read_log())
            self.assertFalse([x for x in self.cluster(intruder)["nodes"] if x["linked"] and not x["self"]])
            status, _, _ = intruder.request("GET", f"/api/rooms/{room['id']}")
            self.assertEqual(status, 404)
        finally:
            other.cleanup()


if __name__ == "__main__":
    unittest.main()
