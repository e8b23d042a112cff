"""Live chat end to end against a running node, with a client written outside this project."""
import asyncio
import json
import os
import re
import subprocess
import tempfile
import unittest
import urllib.request

import websockets

from chat_client import ChatClient
from onair_harness import ONAIR_BIN, Node


def run(coro):
    return asyncio.run(coro)


class Chat(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.node = Node()
        out = subprocess.run([ONAIR_BIN, "token", "create", "--data-dir", cls.node.data_dir, "--role", "dj",
                              "--name", "deejay"], stdout=subprocess.PIPE, timeout=30, check=True)
        cls.dj_token = out.stdout.decode().strip()
        cls.node.start()

    @classmethod
    def tearDownClass(cls):
        cls.node.cleanup()

    def room(self):
        return self.node.create_room("Chat room", token=self.dj_token)["id"]

    def test_two_hundred_clients_each_get_every_message_once_in_order(self):
        rid = self.room()

        async def main():
            clients = []
            for i in range(0, 200, 25):  # connect in waves of 25
                clients += await asyncio.gather(*[ChatClient.join(self.node.http, rid, f"c{i + k}") for k in range(25)])
            for c in clients:
                await c.until_type("history")
            senders = clients[:5]
            for s_i, s in enumerate(senders):
                for k in range(5):  # within the per-connection burst
                    await s.send({"type": "msg", "text": f"from {s_i} #{k}", "client_id": f"{s_i}-{k}"})
            expected = 25

            async def collect(c):
                seqs = []
                while len(seqs) < expected:
                    f = await c.recv(timeout=20)
                    if f["type"] == "msg":
                        seqs.append(f["seq"])
                return seqs

            results = await asyncio.gather(*[collect(c) for c in clients])
            for seqs in results:
                self.assertEqual(len(seqs), expected)
                self.assertEqual(len(set(seqs)), expected, "a message arrived twice")
                self.assertEqual(seqs, sorted(seqs), "out of order")
                self.assertEqual(seqs, list(range(seqs[0], seqs[0] + expected)), "a message is missing")
            # Every sender got one ack per message, with the sequence number broadcast for it.
            for s in senders:
                # An ack follows the broadcast of its message, so the last one may still be on its way.
                while len([f for f in s.frames if f["type"] == "ack"]) < 5:
                    await s.recv(timeout=10)
                acks = [f for f in s.frames if f["type"] == "ack"]
                self.assertEqual(sorted(a["client_id"] for a in acks), sorted(f"{senders.index(s)}-{k}" for k in range(5)))
            await asyncio.gather(*[c.close() for c in clients])

        run(main())

    def test_reconnect_with_since_gets_exactly_what_it_missed(self):
        rid = self.room()

        async def main():
            a = await ChatClient.join(self.node.http, rid, "a")
            b = await ChatClient.join(self.node.http, rid, "b")
            await a.until_type("history")
            await b.until_type("history")
            await b.send({"type": "msg", "text": "seen"})
            last_seen = (await a.until_type("msg"))["seq"]
            await a.close()
            for k in range(3):
                await b.send({"type": "msg", "text": f"missed {k}"})
                await b.until_type("ack")
            a2 = await ChatClient.join(self.node.http, rid, "a", since=last_seen)
            replay = await a2.until(lambda f: f["type"] == "history" and f.get("replay"))
            self.assertEqual([m["text"] for m in replay["messages"]], ["missed 0", "missed 1", "missed 2"])
            self.assertEqual([m["seq"] for m in replay["messages"]], [last_seen + 1, last_seen + 2, last_seen + 3])
            await a2.close()
            await b.close()

        run(main())

    def test_bad_inputs_get_documented_answers_and_others_are_unaffected(self):
        rid = self.room()

        async def main():
            bystander = await ChatClient.join(self.node.http, rid, "bystander")
            await bystander.until_type("history")
            c = await ChatClient.join(self.node.http, rid, "tester")
            await c.until_type("history")
            await c.ws.send("{not json")
            self.assertEqual((await c.until_type("error"))["code"], "invalid_json")
            await c.send({"type": "teleport"})
            self.assertEqual((await c.until_type("error"))["code"], "unknown_type")
            await c.send({"type": "msg", "text": "x" * 501})
            self.assertEqual((await c.until_type("error"))["code"], "message_too_long")
            await c.send({"type": "msg", "text": "still connected"})
            self.assertEqual((await c.until_type("ack"))["seq"] > 0, True)
            # Oversize frame: closed with 1009.
            big = await ChatClient.join(self.node.http, rid, "big")
            await big.until_type("history")
            await big.ws.send(json.dumps({"type": "msg", "text": "y" * 10000}))
            self.assertEqual(await big.closed(), 1009)
            # Invalid UTF-8 in a text frame: closed with 1007.
            bad = await ChatClient.join(self.node.http, rid, "bad")
            await bad.until_type("history")
            bad.send_raw_text_frame(b'{"type":"msg","text":"\xff\xfe"}')
            self.assertEqual(await bad.closed(), 1007)
            # A flood: rate-limited frames, then closed with 4029.
            flood = await ChatClient.join(self.node.http, rid, "flood")
            await flood.until_type("history")
            for k in range(40):
                await flood.send({"type": "msg", "text": f"flood {k}"})
            self.assertEqual(await flood.closed(), 4029)
            # A bad token: closed with 4001. An unknown room: closed with 4004.
            tok = await ChatClient.join(self.node.http, rid, token="oat_not_a_token")
            self.assertEqual(await tok.closed(), 4001)
            jwt = await ChatClient.join(self.node.http, rid, token="a.b.c")
            self.assertEqual(await jwt.closed(), 4001)
            nowhere = await ChatClient.join(self.node.http, "no-such-room", "x")
            self.assertEqual(await nowhere.closed(), 4004)
            # The bystander saw the good messages and nothing else broke.
            msg = await bystander.until(lambda f: f["type"] == "msg" and f["text"] == "still connected")
            self.assertEqual(msg["user"]["name"], "tester")
            await bystander.send({"type": "msg", "text": "all fine"})
            await bystander.until_type("ack")
            await bystander.close()
            await c.close()

        run(main())

    def test_dj_moderates_and_jwt_identities_work(self):
        rid = self.room()
        mod_jwt = subprocess.run([ONAIR_BIN, "token", "jwt", "--data-dir", self.node.data_dir, "--sub", "m1",
                                  "--name", "Mo", "--role", "moderator"], stdout=subprocess.PIPE, timeout=30,
                                 check=True).stdout.decode().strip()

        async def main():
            dj = await ChatClient.join(self.node.http, rid, token=self.dj_token)
            welcome = await dj.until_type("welcome")
            self.assertEqual(welcome["you"]["role"], "dj")
            mod = await ChatClient.join(self.node.http, rid, token=mod_jwt)
            self.assertEqual((await mod.until_type("welcome"))["you"]["role"], "moderator")
            troll = await ChatClient.join(self.node.http, rid, "troll")
            troll_id = (await troll.until_type("welcome"))["you"]["id"]
            await troll.send({"type": "msg", "text": "bad words"})
            seq = (await troll.until_type("ack"))["seq"]
            await troll.send({"type": "delete", "seq": seq - 1 if seq > 1 else seq + 100})
            await dj.send({"type": "delete", "seq": seq})
            deleted = await mod.until_type("deleted")
            self.assertEqual(deleted["seq"], seq)
            await mod.send({"type": "mute", "user": troll_id, "seconds": 60})
            await troll.until_type("moderation")
            await troll.send({"type": "msg", "text": "again"})
            self.assertEqual((await troll.until(lambda f: f["type"] == "error" and f["code"] == "muted"))["code"], "muted")
            await mod.send({"type": "ban", "user": troll_id})
            self.assertEqual(await troll.closed(), 1008)
            # The moderator cannot ban the DJ.
            await mod.send({"type": "ban", "user": welcome["you"]["id"]})
            self.assertEqual((await mod.until_type("error"))["code"], "forbidden")
            await dj.close()
            await mod.close()

        run(main())

    def test_reactions_are_aggregated_and_presence_is_reported(self):
        rid = self.room()

        async def main():
            a = await ChatClient.join(self.node.http, rid, "a")
            b = await ChatClient.join(self.node.http, rid, "b")
            await a.until_type("history")
            presence = await b.until_type("presence", timeout=5)
            self.assertGreaterEqual(presence["viewers"], 2)
            for _ in range(10):
                await a.send({"type": "reaction", "emoji": "🔥"})
            total, frames = 0, 0
            while total < 10:
                f = await b.until_type("reactions", timeout=5)
                frames += 1
                total += f["counts"].get("🔥", 0)
            self.assertEqual(total, 10)
            self.assertLess(frames, 10, "reactions must be aggregated, not one frame each")
            await a.close()
            await b.close()

        run(main())

    def test_room_going_live_is_announced(self):
        room = self.node.create_room("Announce", token=self.dj_token)

        async def main():
            c = await ChatClient.join(self.node.http, room["id"], "fan")
            await c.until_type("history")
            from onair_harness import start_publisher
            pub = start_publisher(f"{self.node.rtmp}/{room['stream_key']}", seconds=3)
            try:
                ev = await c.until(lambda f: f["type"] == "system", timeout=15)
                self.assertEqual(ev["event"], "live")
            finally:
                await asyncio.get_running_loop().run_in_executor(None, pub.wait, 30)
            await c.close()

        run(main())


class ChatRestart(unittest.TestCase):
    def test_history_and_sequence_survive_a_restart(self):
        node = Node().start()
        try:
            rid = node.create_room("Durable chat")["id"]

            async def before():
                c = await ChatClient.join(node.http, rid, "early")
                await c.until_type("history")
                for k in range(3):
                    await c.send({"type": "msg", "text": f"kept {k}"})
                    await c.until_type("ack")
                await c.close()

            run(before())
            node.stop()
            node.start()

            async def after():
                c = await ChatClient.join(node.http, rid, "late")
                hist = await c.until_type("history")
                self.assertEqual([m["text"] for m in hist["messages"]], ["kept 0", "kept 1", "kept 2"])
                await c.send({"type": "msg", "text": "next"})
                self.assertEqual((await c.until_type("ack"))["seq"], hist["messages"][-1]["seq"] + 1)
                await c.close()

            run(after())
        finally:
            node.cleanup()


class ChatPerAddressCap(unittest.TestCase):
    def test_connections_beyond_the_per_address_cap_get_429(self):
        with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as cfg:
            cfg.write("[chat]\nmax_connections_per_ip = 3\n")
        self.addCleanup(os.unlink, cfg.name)
        node = Node(extra_args=("--config", cfg.name))
        self.addCleanup(node.cleanup)
        node.start()
        rid = node.create_room("Capped")["id"]

        async def main():
            mine = [await ChatClient.join(node.http, rid, f"c{k}") for k in range(3)]
            for c in mine:
                await c.until_type("history")
            with self.assertRaises(websockets.exceptions.InvalidStatusCode) as refused:
                await ChatClient.join(node.http, rid, "one too many")
            self.assertEqual(refused.exception.status_code, 429)
            # Another address has its own slots, and the three open connections still chat.
            other = await ChatClient.join(node.http, rid, "elsewhere", source="127.0.0.2")
            await other.until_type("history")
            await mine[0].send({"type": "msg", "text": "capped but fine"})
            await mine[0].until_type("ack")
            await other.until(lambda f: f["type"] == "msg" and f["text"] == "capped but fine")
            # A closed connection gives its slot back (once the server has seen the TCP close).
            await mine[0].close()
            again = None
            for _ in range(50):
                try:
                    again = await ChatClient.join(node.http, rid, "again")
                    break
                except websockets.exceptions.InvalidStatusCode as e:
                    self.assertEqual(e.status_code, 429)
                    await asyncio.sleep(0.1)
            self.assertIsNotNone(again, "the closed connection's slot never came back")
            await again.until_type("history")
            for c in mine[1:] + [other, again]:
                await c.close()

        run(main())
        # Operators see the refusals in Prometheus.
        with urllib.request.urlopen(node.http + "/metrics", timeout=10) as r:
            metrics = r.read().decode()
        refused = re.search(r'^onair_chat_upgrades_refused_total\{reason="address_full"\} (\d+)$', metrics, re.M)
        self.assertIsNotNone(refused, metrics)
        self.assertGreaterEqual(int(refused.group(1)), 1)


if __name__ == "__main__":
    unittest.main()
