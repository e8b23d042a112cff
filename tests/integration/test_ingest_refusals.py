"""RTMP publishes that must be refused with a status the client prints."""
import unittest

from onair_harness import NodeTestCase, publish


class IngestRefusals(NodeTestCase):
    def test_wrong_key_is_refused_and_ffmpeg_prints_why(self):
        self.node.create_room("Has a key")
        rc, err = publish(f"{self.node.rtmp}/sk_not_a_real_key", seconds=3, timeout=30)
        self.assertNotEqual(rc, 0)
        self.assertIn("invalid stream key", err)

    def test_ended_room_refuses_publish(self):
        room = self.node.create_room("Over")
        status, _, _ = self.node.request("POST", f"/api/rooms/{room['id']}/end", token=self.node.admin_token)
        self.assertEqual(status, 200)
        rc, err = publish(f"{self.node.rtmp}/{room['stream_key']}", seconds=3, timeout=30)
        self.assertNotEqual(rc, 0)
        self.assertIn("ended", err)

    def test_rotated_key_refuses_the_old_key_and_accepts_the_new(self):
        room = self.node.create_room("Rotate")
        status, _, rotated = self.node.request("POST", f"/api/rooms/{room['id']}/rotate-key",
                                               token=self.node.admin_token)
        self.assertEqual(status, 200, rotated)
        self.assertNotEqual(rotated["stream_key"], room["stream_key"])
        rc, err = publish(f"{self.node.rtmp}/{room['stream_key']}", seconds=2, timeout=30)
        self.assertNotEqual(rc, 0)
        rc, err = publish(f"{self.node.rtmp}/{rotated['stream_key']}", seconds=2, timeout=30)
        self.assertEqual(rc, 0, err)

    def test_unknown_app_is_refused(self):
        room = self.node.create_room("App")
        url = self.node.rtmp.replace("/live", "/other") + "/" + room["stream_key"]
        rc, _ = publish(url, seconds=2, timeout=30)
        self.assertNotEqual(rc, 0)


if __name__ == "__main__":
    unittest.main()
