"""The rooms API over HTTP: happy paths, search, pagination, permissions and every documented error."""
import subprocess
import unittest

from onair_harness import ONAIR_BIN, Node, NodeTestCase


class RoomsApi(NodeTestCase):
    @classmethod
    def setUpClass(cls):
        # Two DJ tokens made with the CLI before the node starts (the CLI needs the data dir unlocked).
        cls.node = Node()
        cls.dj = {}
        for name in ("alice", "bob"):
            out = subprocess.run([ONAIR_BIN, "token", "create", "--data-dir", cls.node.data_dir, "--role", "dj",
                                  "--name", name], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
            assert out.returncode == 0, out.stderr
            cls.dj[name] = out.stdout.decode().strip()
        cls.node.start()

    def error(self, status, body, code):
        self.assertIsInstance(body, dict, body)
        self.assertIn("error", body)
        self.assertEqual(body["error"]["code"], code, body)
        self.assertTrue(body["error"]["message"])

    def test_create_returns_key_and_urls_once(self):
        room = self.node.create_room("DJ set", token=self.dj["alice"], description="deep house", tags=["house"])
        for field in ("id", "title", "kind", "status", "stream_key", "rtmp_url", "hls_url", "created_at"):
            self.assertIn(field, room)
        self.assertEqual(room["owner"], "alice")
        self.assertEqual(room["rtmp_url"], f"rtmp://127.0.0.1:{self.node.ready['rtmp_port']}/live")
        self.assertTrue(room["hls_url"].endswith(f"/hls/{room['id']}/master.m3u8"))
        fetched = self.node.room(room["id"])
        self.assertNotIn("stream_key", fetched)
        self.assertEqual(fetched["title"], "DJ set")

    def test_list_filters_search_and_paginates(self):
        ids = [self.node.create_room(f"Paginate {i}", token=self.dj["alice"], tags=["zzpage"])["id"] for i in range(5)]
        status, _, page = self.node.request("GET", "/api/rooms?q=ZZPAGE&limit=2")
        self.assertEqual(status, 200)
        seen = [r["id"] for r in page["rooms"]]
        self.assertEqual(len(seen), 2)
        while page["next_cursor"]:
            status, _, page = self.node.request("GET", f"/api/rooms?q=zzpage&limit=2&cursor={page['next_cursor']}")
            self.assertEqual(status, 200)
            seen += [r["id"] for r in page["rooms"]]
        self.assertEqual(sorted(seen), sorted(ids))
        self.assertEqual(len(seen), len(set(seen)))
        for r in self.node.request("GET", "/api/rooms?q=zzpage")[2]["rooms"]:
            self.assertIn("viewers", r)
            self.assertNotIn("stream_key", r)
        status, _, live = self.node.request("GET", "/api/rooms?status=live&q=zzpage")
        self.assertEqual(live["rooms"], [])
        status, _, found = self.node.request("GET", "/api/rooms?q=paginate%203")
        self.assertEqual([r["title"] for r in found["rooms"]], ["Paginate 3"])

    def test_search_matches_description_case_insensitively(self):
        self.node.create_room("Quiet", token=self.dj["bob"], description="Ambient DRONES at dawn")
        status, _, found = self.node.request("GET", "/api/rooms?q=drones")
        self.assertEqual(status, 200)
        self.assertIn("Quiet", [r["title"] for r in found["rooms"]])

    def test_patch_end_rotate_delete_by_owner(self):
        room = self.node.create_room("Mine", token=self.dj["alice"])
        status, _, body = self.node.request("PATCH", f"/api/rooms/{room['id']}", {"title": "Renamed"},
                                            token=self.dj["alice"])
        self.assertEqual((status, body["title"]), (200, "Renamed"))
        status, _, body = self.node.request("POST", f"/api/rooms/{room['id']}/rotate-key", token=self.dj["alice"])
        self.assertEqual(status, 200)
        self.assertIn("stream_key", body)
        status, _, body = self.node.request("POST", f"/api/rooms/{room['id']}/end", token=self.dj["alice"])
        self.assertEqual((status, body["status"]), (200, "ended"))
        status, _, body = self.node.request("GET", "/api/rooms?status=ended")
        self.assertIn(room["id"], [r["id"] for r in body["rooms"]])
        status, _, _ = self.node.request("DELETE", f"/api/rooms/{room['id']}", token=self.dj["alice"])
        self.assertEqual(status, 204)
        status, _, body = self.node.request("GET", f"/api/rooms/{room['id']}")
        self.assertEqual(status, 404)
        self.error(status, body, "not_found")

    def test_errors(self):
        room = self.node.create_room("Alice's", token=self.dj["alice"])
        rid = room["id"]
        # 400: malformed JSON
        status, headers, body = self.node.request("POST", "/api/rooms", raw=b"{not json",
                                                  headers={"Content-Type": "application/json"},
                                                  token=self.dj["alice"])
        self.assertEqual(status, 400)
        self.error(status, body, "bad_request")
        self.assertEqual(headers["Access-Control-Allow-Origin"], "*")
        # 400: bad query parameter
        status, _, body = self.node.request("GET", "/api/rooms?limit=abc")
        self.assertEqual(status, 400)
        # 401: no token, unknown token
        status, _, body = self.node.request("POST", "/api/rooms", {"title": "x", "kind": "video"})
        self.assertEqual(status, 401)
        self.error(status, body, "unauthorized")
        status, _, body = self.node.request("POST", "/api/rooms", {"title": "x", "kind": "video"}, token="oat_nope")
        self.assertEqual(status, 401)
        # 403: another DJ's room
        status, _, body = self.node.request("PATCH", f"/api/rooms/{rid}", {"title": "mine now"}, token=self.dj["bob"])
        self.assertEqual(status, 403)
        self.error(status, body, "forbidden")
        status, _, _ = self.node.request("DELETE", f"/api/rooms/{rid}", token=self.dj["bob"])
        self.assertEqual(status, 403)
        # 404: unknown room and unknown route
        status, _, body = self.node.request("GET", "/api/rooms/doesnotexist")
        self.assertEqual(status, 404)
        self.error(status, body, "not_found")
        status, _, _ = self.node.request("GET", "/api/nothing-here")
        self.assertEqual(status, 404)
        status, _, _ = self.node.request("GET", "/hls/doesnotexist/master.m3u8")
        self.assertEqual(status, 404)
        # 405: wrong method, with Allow
        status, headers, body = self.node.request("PUT", "/api/rooms", {"title": "x"}, token=self.dj["alice"])
        self.assertEqual(status, 405)
        self.error(status, body, "method_not_allowed")
        self.assertIn("POST", headers["Allow"])
        # 409: ending twice
        self.assertEqual(self.node.request("POST", f"/api/rooms/{rid}/end", token=self.dj["alice"])[0], 200)
        status, _, body = self.node.request("POST", f"/api/rooms/{rid}/end", token=self.dj["alice"])
        self.assertEqual(status, 409)
        self.error(status, body, "conflict")
        # 413: body over the limit
        status, _, body = self.node.request("POST", "/api/rooms", raw=b'{"title":"' + b"x" * 200000 + b'"}',
                                            headers={"Content-Type": "application/json"}, token=self.dj["alice"])
        self.assertEqual(status, 413)
        self.error(status, body, "payload_too_large")
        # 415: not JSON
        status, _, body = self.node.request("POST", "/api/rooms", raw=b"title=x",
                                            headers={"Content-Type": "application/x-www-form-urlencoded"},
                                            token=self.dj["alice"])
        self.assertEqual(status, 415)
        self.error(status, body, "unsupported_media_type")
        # 422: valid JSON, wrong shape
        for bad in ({"kind": "video"}, {"title": "", "kind": "video"}, {"title": "x", "kind": "hologram"},
                    {"title": "x" * 201, "kind": "video"}, {"title": "x", "kind": "video", "tags": "notalist"},
                    {"title": "x", "kind": "video", "tags": ["t"] * 21}):
            status, _, body = self.node.request("POST", "/api/rooms", bad, token=self.dj["alice"])
            self.assertEqual(status, 422, bad)
            self.error(status, body, "invalid_argument")
        # Nothing accepted was lost along the way.
        self.assertEqual(self.node.room(rid)["title"], "Alice's")

    def test_node_health_and_metrics(self):
        status, _, body = self.node.request("GET", "/healthz")
        self.assertEqual(status, 200)
        status, _, body = self.node.request("GET", "/api/node")
        self.assertEqual(status, 200)
        self.assertEqual(body["node_id"], self.node.ready["node_id"])
        status, headers, text = self.node.request("GET", "/metrics")
        self.assertEqual(status, 200)
        self.assertIn("onair_rooms ", text)
        self.assertIn("onair_ingest_to_part_seconds", text)

    def test_cors_preflight(self):
        status, headers, _ = self.node.request("OPTIONS", "/api/rooms",
                                               headers={"Origin": "http://example.test",
                                                        "Access-Control-Request-Method": "POST"})
        self.assertEqual(status, 204)
        self.assertEqual(headers["Access-Control-Allow-Origin"], "*")
        self.assertIn("Authorization", headers["Access-Control-Allow-Headers"])


if __name__ == "__main__":
    unittest.main()
