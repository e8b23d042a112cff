#!/usr/bin/python3
"""Issue #13's failover bench: a 3-node loopback cluster (eu, eu, us) under `onair-bench fault`, one
fault per run, a fresh cluster per run, medians over --runs runs of each kind (docs/benchmarks.md,
"Failover").

Kinds (the room's owner O, the two other nodes X and Y):
  owner   kill -9 O while X is the origin. Viewers on X and Y, chatters on Y (through Y's relay).
          Detection: kill -> Y's /api/cluster shows O suspect, then dead. Changes: kill -> the first
          PATCH through Y that answers 200 (tried every 100 ms).
  origin  kill -9 X, the origin; the publisher reconnects to Y 1 s after its connection drops (onair-bench
          --reconnect-next, as an encoder with a backup server). Viewers on O and Y: their gap is the
          time from the kill until they get new parts (the encoder's 1 s wait included).
  drain   `onair drain` of O, which is also the origin (publisher moves to X). Viewers on X and Y.
          Adds: drain -> O exited; PATCHes through Y refused during the drain.
Every kind: the longest gap (no new part / no new message) seen by onair-bench's viewers and chat
receivers on survivors (p50 and max over clients), and chat messages acknowledged to a separate sender
on Y (one a second, the anonymous rate limit, through the relay) that a replay from X after the run does not hold: the target is 0.

The viewer of the killed node (hls.js in Chromium, content steering) is measured by tests/web/failover.test.mjs
(`--kind viewer` runs it --runs times and reads its summary line); the rolling restart by
tests/integration/test_drain.py's RollingRestart (`--kind rolling`).

Every loop is bounded; every process is ended by PID. Prints one JSON document per kind (--json writes
them all).
"""
import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests/integration"))
from chat_client import ChatClient  # noqa: E402
from cluster_harness import cluster_node  # noqa: E402
from onair_harness import ONAIR_BIN  # noqa: E402
from test_onair_bench import make_flv  # noqa: E402

BENCH_BIN = os.environ.get("ONAIR_BENCH", os.path.join(ROOT, "build/bench/onair-bench"))
FAULT_AT = 10.0   # seconds into the onair-bench run
DURATION = 28.0   # onair-bench run length: 18 s after the fault


def start_cluster():
    nodes = []
    try:
        nodes.append(cluster_node("eu", extra=("--log-level", "warn", "--ladder", "none")).start())
        seed = f"127.0.0.1:{nodes[0].ready['gossip_port']}"
        for region in ("eu", "us"):
            nodes.append(cluster_node(region, [seed], extra=("--log-level", "warn", "--ladder", "none")).start())
        ids = {n.ready["node_id"] for n in nodes}
        for n in nodes:
            n.wait_for(lambda: {x["node_id"] for x in n.request("GET", "/api/cluster")[2]["nodes"]
                                if x["state"] == "alive" and x["linked"]} >= ids, timeout=30, what="all linked")
        return nodes
    except Exception:
        for n in nodes:
            n.cleanup()
        raise


def owner_seen_by(node, rid):
    status, _, body = node.request("GET", "/api/cluster")
    if status != 200:
        return None
    return {r["id"]: r for r in body["rooms"]}.get(rid, {}).get("owner_node")


def node_state(node, node_id):
    status, _, body = node.request("GET", "/api/cluster", timeout=2)
    if status != 200:
        return None
    return {x["node_id"]: x["state"] for x in body["nodes"]}.get(node_id)


class Probes:
    """Side measurements during one run, on their own threads: the victim's exit, detection as seen by
    `watcher`, changes through `watcher`, and an acked chat sender on `watcher`."""

    def __init__(self, victim, watcher, rid):
        self.victim, self.watcher, self.rid = victim, watcher, rid
        self.stop = threading.Event()
        self.t = {}  # event -> monotonic time
        self.patch_refused = 0
        self.patch_ok = 0
        self.acked, self.unacked = {}, []
        self.reasons = []  # "seconds since the fault:why" per message sent without an ack
        self.errors = []

    def mark(self, name):
        self.t.setdefault(name, time.monotonic())

    def since_fault(self, name):
        if name not in self.t or "fault" not in self.t:
            return None
        return round(self.t[name] - self.t["fault"], 3)

    def start(self):
        self.threads = [threading.Thread(target=f, daemon=True)
                        for f in (self.watch_victim, self.watch_state, self.patch_loop, self.chat)]
        for t in self.threads:
            t.start()

    def join(self):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=30)

    def watch_victim(self):
        """The kill (or the drained node's exit): the victim is our child, so poll() sees it at once."""
        while not self.stop.is_set():
            if self.victim.proc.poll() is not None:
                self.mark("exited")
                return
            time.sleep(0.01)

    def watch_state(self):
        vid = self.victim.ready["node_id"]
        while not self.stop.is_set() and "dead" not in self.t:
            if "fault" in self.t:
                try:
                    s = node_state(self.watcher, vid)
                except OSError:
                    s = None
                if s in ("suspect", "dead", "left"):
                    self.mark("suspect")
                if s in ("dead", "left"):
                    self.mark("dead")
            time.sleep(0.05)

    def patch_loop(self):
        """PATCH through the watcher every 100 ms from the fault until 2 s after the victim exited."""
        i = 0
        while not self.stop.is_set():
            ex = self.t.get("exited")
            if ex is not None and time.monotonic() > ex + 2 and "changes" in self.t:
                return
            if "fault" in self.t:
                i += 1
                began = time.monotonic()
                try:
                    status, _, _ = self.watcher.request("PATCH", f"/api/rooms/{self.rid}", {"title": f"t{i}"},
                                                        token=self.watcher.admin_token, timeout=3)
                except OSError:
                    status = 0
                if status == 200:
                    self.patch_ok += 1
                    if ex is not None and began >= ex:  # sent after the victim was gone
                        self.mark("changes")
                else:
                    self.patch_refused += 1
            time.sleep(0.1)

    def chat(self):
        asyncio.run(self._chat())

    async def _chat(self):
        client, i, last = None, 0, 0
        while not self.stop.is_set():
            text = None
            try:
                if client is None:
                    client = await ChatClient.join(self.watcher.http, self.rid, nick="prober",
                                                   since=last or None)
                    await client.until_type("welcome")
                cid = f"p{i}"
                i += 1
                text = f"probe {cid}"
                await client.send({"type": "msg", "text": text, "client_id": cid})
                f = await client.until(lambda f: f.get("type") == "error" or
                                       (f.get("type") == "ack" and f.get("client_id") == cid), timeout=5)
                if f.get("type") == "ack":
                    self.acked[f["seq"]] = text
                    last = max(last, f["seq"])
                else:
                    self.unacked.append(text)
                    self.reasons.append(f"{time.monotonic() - self.t.get('fault', 0):.1f}:{f.get('code')}")
            except Exception as e:
                # Closed (1012 on a move, the node gone) or no answer: reconnect with `since`, as the web
                # app does. The message in flight may or may not have been stored.
                if text is not None:
                    self.unacked.append(text)
                    self.reasons.append(f"{time.monotonic() - self.t.get('fault', 0):.1f}:{type(e).__name__}")
                if client is not None:
                    try:
                        await client.close()
                    except Exception:
                        pass
                client = None
            await asyncio.sleep(1.05)  # anonymous chatters may send 1 message a second
        if client is not None:
            await client.close()


async def replay(node, rid):
    deadline = time.time() + 30
    while time.time() < deadline:
        c = await ChatClient.join(node.http, rid, nick="audit", since=0)
        try:
            f = await c.until(lambda f: f.get("type") in ("history", "error"), timeout=5)
        except Exception:
            f = None
        await c.close()
        if f and f.get("type") == "history":
            return {m["seq"]: m["text"] for m in f["messages"]}
        await asyncio.sleep(0.5)
    return None


def run_one(kind, work, flv):
    nodes = start_cluster()
    try:
        room = nodes[0].create_room(f"failover {kind}")
        rid, key = room["id"], room["stream_key"]
        for n in nodes:
            n.wait_for(lambda: owner_seen_by(n, rid), timeout=20, what="room replicated")
        owner_id = owner_seen_by(nodes[0], rid)
        o = [n for n in nodes if n.ready["node_id"] == owner_id][0]
        x, y = [n for n in nodes if n is not o]
        if kind == "owner":
            victim, rtmp, viewers = o, [x], [x, y]
        elif kind == "origin":
            victim, rtmp, viewers = x, [x, y], [o, y]
        else:  # drain: the owner is also the origin
            victim, rtmp, viewers = o, [o, x], [x, y]
        watcher = y
        args = [BENCH_BIN, "fault", "--file", flv, "--duration", str(DURATION), "--ramp-up", "1",
                "--viewers", "20", "--chatters", "20", "--chat-rate", "2",
                "--chat-url", f"ws://127.0.0.1:{watcher.ready['http_port']}/ws/rooms/{rid}/chat",
                "--restart-log", os.path.join(work, "exec.log"), "--json", os.path.join(work, "fault.json")]
        for n in rtmp:
            args += ["--rtmp-url", f"{n.rtmp}/{key}"]
        if len(rtmp) > 1:
            args.append("--reconnect-next")
        for n in viewers:
            args += ["--hls-url", f"{n.http}/hls/{rid}/master.m3u8"]
        for n in nodes:
            args += ["--server-pid", str(n.proc.pid)]
        if kind == "drain":
            args += ["--exec", f"{FAULT_AT}:{ONAIR_BIN} drain --api {victim.http} --token {victim.admin_token}"]
        else:
            args += ["--kill", f"{victim.proc.pid}:{FAULT_AT}"]
        probes = Probes(victim, watcher, rid)
        started = time.monotonic()
        bench = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        probes.start()
        # The fault happens FAULT_AT seconds into the tool's run; the kill itself is seen by watch_victim.
        while time.monotonic() < started + FAULT_AT and bench.poll() is None:
            time.sleep(0.01)
        probes.mark("fault")
        out, err = bench.communicate(timeout=DURATION + 60)
        probes.join()
        if bench.returncode != 0:
            raise RuntimeError(f"onair-bench exited {bench.returncode}: {err.decode(errors='replace')[-2000:]}")
        with open(os.path.join(work, "fault.json")) as f:
            r = json.load(f)
        if kind != "drain":
            probes.t["fault"] = probes.t.get("exited", probes.t["fault"])  # measure from the kill itself
        stored = asyncio.run(replay(x if victim is not x else o, rid))
        lost = sorted(s for s in probes.acked if stored is None or stored.get(s) != probes.acked[s])
        return {
            "suspect_s": probes.since_fault("suspect") if kind != "drain" else None,
            "dead_s": probes.since_fault("dead") if kind != "drain" else None,
            "changes_s": probes.since_fault("changes") if kind == "owner" else None,
            "exited_s": probes.since_fault("exited") if kind == "drain" else None,
            "patch_refused": probes.patch_refused if kind == "drain" else None,
            "viewer_gap_p50_ms": r["gaps"]["hls"]["gap_ms"]["p50"],
            "viewer_gap_max_ms": r["gaps"]["hls"]["gap_ms"]["max"],
            "viewers_recovered": f"{r['gaps']['hls']['recovered']}/{r['gaps']['hls']['clients']}",
            "chat_gap_p50_ms": r["gaps"]["chat"]["gap_ms"]["p50"],
            "chat_gap_max_ms": r["gaps"]["chat"]["gap_ms"]["max"],
            "chat_receivers_lost_seqs": r["parts"]["chat"]["totals"].get("lost"),
            "acked": len(probes.acked),
            "acked_lost": len(lost),
            "sent_without_ack": len(probes.unacked),
            "without_ack_why": probes.reasons,
        }
    finally:
        for n in nodes:
            n.cleanup()


def run_viewer(runs):
    """hls.js in Chromium on a node that is killed: tests/web/failover.test.mjs, once per run."""
    rows = []
    node_bin = os.environ.get("NODE", "node")
    env = dict(os.environ, ONAIR_BIN=ONAIR_BIN)
    for _ in range(runs):
        p = subprocess.run([node_bin, "--test", "--test-reporter=spec", os.path.join(ROOT, "tests/web/failover.test.mjs")],
                           cwd=os.path.join(ROOT, "tests/web"), env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=300)
        text = p.stdout.decode(errors="replace")
        m = re.search(r"next fragment from \S+ after ([\d.]+) s; longest stall after the kill ([\d.]+) s", text)
        rows.append({"passed": p.returncode == 0, "next_fragment_s": float(m.group(1)) if m else None,
                     "stall_s": float(m.group(2)) if m else None})
    return rows


def run_rolling(runs):
    rows = []
    for _ in range(runs):
        p = subprocess.run([sys.executable, "-m", "unittest", "-v", "test_drain.RollingRestart"],
                           cwd=os.path.join(ROOT, "tests/integration"), stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=600, env=dict(os.environ, ONAIR_BIN=ONAIR_BIN))
        text = p.stdout.decode(errors="replace")
        m = re.search(r"longest time without a new part at the viewer: ([\d.]+) s", text)
        c = re.search(r"chat: (\d+) acknowledged, (\d+) sent without an ack", text)
        rows.append({"passed": p.returncode == 0, "viewer_longest_s": float(m.group(1)) if m else None,
                     "acked": int(c.group(1)) if c else None, "sent_without_ack": int(c.group(2)) if c else None,
                     "acked_lost": 0 if p.returncode == 0 else None})
    return rows


def summarize(rows):
    out = {}
    for k in rows[0]:
        vals = [r[k] for r in rows if isinstance(r.get(k), (int, float)) and not isinstance(r.get(k), bool)]
        if vals:
            out[k] = {"median": statistics.median(vals), "min": min(vals), "max": max(vals), "n": len(vals)}
        else:
            out[k] = [r.get(k) for r in rows]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kind", action="append", choices=["owner", "origin", "drain", "viewer", "rolling"])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--json")
    a = ap.parse_args()
    kinds = a.kind or ["owner", "origin", "drain", "viewer", "rolling"]
    results = {}
    with tempfile.TemporaryDirectory(prefix="onair-failover-bench-") as work:
        flv = os.path.join(work, "loop.flv")
        make_flv(flv)
        for kind in kinds:
            if kind == "viewer":
                rows = run_viewer(a.runs)
            elif kind == "rolling":
                rows = run_rolling(a.runs)
            else:
                rows = []
                for i in range(a.runs):
                    try:
                        rows.append(run_one(kind, work, flv))
                    except Exception as e:  # a failed run is reported, not hidden
                        rows.append({"error": str(e)[:500]})
                    print(f"[{kind} {i + 1}/{a.runs}] {json.dumps(rows[-1])}", flush=True)
            ok = [r for r in rows if "error" not in r]
            results[kind] = {"runs": rows, "summary": summarize(ok) if ok else {}}
            print(json.dumps({kind: results[kind]["summary"]}, indent=1), flush=True)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
