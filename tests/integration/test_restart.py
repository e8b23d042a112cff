"""Durability across restarts and clean shutdown on signals."""
import os
import signal
import unittest

from onair_harness import Node, parse_playlist, publish


class Restart(unittest.TestCase):
    def setUp(self):
        self.node = Node().start()

    def tearDown(self):
        self.node.cleanup()

    def test_rooms_keys_and_numbering_survive_a_restart(self):
        room = self.node.create_room("Durable", description="kept", tags=["a", "b"])
        other = self.node.create_room("Ended before restart")
        self.assertEqual(self.node.request("POST", f"/api/rooms/{other['id']}/end", token=self.node.admin_token)[0], 200)
        rc, err = publish(f"{self.node.rtmp}/{room['stream_key']}", seconds=4)
        self.assertEqual(rc, 0, err)
        before = parse_playlist(self.node.request("GET", f"/hls/{room['id']}/source/index.m3u8")[2])
        last_msn = before["media_sequence"] + len(before["segments"]) - 1
        admin_token = self.node.admin_token

        self.assertEqual(self.node.stop(signal.SIGTERM), 0, self.node.read_log())
        self.assertFalse(os.path.exists(self.node.ready_file), "ready file removed on clean shutdown")
        self.node.start()

        self.assertEqual(self.node.admin_token, admin_token, "admin token is not re-minted")
        kept = self.node.room(room["id"])
        self.assertEqual((kept["title"], kept["description"], kept["tags"], kept["status"]),
                         ("Durable", "kept", ["a", "b"], "ready"))
        self.assertEqual(self.node.room(other["id"])["status"], "ended")
        # The stream key from before the restart still publishes, and numbering moves on, never back.
        rc, err = publish(f"{self.node.rtmp}/{room['stream_key']}", seconds=4)
        self.assertEqual(rc, 0, err)
        after = parse_playlist(self.node.request("GET", f"/hls/{room['id']}/source/index.m3u8")[2])
        self.assertGreater(after["media_sequence"], last_msn)

    def test_sigint_while_publishing_exits_cleanly_and_room_is_ready_after(self):
        from onair_harness import start_publisher
        room = self.node.create_room("Interrupted")
        pub = start_publisher(f"{self.node.rtmp}/{room['stream_key']}", seconds=20)
        try:
            self.node.wait_for(lambda: self.node.room(room["id"])["status"] == "live", what="live")
            self.assertEqual(self.node.stop(signal.SIGINT), 0, self.node.read_log())
        finally:
            pub.wait(timeout=30)
        self.node.start()
        self.assertEqual(self.node.room(room["id"])["status"], "ready")

    def test_second_node_on_same_data_dir_is_refused(self):
        second = Node(data_dir=self.node.data_dir)
        with self.assertRaises(RuntimeError) as ctx:
            second.start(timeout=10)
        self.assertIn("in use", str(ctx.exception))
        second.cleanup()


if __name__ == "__main__":
    unittest.main()
