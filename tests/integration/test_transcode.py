"""Adaptive bitrate (issue #5): renditions transcoded in-process, aligned segments, audio rooms, thumbnails,
ladders per room, and a publisher that changes resolution mid-stream."""
import os
import re
import struct
import subprocess
import tempfile
import unittest

from onair_harness import NodeTestCase, ffprobe_frames, publish, publish_cmd, start_publisher

ATTRS = ("BANDWIDTH", "AVERAGE-BANDWIDTH", "CODECS")


def variants(master):
    """[(attributes dict, uri)] of a master playlist."""
    out = []
    lines = master.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("#EXT-X-STREAM-INF:"):
            attrs = dict(re.findall(r'([A-Z-]+)=("[^"]*"|[^,]*)', line.split(":", 1)[1]))
            out.append(({k: v.strip('"') for k, v in attrs.items()}, lines[i + 1]))
    return out


def first_video_pts(init, segment):
    """pts_time of the first video packet of an fMP4 segment (with its init segment), via ffprobe."""
    with tempfile.NamedTemporaryFile(suffix=".mp4") as f:
        f.write(init + segment)
        f.flush()
        p = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time",
                            "-read_intervals", "%+#1", "-of", "csv=p=0", f.name],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
        return float(p.stdout.decode().split()[0])


def jpeg_size(data):
    """(width, height) from a baseline JPEG's SOF0 marker."""
    i = 2
    while i < len(data):
        marker, length = data[i + 1], struct.unpack(">H", data[i + 2:i + 4])[0]
        if marker in (0xC0, 0xC2):
            h, w = struct.unpack(">HH", data[i + 5:i + 9])
            return w, h
        i += 2 + length
    return None


class Transcode(NodeTestCase):
    def test_720p_source_gets_aligned_renditions_and_a_thumbnail(self):
        room = self.node.create_room("ABR")
        rid = room["id"]
        pub = start_publisher(f"{self.node.rtmp}/{room['stream_key']}", seconds=9, size="1280x720", gop=30)
        try:
            # While live, the room API says which renditions are live.
            view = self.node.wait_for(lambda: (lambda v: v if len(v["renditions"]) == 3 else None)(self.node.room(rid)),
                                      timeout=20, what="three live renditions")
            self.assertEqual(view["renditions"], ["source", "480p", "360p"])
            self.assertEqual(view["transcoding"], "")
            # Ingest statistics of the live stream (the admin page shows them).
            stream = self.node.wait_for(lambda: self.node.room(rid)["stream"], timeout=10, what="stream stats")
            self.assertGreater(stream["ingest_kbps"], 100)
            self.assertAlmostEqual(stream["fps"], 30, delta=6)
            self.assertEqual(stream["dropped_frames"], 0)
            self.assertEqual(pub.wait(timeout=60), 0, pub.stderr.read().decode())
        finally:
            if pub.poll() is None:
                pub.kill()
                pub.wait()
        self.assertEqual(self.node.room(rid)["renditions"], [])  # not live any more
        self.assertIsNone(self.node.room(rid)["stream"])
        status, _, master = self.node.request("GET", f"/hls/{rid}/master.m3u8")
        self.assertEqual(status, 200, master)
        vs = variants(master)
        self.assertEqual([uri.split("/")[0] for _, uri in vs], ["source", "480p", "360p"], master)
        for attrs, uri in vs:
            for a in ATTRS:
                self.assertIn(a, attrs, uri)
            self.assertIn("RESOLUTION", attrs)
            self.assertIn("FRAME-RATE", attrs)
        self.assertEqual(vs[1][0]["RESOLUTION"], "854x480")
        self.assertEqual(vs[2][0]["RESOLUTION"], "640x360")
        view = self.node.room(rid)
        self.assertTrue(view["thumbnail_url"].endswith(f"/api/rooms/{rid}/thumbnail.jpg"))
        listed = self.node.request("GET", "/api/rooms")[2]["rooms"]
        self.assertEqual([r["thumbnail_url"] for r in listed if r["id"] == rid], [view["thumbnail_url"]])

        # Same segments at the same presentation times in every rendition.
        inits, segs = {}, {}
        for _, uri in vs:
            name = uri.split("/")[0]
            pl = self.node.request("GET", f"/hls/{rid}/{name}/index.m3u8")[2]
            init = re.search(r'#EXT-X-MAP:URI="([^"]+)"', pl).group(1)
            inits[name] = self.node.request("GET", f"/hls/{rid}/{name}/{init}")[2]
            segs[name] = [l for l in pl.splitlines() if l.startswith("seg")]
        common = set(segs["source"]) & set(segs["480p"]) & set(segs["360p"])
        self.assertGreaterEqual(len(common), 2, segs)
        self.assertEqual(segs["source"], segs["480p"])
        for seg in sorted(common):
            pts = {n: first_video_pts(inits[n], self.node.request("GET", f"/hls/{rid}/{n}/{seg}")[2]) for n in segs}
            self.assertAlmostEqual(pts["480p"], pts["source"], delta=0.002, msg=(seg, pts))
            self.assertAlmostEqual(pts["360p"], pts["source"], delta=0.002, msg=(seg, pts))

        # Every rendition decodes to the end (the room ends: EXT-X-ENDLIST).
        self.node.request("POST", f"/api/rooms/{rid}/end", token=self.node.admin_token)
        for _, uri in vs:
            frames, err, out = ffprobe_frames(f"{self.node.http}/hls/{rid}/{uri}")
            self.assertGreater(frames.get("video", 0), 100, (uri, err))
            self.assertGreater(frames.get("audio", 0), 100, (uri, err))

        # Thumbnail: a JPEG 320 pixels wide with the source's aspect ratio.
        status, headers, jpeg = self.node.request("GET", f"/api/rooms/{rid}/thumbnail.jpg")
        self.assertEqual(status, 200)
        self.assertEqual(headers["Content-Type"], "image/jpeg")
        self.assertEqual(jpeg[:2], b"\xff\xd8")
        self.assertEqual(jpeg[-2:], b"\xff\xd9")
        self.assertEqual(jpeg_size(jpeg), (320, 180))

    def test_room_ladder_and_unknown_rendition(self):
        status, _, body = self.node.request("POST", "/api/rooms", {"title": "x", "ladder": ["1080p"]},
                                            token=self.node.admin_token)
        self.assertEqual(status, 422, body)
        self.assertIn("1080p", body["error"]["message"])
        room = self.node.create_room("Only 360p", ladder=["360p"])
        self.assertEqual(room["ladder"], ["360p"])
        rc, err = publish(f"{self.node.rtmp}/{room['stream_key']}", seconds=5, size="1280x720")
        self.assertEqual(rc, 0, err)
        master = self.node.request("GET", f"/hls/{room['id']}/master.m3u8")[2]
        self.assertEqual([uri.split("/")[0] for _, uri in variants(master)], ["source", "360p"])
        # Passthrough only, chosen per room.
        status, _, body = self.node.request("PATCH", f"/api/rooms/{room['id']}", {"ladder": []},
                                            token=self.node.admin_token)
        self.assertEqual(status, 200, body)
        self.assertEqual(body["ladder"], [])
        status, _, body = self.node.request("PATCH", f"/api/rooms/{room['id']}", {"ladder": "360p"},
                                            token=self.node.admin_token)
        self.assertEqual(status, 422, body)

    def test_audio_room_gets_aac_rungs(self):
        room = self.node.create_room("Radio ABR", kind="audio")
        rc, err = publish(f"{self.node.rtmp}/{room['stream_key']}", seconds=6, video=False)
        self.assertEqual(rc, 0, err)
        rid = room["id"]
        vs = variants(self.node.request("GET", f"/hls/{rid}/master.m3u8")[2])
        self.assertEqual([uri.split("/")[0] for _, uri in vs], ["audio", "aac128", "aac64"])
        self.assertNotIn("RESOLUTION", vs[1][0])
        self.assertLess(int(vs[2][0]["AVERAGE-BANDWIDTH"]), int(vs[1][0]["AVERAGE-BANDWIDTH"]))
        self.node.request("POST", f"/api/rooms/{rid}/end", token=self.node.admin_token)
        for _, uri in vs:
            frames, err, _ = ffprobe_frames(f"{self.node.http}/hls/{rid}/{uri}")
            self.assertNotIn("video", frames)
            self.assertGreater(frames.get("audio", 0), 100, (uri, err))
        self.assertEqual(self.node.request("GET", f"/api/rooms/{rid}/thumbnail.jpg")[0], 404)

    def test_video_room_with_an_audio_only_publisher_plays_audio(self):
        room = self.node.create_room("Camera off")
        rc, err = publish(f"{self.node.rtmp}/{room['stream_key']}", seconds=5, video=False)
        self.assertEqual(rc, 0, err)
        self.node.request("POST", f"/api/rooms/{room['id']}/end", token=self.node.admin_token)
        frames, err, _ = ffprobe_frames(f"{self.node.http}/hls/{room['id']}/master.m3u8")
        self.assertNotIn("video", frames)
        self.assertGreater(frames.get("audio", 0), 100, err)

    def test_a_codec_we_cannot_decode_is_reported_and_the_rest_passes_through(self):
        room = self.node.create_room("Old encoder")
        rid = room["id"]
        # Sorenson H.263 ("flv1") video with AAC audio: the video is dropped, the audio goes on.
        cmd = publish_cmd(f"{self.node.rtmp}/{room['stream_key']}", seconds=8)
        cmd[cmd.index("libx264")] = "flv"
        for opt in ("-preset", "-tune"):
            i = cmd.index(opt)
            del cmd[i:i + 2]
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            view = self.node.wait_for(lambda: (lambda v: v if v["transcoding"] else None)(self.node.room(rid)),
                                      timeout=20, what="a room status")
            self.assertIn("video dropped", view["transcoding"])
            self.assertIn("H.264", view["transcoding"])
            self.assertEqual(view["status"], "live")
            self.assertEqual(p.wait(timeout=60), 0, p.stderr.read().decode())
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        self.node.request("POST", f"/api/rooms/{rid}/end", token=self.node.admin_token)
        frames, err, _ = ffprobe_frames(f"{self.node.http}/hls/{rid}/master.m3u8")
        self.assertGreater(frames.get("audio", 0), 100, err)
        self.assertIn("video dropped", self.node.read_log())

    def test_resolution_change_mid_stream_keeps_every_rendition_playing(self):
        room = self.node.create_room("Switching cameras")
        rid = room["id"]
        work = tempfile.mkdtemp(dir=self.node.workdir)
        # Two encodes spliced into one FLV: 1280x720 for 4 s, then 640x360 with a new AVC sequence header.
        parts = []
        for i, size in enumerate(("1280x720", "640x360")):
            path = os.path.join(work, f"p{i}.flv")
            cmd = publish_cmd(path, seconds=4, size=size)
            cmd.remove("-re")
            subprocess.run(cmd, check=True, timeout=60)
            parts.append(path)
        spliced = os.path.join(work, "spliced.flv")
        splice_flv(parts, spliced)
        p = subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-re", "-i", spliced, "-c", "copy",
                            "-f", "flv", f"{self.node.rtmp}/{room['stream_key']}"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.node.request("POST", f"/api/rooms/{rid}/end", token=self.node.admin_token)
        log = self.node.read_log()
        self.assertIn("changed its video config", log)
        for name in ("source", "480p", "360p"):
            frames, err, _ = ffprobe_frames(f"{self.node.http}/hls/{rid}/{name}/index.m3u8")
            self.assertGreater(frames.get("video", 0), 60, (name, err))
        # After the switch to 360p the 480p and 360p rungs are at or above the source: passthrough only.
        self.assertEqual(self.node.room(rid)["status"], "ended")


class TranscodeCapacity(NodeTestCase):
    node_args = ("--max-ladders", "1")

    def test_a_room_beyond_capacity_is_passthrough_only_and_says_so(self):
        a = self.node.create_room("First")
        b = self.node.create_room("Second")
        pa = start_publisher(f"{self.node.rtmp}/{a['stream_key']}", seconds=14, size="1280x720")
        pb = None
        try:
            self.node.wait_for(lambda: len(self.node.room(a["id"])["renditions"]) == 3, timeout=20, what="a transcoded")
            pb = start_publisher(f"{self.node.rtmp}/{b['stream_key']}", seconds=6, size="1280x720")
            view = self.node.wait_for(lambda: (lambda v: v if v["renditions"] else None)(self.node.room(b["id"])),
                                      timeout=20, what="b live")
            self.assertEqual(view["renditions"], ["source"])
            self.assertIn("no transcoding capacity", view["transcoding"])
            self.assertEqual(pb.wait(timeout=60), 0)
            self.assertEqual(len(self.node.room(a["id"])["renditions"]), 3)  # the first room kept its ladder
        finally:
            for p in (pa, pb):
                if p and p.poll() is None:
                    p.kill()
                    p.wait()


def splice_flv(paths, out_path):
    """Concatenates FLV files tag by tag, shifting timestamps so the second follows the first; each
    file's sequence headers stay in place (a publisher that switches encoders mid-stream)."""
    out = bytearray()
    offset = 0
    for n, path in enumerate(paths):
        with open(path, "rb") as f:
            data = f.read()
        header_len = struct.unpack(">I", data[5:9])[0]
        if n == 0:
            out += data[:header_len] + b"\0\0\0\0"
        i = header_len + 4
        last = 0
        while i + 11 <= len(data):
            tag_type = data[i]
            size = int.from_bytes(data[i + 1:i + 4], "big")
            ts = int.from_bytes(data[i + 4:i + 7], "big") | (data[i + 7] << 24)
            body = data[i + 11:i + 11 + size]
            if tag_type == 18 and n > 0:  # keep only the first onMetaData
                i += 11 + size + 4
                continue
            t = ts + offset
            last = max(last, ts)
            tag = bytes([tag_type]) + size.to_bytes(3, "big") + (t & 0xFFFFFF).to_bytes(3, "big") + bytes([t >> 24]) + b"\0\0\0"
            out += tag + body + (11 + size).to_bytes(4, "big")
            i += 11 + size + 4
        offset += last + 40
    with open(out_path, "wb") as f:
        f.write(bytes(out))


if __name__ == "__main__":
    unittest.main()
