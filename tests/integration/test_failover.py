"""Lose a node, keep the show (issue #13): three onair processes on loopback in two regions, killed with
SIGKILL as a crash would. The owner's death: changes work again through the survivors, every node agrees
on one new owner, and no acknowledged chat message is lost (chatters of the dead node and of a survivor
reconnect and resume with `since`). The origin's death: the encoder reconnects to a survivor and viewers
of the other nodes keep one playlist URL whose media sequence never goes back."""
import asyncio
import signal
import time
import unittest

from chat_client import ChatClient
from cluster_harness import ClusterCase, last_msn
from onair_harness import start_publisher


class Failover(ClusterCase):
    def test_kill_the_owner_changes_work_again_and_no_acked_chat_is_lost(self):
        rid = self.replicated_room("Owner dies")["id"]
        owner = self.by_id(self.owner_seen_by(self.nodes[0], rid))
        survivors = [n for n in self.nodes if n is not owner]
        asyncio.run(self.owner_dies(owner, survivors, rid))

    async def owner_dies(self, owner, survivors, rid):
        acked = await self.chat_before(owner, survivors[0], rid)
        self.assertEqual(len(acked), 20)
        owner.stop(signal.SIGKILL)
        killed_at = time.time()
        # A change through a survivor works again once a survivor owns the room (503 until then).
        async def patched():
            while time.time() - killed_at < 30:
                status, _, _ = survivors[1].request("PATCH", f"/api/rooms/{rid}", {"title": "After the crash"},
                                                    token=survivors[1].admin_token, timeout=5)
                if status == 200:
                    return True
                self.assertEqual(status, 503)  # never a wrong answer meanwhile
                await asyncio.sleep(0.25)
            return False
        self.assertTrue(await patched(), "PATCH through a survivor never worked again")
        print(f"\n[failover] changes work again {time.time() - killed_at:.1f} s after kill -9 of the owner")
        # Every survivor names the same new owner, a survivor, and sees the change.
        new_owners = {self.owner_seen_by(n, rid) for n in survivors}
        self.assertEqual(len(new_owners), 1, new_owners)
        self.assertIn(new_owners.pop(), {n.ready["node_id"] for n in survivors})
        for n in survivors:
            n.wait_for(lambda: n.room(rid)["title"] == "After the crash", what="change replicated")
        await self.chat_after(survivors, rid, acked)
        for verb in ("rotate-key", "end"):
            status, _, body = survivors[0].request("POST", f"/api/rooms/{rid}/{verb}", token=survivors[0].admin_token)
            self.assertEqual(status, 200, body)

    async def chat_before(self, owner, survivor, rid):
        """Ten acknowledged messages from a chatter on the owner and ten from one on a survivor (behind
        its relay); returns {seq: text} of every ack."""
        self.on_owner = await ChatClient.join(owner.http, rid, nick="on-owner")
        self.on_survivor = await ChatClient.join(survivor.http, rid, nick="on-survivor")
        return await self.say_acked([(self.on_owner, "o"), (self.on_survivor, "s")], 10)

    async def chat_after(self, survivors, rid, acked):
        # The survivor's connection is told to reconnect (1012), not left open on a dead channel.
        code = await self.on_survivor.closed(timeout=15)
        self.assertIn(code, (1012, 1013, 1001), code)
        await self.resume_everywhere([(survivors[0], 0), (survivors[1], 5)], rid, acked)
        await self.on_owner.ws.close()

    def test_kill_the_origin_and_reconnect_the_encoder_to_a_survivor(self):
        room = self.replicated_room("Origin dies")
        rid = room["id"]
        owner_id = self.owner_seen_by(self.nodes[0], rid)
        # The encoder goes to a node that does not own the room, so the owner outlives the origin.
        origin = [n for n in self.nodes if n.ready["node_id"] != owner_id][0]
        viewer = [n for n in self.nodes if n is not origin][0]
        other = [n for n in self.nodes if n is not origin and n is not viewer][0]
        self.publishers.append(start_publisher(f"{origin.rtmp}/{room['stream_key']}", seconds=60))
        url = f"/hls/{rid}/source/index.m3u8"
        viewer.wait_for(lambda: viewer.request("GET", url)[0] == 200 and (last_msn(viewer.request("GET", url)[2]) or 0) >= 2,
                        timeout=30, what="edge playlist on the viewer's node")
        seen = [last_msn(viewer.request("GET", url)[2])]
        origin.stop(signal.SIGKILL)
        self.publishers[0].kill()
        time.sleep(2)  # OBS's reconnect delay
        self.publishers.append(start_publisher(f"{other.rtmp}/{room['stream_key']}", seconds=60))
        reconnected = time.time()
        self.wait_new_origin_parts(viewer, url, seen)
        print(f"\n[failover] viewer's node serves the new origin {time.time() - reconnected:.1f} s after the reconnect")
        self.assertEqual(self.cluster(viewer)["rooms"][0]["status"] if len(self.cluster(viewer)["rooms"]) == 1
                         else "live", "live")
        origin_now = {r["id"]: r for r in self.cluster(viewer)["rooms"]}[rid]["origin_node"]
        self.assertEqual(origin_now, other.ready["node_id"])


if __name__ == "__main__":
    unittest.main()
