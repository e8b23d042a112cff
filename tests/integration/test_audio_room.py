"""Radio rooms: audio-only RTMP in, audio-only LL-HLS out."""
import unittest

from onair_harness import NodeTestCase, ffprobe_frames, parse_playlist, publish


class AudioRoom(NodeTestCase):
    def test_audio_only_publish_plays_as_audio_only_hls(self):
        room = self.node.create_room("Radio", kind="audio")
        self.assertEqual(room["kind"], "audio")
        rc, err = publish(f"{self.node.rtmp}/{room['stream_key']}", seconds=6, video=False)
        self.assertEqual(rc, 0, err)
        status, headers, text = self.node.request("GET", f"/hls/{room['id']}/audio/index.m3u8")
        self.assertEqual(status, 200, text)
        pl = parse_playlist(text)
        self.assertIn("#EXT-X-PART", pl["tags"])
        part = pl["parts"][-1]
        status, headers, _ = self.node.request("GET", f"/hls/{room['id']}/audio/{part}")
        self.assertEqual(headers["Content-Type"], "audio/mp4")
        master = self.node.request("GET", f"/hls/{room['id']}/master.m3u8")[2]
        self.assertIn("mp4a.40.2", master)
        self.assertNotIn("RESOLUTION", master)
        self.node.request("POST", f"/api/rooms/{room['id']}/end", token=self.node.admin_token)
        frames, stderr, _ = ffprobe_frames(f"{self.node.http}/hls/{room['id']}/master.m3u8")
        self.assertEqual(stderr.strip(), "")
        self.assertNotIn("video", frames)
        self.assertGreaterEqual(frames.get("audio", 0), 5 * 46)

    def test_audio_room_ignores_video_from_publisher(self):
        room = self.node.create_room("Radio with camera", kind="audio")
        rc, err = publish(f"{self.node.rtmp}/{room['stream_key']}", seconds=4)
        self.assertEqual(rc, 0, err)
        self.node.request("POST", f"/api/rooms/{room['id']}/end", token=self.node.admin_token)
        frames, stderr, _ = ffprobe_frames(f"{self.node.http}/hls/{room['id']}/master.m3u8")
        self.assertNotIn("video", frames)
        self.assertGreater(frames.get("audio", 0), 0)


if __name__ == "__main__":
    unittest.main()
