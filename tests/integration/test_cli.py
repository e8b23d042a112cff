"""The onair command line: --help, --version, token create, bad configuration."""
import os
import stat
import subprocess
import tempfile
import unittest

from onair_harness import ONAIR_BIN, Node


def run(*args, timeout=30):
    p = subprocess.run([ONAIR_BIN, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


class Cli(unittest.TestCase):
    def test_help_and_version(self):
        rc, out, _ = run("--help")
        self.assertEqual(rc, 0)
        self.assertIn("node", out)
        self.assertIn("token", out)
        rc, out, _ = run("node", "--help")
        self.assertEqual(rc, 0)
        for flag in ("--data-dir", "--rtmp-port", "--http-port", "--ready-file", "--config"):
            self.assertIn(flag, out)
        rc, out, _ = run("--version")
        self.assertEqual(rc, 0)
        self.assertRegex(out, r"onair \d+\.\d+\.\d+")

    def test_token_create_prints_a_token_that_authenticates(self):
        node = Node()
        try:
            rc, out, err = run("token", "create", "--data-dir", node.data_dir, "--role", "dj", "--name", "carol")
            self.assertEqual(rc, 0, err)
            token = out.strip()
            self.assertTrue(token.startswith("oat_"))
            node.start()
            mode = stat.S_IMODE(os.stat(os.path.join(node.data_dir, "admin.token")).st_mode)
            self.assertEqual(mode, 0o600)
            room = node.create_room("Carol's", token=token)
            self.assertEqual(room["owner"], "carol")
            # While the node runs, the CLI is told clearly that the data dir is busy.
            rc, _, err = run("token", "create", "--data-dir", node.data_dir, "--role", "dj", "--name", "dave")
            self.assertNotEqual(rc, 0)
            self.assertIn("in use", err)
        finally:
            node.cleanup()

    def test_bad_role_and_bad_config_are_refused(self):
        rc, _, err = run("token", "create", "--data-dir", "/tmp/x", "--role", "god", "--name", "x")
        self.assertNotEqual(rc, 0)
        with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as f:
            f.write("[hls]\npart_targt = 0.5\n")
        try:
            rc, _, err = run("node", "--config", f.name, "--data-dir", "/tmp/onair-never-created")
            self.assertEqual(rc, 2)
            self.assertIn("part_targt", err)
        finally:
            os.unlink(f.name)
        rc, _, err = run("node", "--part-target", "5", "--data-dir", "/tmp/onair-never-created")
        self.assertEqual(rc, 2)
        self.assertIn("part target", err)

    def test_config_file_sets_hls_timing(self):
        with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as f:
            f.write("[hls]\npart_target = 0.5\nsegment_target = 3.0\nwindow_segments = 4\n")
        node = Node(extra_args=("--config", f.name))
        try:
            node.start()
            room = node.create_room("Configured")
            from onair_harness import publish
            rc, err = publish(f"{node.rtmp}/{room['stream_key']}", seconds=5)
            self.assertEqual(rc, 0, err)
            text = node.request("GET", f"/hls/{room['id']}/source/index.m3u8")[2]
            self.assertIn("PART-TARGET=0.5", text)
            self.assertIn("#EXT-X-TARGETDURATION:3", text)
        finally:
            node.cleanup()
            os.unlink(f.name)


if __name__ == "__main__":
    unittest.main()
