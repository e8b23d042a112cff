"""A three-node onair cluster on loopback (two regions) for the failover and drain tests, and the HLS
playlist helpers they share."""
import asyncio
import re
import socket
import time
import unittest

from chat_client import ChatClient
from onair_harness import Node

SECRET = "integration-test-failover-secret"


def cluster_node(region, seeds=(), data_dir=None, fixed_ports=False, extra=()):
    """A node of the test cluster. `fixed_ports`: every port chosen now, so that the node restarts at
    the same address (a rolling restart); otherwise port 0."""
    ports = [free_port(socket.SOCK_STREAM) for _ in range(3)] + [free_port(socket.SOCK_DGRAM)] if fixed_ports \
        else [0, 0, 0, 0]
    args = ["--cluster-secret", SECRET, "--region", region, "--gossip-port", str(ports[3]),
            "--caf-port", str(ports[2]), *extra]
    if seeds:
        args += ["--seeds", ",".join(seeds)]
    return Node(data_dir=data_dir, extra_args=args, rtmp_port=ports[0], http_port=ports[1])


def free_port(kind):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def media_sequence(playlist):
    m = re.search(r"#EXT-X-MEDIA-SEQUENCE:(\d+)", playlist)
    return int(m.group(1)) if m else None


def last_msn(playlist):
    """The media sequence number of the last segment or partial segment listed."""
    first = media_sequence(playlist)
    if first is None:
        return None
    n = sum(1 for l in playlist.splitlines() if l.startswith("#EXTINF"))
    return first + n


class ClusterCase(unittest.TestCase):
    """Starts three linked nodes (eu, eu, us) before each test and ends them (by PID) after it."""
    fixed_ports = False
    node_args = ()

    def setUp(self):
        self.nodes = []
        self.publishers = []
        kw = dict(fixed_ports=self.fixed_ports, extra=self.node_args)
        n1 = self.start(cluster_node("eu", **kw))
        self.seed = f"127.0.0.1:{n1.ready['gossip_port']}"
        self.start(cluster_node("eu", [self.seed], **kw))
        self.start(cluster_node("us", [self.seed], **kw))
        self.wait_linked(self.nodes)

    def tearDown(self):
        for p in self.publishers:
            if p.poll() is None:
                p.kill()
                p.wait()
        for n in self.nodes:
            n.cleanup()

    def start(self, node):
        self.nodes.append(node)
        return node.start()

    def wait_linked(self, nodes, timeout=20):
        ids = {n.ready["node_id"] for n in nodes}
        for n in nodes:
            n.wait_for(lambda: {x["node_id"] for x in self.cluster(n)["nodes"]
                                if x["state"] == "alive" and x["linked"]} >= ids, timeout=timeout, what="all linked")

    def cluster(self, node):
        status, _, body = node.request("GET", "/api/cluster")
        self.assertEqual(status, 200, body)
        return body

    def by_id(self, node_id):
        return [n for n in self.nodes if n.ready["node_id"] == node_id][0]

    def owner_seen_by(self, node, rid):
        return {r["id"]: r for r in self.cluster(node)["rooms"]}.get(rid, {}).get("owner_node")

    def replicated_room(self, title):
        """A room created through the first node, once every node knows it and its owner."""
        room = self.nodes[0].create_room(title)
        for n in self.nodes:
            n.wait_for(lambda: self.owner_seen_by(n, room["id"]), what="room replicated")
        return room

    def wait_new_origin_parts(self, viewer, url, seen):
        """Polls `url` on `viewer` until it lists parts beyond seen[-1] + 1 with an EXT-X-DISCONTINUITY
        (a new origin's), appending every media sequence number read to `seen`; then asserts they never
        went back."""
        before = seen[-1]

        def new_parts():
            status, _, body = viewer.request("GET", url, timeout=5)
            if status != 200:
                return False
            msn = last_msn(body)
            if msn is not None:
                seen.append(msn)
            return msn is not None and msn > before + 1 and "#EXT-X-DISCONTINUITY" in body
        viewer.wait_for(new_parts, timeout=30, interval=0.2, what="the new origin's parts on the same URL")
        self.assertEqual(seen, sorted(seen), "media sequence went backwards")

    async def say_acked(self, clients, rounds):
        """Each (client, tag) says `rounds` messages, one round every 0.6 s (under the per-connection
        rate limit, docs/chat-protocol.md); returns {seq: text} of every ack."""
        acked = {}
        for c, _ in clients:
            await c.until_type("welcome")
        for i in range(rounds):
            for c, tag in clients:
                cid = f"{tag}{i}"
                await c.send({"type": "msg", "text": f"message {cid}", "client_id": cid})
                ack = await c.until(lambda f: f.get("type") == "ack" and f.get("client_id") == cid)
                acked[ack["seq"]] = f"message {cid}"
            await asyncio.sleep(0.6)
        return acked

    async def resume_everywhere(self, nodes_since, rid, acked, unacked=()):
        """A chatter reconnects to each (node, since) as the web app does (retrying while the node says
        "unavailable"): it gets exactly the acknowledged messages after `since` (plus, possibly, some of
        the `unacked` texts: sent when the connection closed before their ack, which may or may not have
        been stored, docs/chat-protocol.md section 7), and what it says next continues the sequence. Adds
        those to `acked`."""
        last = max(acked)
        for node, since in nodes_since:
            got = None
            deadline = time.time() + 30
            while time.time() < deadline:
                c = await ChatClient.join(node.http, rid, nick="back", since=since)
                try:
                    f = await c.until(lambda f: f.get("type") in ("history", "gap", "error"), timeout=5)
                except Exception:
                    f = None
                if f and f.get("type") == "history":
                    got = c
                    break
                await c.close()  # not reachable yet: the error frame / close 1013 says retry
                await asyncio.sleep(0.5)
            self.assertIsNotNone(got, "chat never came back on " + node.ready["node_id"])
            replayed = {m["seq"]: m["text"] for m in got.frames[-1]["messages"]}
            expected = {s: t for s, t in acked.items() if s > since}
            extra = {s: t for s, t in replayed.items() if s not in expected}
            self.assertEqual({s: t for s, t in replayed.items() if s in expected}, expected, "acked lost")
            self.assertLessEqual(set(extra.values()), set(unacked), "replayed what was never sent")
            self.assertEqual(len(set(replayed.values())), len(replayed), "a message stored twice")
            text = f"still here, since {since}"
            await got.send({"type": "msg", "text": text, "client_id": "n1"})
            ack = await got.until(lambda f: f.get("type") == "ack" and f.get("client_id") == "n1")
            self.assertGreater(ack["seq"], last)  # numbers continue, never reused
            last = ack["seq"]
            acked[last] = text
            await got.close()
