"""Helpers for integration tests: real onair processes on loopback (port 0 + ready file), HTTP calls,
and ffmpeg/ffprobe as the publisher and the player. Every child process is bounded by a timeout and
ended by PID."""
import json
import os
import resource
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request

ONAIR_BIN = os.environ.get("ONAIR_BIN", os.path.join(os.path.dirname(__file__), "../../build/onair"))
TMP_ROOT = os.environ.get("ONAIR_TEST_TMP", tempfile.gettempdir())


class Node:
    """One `onair node` with its own data dir; start() waits for the ready file."""

    def __init__(self, data_dir=None, extra_args=(), nofile=None, rtmp_port=0, http_port=0):
        """`nofile`: the node's open-files limit (RLIMIT_NOFILE), to run it out of descriptors. Ports are
        0 (any free port) unless a test needs a restarted node at the same address."""
        os.makedirs(TMP_ROOT, exist_ok=True)
        self.workdir = tempfile.mkdtemp(prefix="onair-it-", dir=TMP_ROOT)
        self.data_dir = data_dir or os.path.join(self.workdir, "data")
        self.ready_file = os.path.join(self.workdir, "ready.json")
        self.extra_args = list(extra_args)
        self.nofile = nofile
        self.proc = None
        self.log_path = os.path.join(self.workdir, "node.log")
        self.ports = (rtmp_port, http_port)

    def start(self, timeout=20):
        try:
            return self._start(timeout)
        except BaseException:
            # Never leak a node process when start-up fails half way (ends it by PID).
            if self.proc and self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            raise

    def _start(self, timeout):
        if self.proc and self.proc.poll() is None:  # poll() also reaps a node that exited by itself
            raise RuntimeError("this node is still running")
        if os.path.exists(self.ready_file):
            os.remove(self.ready_file)
        if getattr(self, "log", None) and not self.log.closed:
            self.log.close()  # a restarted node appends to the same log
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [ONAIR_BIN, "node", "--data-dir", self.data_dir, "--bind", "127.0.0.1", "--rtmp-port", str(self.ports[0]),
             "--http-port", str(self.ports[1]), "--ready-file", self.ready_file, "--public-host", "127.0.0.1", *self.extra_args],
            stdout=self.log, stderr=subprocess.STDOUT, preexec_fn=self._limits if self.nofile else None)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"onair exited with {self.proc.returncode}: {self.read_log()}")
            if os.path.exists(self.ready_file):
                with open(self.ready_file) as f:
                    self.ready = json.load(f)
                self.http = f"http://127.0.0.1:{self.ready['http_port']}"
                self.rtmp = f"rtmp://127.0.0.1:{self.ready['rtmp_port']}/live"
                with open(os.path.join(self.data_dir, "admin.token")) as f:
                    self.admin_token = f.read().strip()
                return self
            time.sleep(0.05)
        raise RuntimeError("onair did not become ready: " + self.read_log())

    def _limits(self):
        resource.setrlimit(resource.RLIMIT_NOFILE, (self.nofile, self.nofile))

    def stop(self, sig=signal.SIGTERM, timeout=20):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise RuntimeError("onair did not stop within %ss after signal %s" % (timeout, sig))
        return self.proc.returncode if self.proc else None

    def read_log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")[-4000:]
        except OSError:
            return ""

    def cleanup(self):
        self.stop()
        if getattr(self, "log", None) and not self.log.closed:
            self.log.close()
        shutil.rmtree(self.workdir, ignore_errors=True)

    # --- HTTP -------------------------------------------------------------------------------------
    def request(self, method, path, body=None, token=None, headers=None, raw=None, timeout=15):
        """Returns (status, headers, parsed JSON or text or bytes)."""
        data = raw
        hdrs = dict(headers or {})
        if body is not None:
            data = json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        if token:
            hdrs["Authorization"] = "Bearer " + token
        req = urllib.request.Request(self.http + path, data=data, method=method, headers=hdrs)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, r.headers, decode(r.headers, r.read())
        except urllib.error.HTTPError as e:
            return e.code, e.headers, decode(e.headers, e.read())

    def create_room(self, title="Test room", kind="video", token=None, **extra):
        status, _, body = self.request("POST", "/api/rooms", {"title": title, "kind": kind, **extra},
                                       token=token or self.admin_token)
        assert status == 201, (status, body)
        return body

    def room(self, room_id):
        status, _, body = self.request("GET", f"/api/rooms/{room_id}")
        assert status == 200, (status, body)
        return body

    def wait_for(self, predicate, timeout=20, interval=0.1, what="condition"):
        deadline = time.time() + timeout
        last = None
        while time.time() < deadline:
            last = predicate()
            if last:
                return last
            time.sleep(interval)
        raise AssertionError(f"timed out waiting for {what} (last: {last!r})\n{self.read_log()}")


def decode(headers, data):
    ctype = headers.get("Content-Type", "")
    if "json" in ctype:
        return json.loads(data) if data else None
    if ctype.startswith("text/") or "mpegurl" in ctype:
        return data.decode()
    return data


# --- ffmpeg ---------------------------------------------------------------------------------------
def publish_cmd(url, seconds=10, audio=True, video=True, size="640x360", rate=30, gop=30):
    cmd = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-re"]
    if video:
        cmd += ["-f", "lavfi", "-i", f"testsrc2=size={size}:rate={rate}"]
    if audio:
        cmd += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"]
    cmd += ["-t", str(seconds)]
    if video:
        cmd += ["-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", str(gop),
                "-pix_fmt", "yuv420p", "-b:v", "800k"]
    if audio:
        cmd += ["-c:a", "aac", "-b:a", "96k"]
    cmd += ["-f", "flv", url]
    return cmd


def start_publisher(url, **kw):
    return subprocess.Popen(publish_cmd(url, **kw), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def publish(url, timeout=60, **kw):
    """Publishes to completion; returns (returncode, stderr)."""
    p = subprocess.run(publish_cmd(url, **kw), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=timeout)
    return p.returncode, p.stderr.decode(errors="replace")


def ffprobe_frames(url, timeout=60, read_seconds=None):
    """Decodes every frame of every stream (or the first read_seconds of a live one); returns (frames per
    codec_type, stderr)."""
    bounded = ["-read_intervals", f"%+{read_seconds}"] if read_seconds else []
    p = subprocess.run(
        ["ffprobe", "-v", "error", *bounded, "-count_frames", "-show_entries",
         "stream=codec_type,nb_read_frames,width,height", "-of", "json", url],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    out = json.loads(p.stdout or b"{}")
    frames = {}
    for s in out.get("streams", []):
        frames[s["codec_type"]] = frames.get(s["codec_type"], 0) + int(s.get("nb_read_frames", 0) or 0)
    return frames, p.stderr.decode(errors="replace"), out


def parse_playlist(text):
    """Minimal LL-HLS media playlist reader for assertions."""
    info = {"segments": [], "parts": [], "discontinuities": 0, "tags": set()}
    for line in text.splitlines():
        if line.startswith("#"):
            tag = line.split(":", 1)[0]
            info["tags"].add(tag)
        if line.startswith("#EXT-X-MEDIA-SEQUENCE:"):
            info["media_sequence"] = int(line.split(":", 1)[1])
        elif line.startswith("#EXT-X-PART:"):
            info["parts"].append(re.search(r'URI="([^"]+)"', line).group(1))
        elif line.startswith("#EXT-X-PRELOAD-HINT:"):
            info["preload_hint"] = re.search(r'URI="([^"]+)"', line).group(1)
        elif line.startswith("#EXT-X-DISCONTINUITY") and not line.startswith("#EXT-X-DISCONTINUITY-SEQUENCE"):
            info["discontinuities"] += 1
        elif line.startswith("#EXT-X-TARGETDURATION:"):
            info["target_duration"] = int(line.split(":", 1)[1])
        elif line and not line.startswith("#"):
            info["segments"].append(line)
    return info


def part_numbers(uri):
    """'part12.3.m4s' -> (12, 3)."""
    m = re.match(r"part(\d+)\.(\d+)\.m4s", uri)
    return int(m.group(1)), int(m.group(2))


class NodeTestCase(unittest.TestCase):
    """Starts one fresh node per test class."""
    node_args = ()

    @classmethod
    def setUpClass(cls):
        cls.node = Node(extra_args=cls.node_args)
        try:
            cls.node.start()
        except BaseException:
            cls.node.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.node.cleanup()
