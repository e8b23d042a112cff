"""RTMP in, LL-HLS out, end to end: ffmpeg publishes, ffprobe and raw HTTP play."""
import threading
import time
import unittest
import urllib.request

from onair_harness import (NodeTestCase, ffprobe_frames, parse_playlist, part_numbers, publish, start_publisher)


class PublishAndPlay(NodeTestCase):
    node_args = ("--viewer-timeout-ms", "2000")

    def test_ten_seconds_published_decode_as_at_least_nine_seconds(self):
        room = self.node.create_room("Ten seconds")
        self.assertEqual(room["status"], "ready")
        self.assertTrue(room["stream_key"].startswith("sk_"))
        rc, err = publish(f"{self.node.rtmp}/{room['stream_key']}", seconds=10)
        self.assertEqual(rc, 0, err)
        # End the room so the playlist gets EXT-X-ENDLIST and ffprobe reads the whole window.
        status, _, body = self.node.request("POST", f"/api/rooms/{room['id']}/end", token=self.node.admin_token)
        self.assertEqual(status, 200, body)
        self.assertEqual(body["status"], "ended")
        url = f"{self.node.http}/hls/{room['id']}/master.m3u8"
        frames, stderr, _ = ffprobe_frames(url)
        self.assertEqual(stderr.strip(), "", "ffprobe reported errors")
        self.assertGreaterEqual(frames.get("video", 0), 9 * 30, frames)   # 30 fps
        self.assertGreaterEqual(frames.get("audio", 0), 9 * 46, frames)   # 48 kHz AAC: ~46.9 frames/s

    def test_live_playlist_has_ll_hls_tags_and_blocking_reload_returns_next_part(self):
        room = self.node.create_room("Blocking reload")
        pub = start_publisher(f"{self.node.rtmp}/{room['stream_key']}", seconds=12)
        try:
            media_url = f"/hls/{room['id']}/source/index.m3u8"
            self.node.wait_for(lambda: self.node.request("GET", media_url)[0] == 200, what="playlist")
            self.node.wait_for(lambda: parse_playlist(self.node.request("GET", media_url)[2])["segments"],
                               what="first complete segment")
            status, headers, text = self.node.request("GET", media_url)
            self.assertEqual(status, 200)
            self.assertEqual(headers["Content-Type"], "application/vnd.apple.mpegurl")
            self.assertEqual(headers["Access-Control-Allow-Origin"], "*")
            pl = parse_playlist(text)
            for tag in ("#EXT-X-PART-INF", "#EXT-X-SERVER-CONTROL", "#EXT-X-PROGRAM-DATE-TIME", "#EXT-X-PART",
                        "#EXT-X-PRELOAD-HINT", "#EXT-X-MAP", "#EXT-X-TARGETDURATION", "#EXT-X-MEDIA-SEQUENCE"):
                self.assertIn(tag, pl["tags"], text)
            self.assertIn("CAN-BLOCK-RELOAD=YES", text)
            self.assertIn("PART-HOLD-BACK=", text)

            # Ask for the hinted part: the server parks the request until that part exists.
            msn, part = part_numbers(pl["preload_hint"])
            t0 = time.time()
            status, _, text2 = self.node.request("GET", f"{media_url}?_HLS_msn={msn}&_HLS_part={part}")
            self.assertEqual(status, 200)
            self.assertIn(pl["preload_hint"], parse_playlist(text2)["parts"], text2)
            self.assertLess(time.time() - t0, 3.0)

            # A request far beyond the live edge is refused (RFC 8216bis 6.2.5.2).
            status, _, body = self.node.request("GET", f"{media_url}?_HLS_msn={msn + 10}")
            self.assertEqual(status, 400, body)
            # _HLS_part without _HLS_msn is a bad request.
            status, _, _ = self.node.request("GET", f"{media_url}?_HLS_part=1")
            self.assertEqual(status, 400)

            # Parts and the init segment: CMAF bytes, immutable caching.
            part_uri = parse_playlist(text2)["parts"][-1]
            status, headers, data = self.node.request("GET", f"/hls/{room['id']}/source/{part_uri}")
            self.assertEqual(status, 200)
            self.assertEqual(headers["Content-Type"], "video/mp4")
            self.assertIn("immutable", headers["Cache-Control"])
            self.assertIn(b"moof", data[:64])

            # The room is live and counts this test as a viewer (it fetched playlists).
            self.node.request("GET", f"/hls/{room['id']}/master.m3u8")
            self.node.wait_for(lambda: self.node.room(room["id"])["viewers"] >= 1, what="viewer counted")
            self.assertEqual(self.node.room(room["id"])["status"], "live")
        finally:
            pub.wait(timeout=60)
        self.node.wait_for(lambda: self.node.room(room["id"])["status"] == "ready", what="room ready after unpublish")
        # Nobody fetched for longer than the idle timeout: no viewers.
        self.node.wait_for(lambda: self.node.room(room["id"])["viewers"] == 0, timeout=10, what="viewer expired")

    def test_live_playback_while_publishing(self):
        room = self.node.create_room("Watch live")
        pub = start_publisher(f"{self.node.rtmp}/{room['stream_key']}", seconds=14)
        try:
            url = f"{self.node.http}/hls/{room['id']}/master.m3u8"
            self.node.wait_for(lambda: self.node.request("GET", f"/hls/{room['id']}/master.m3u8")[0] == 200,
                               what="master playlist")
            import subprocess
            p = subprocess.run(["ffmpeg", "-hide_banner", "-v", "error", "-live_start_index", "-2", "-i", url,
                                "-t", "4", "-f", "null", "-"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=40)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(p.stderr.decode().strip(), "")
        finally:
            pub.wait(timeout=60)

    def test_republish_continues_media_sequence_with_discontinuity(self):
        room = self.node.create_room("Twice")
        url = f"{self.node.rtmp}/{room['stream_key']}"
        media_url = f"/hls/{room['id']}/source/index.m3u8"
        rc, err = publish(url, seconds=5)
        self.assertEqual(rc, 0, err)
        first = parse_playlist(self.node.request("GET", media_url)[2])
        self.node.wait_for(lambda: self.node.room(room["id"])["status"] == "ready", what="ready")
        rc, err = publish(url, seconds=5)
        self.assertEqual(rc, 0, err)
        second = parse_playlist(self.node.request("GET", media_url)[2])
        self.assertGreaterEqual(second["discontinuities"], 1)
        self.assertGreaterEqual(second["media_sequence"], first["media_sequence"])
        # Segment names never repeat: every name of the first session that is still listed is unchanged,
        # and the new session's segments come after the old ones.
        old_last = first["segments"][-1]
        self.assertIn(old_last, second["segments"])
        self.assertGreater(len(second["segments"][second["segments"].index(old_last) + 1:]), 0)

    def test_second_publisher_with_same_key_replaces_the_first(self):
        room = self.node.create_room("Reconnect")
        url = f"{self.node.rtmp}/{room['stream_key']}"
        first = start_publisher(url, seconds=30)
        try:
            self.node.wait_for(lambda: self.node.room(room["id"])["status"] == "live", what="first live")
            time.sleep(1)
            second = start_publisher(url, seconds=4)
            # The older connection is closed by the server: its ffmpeg ends long before its 30 s.
            first.wait(timeout=15)
            rc = second.wait(timeout=30)
            self.assertEqual(rc, 0, second.stderr.read().decode())
        finally:
            if first.poll() is None:
                first.kill()
                first.wait()


if __name__ == "__main__":
    unittest.main()
