#!/usr/bin/python3
"""Issue #4's cluster bench: what the edge path and the chat relay add, on two onair nodes on loopback.

Node A (region eu) owns the room and is the origin (ffmpeg publishes to it); node B (region us) is an
edge and runs a chat relay.
  - Edge latency: for each of --parts consecutive LL-HLS parts, a blocking playlist reload for that part
    (RFC 8216bis 6.2.5.2: _HLS_msn/_HLS_part) is parked on A and on B at the same time; the difference
    between the moments each returns is what the edge adds (A -> B update, apply, wake). Also reports
    B's onair_edge_update_seconds histogram (packager send -> edge apply).
  - Cross-node chat: a client on B sends --messages messages at --rate per second; clients on A (owner)
    and B (through the relay) time their arrival against the send time. p50/p99 per side.
Prints a JSON summary (and writes it with --json). Every loop is bounded; processes are ended by PID.
"""
import argparse
import asyncio
import json
import os
import statistics
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../tests/integration"))
from chat_client import ChatClient  # noqa: E402
from onair_harness import Node, start_publisher  # noqa: E402

SECRET = "bench-cluster-paths-secret"


def node(region, seeds=()):
    args = ["--cluster-secret", SECRET, "--region", region, "--gossip-port", "0", "--caf-port", "0",
            "--log-level", "warn"]
    if seeds:
        args += ["--seeds", ",".join(seeds)]
    return Node(extra_args=args)


def pct(xs, p):
    xs = sorted(xs)
    if not xs:
        return None
    k = min(len(xs) - 1, max(0, int(round(p / 100.0 * (len(xs) - 1)))))
    return xs[k]


def playlist(n, rid, query=""):
    with urllib.request.urlopen(f"{n.http}/hls/{rid}/source/index.m3u8{query}", timeout=20) as r:
        return r.read().decode()


def next_part(text):
    """(msn, part) of the next part the playlist does not list yet."""
    msn = int([l for l in text.splitlines() if l.startswith("#EXT-X-MEDIA-SEQUENCE:")][0].split(":")[1])
    part = 0
    for line in text.splitlines():
        if line.startswith("#EXTINF"):
            msn += 1
            part = 0
        elif line.startswith("#EXT-X-PART:"):
            part += 1
    return msn, part


def edge_latency(a, b, rid, parts):
    deltas = []
    msn, part = next_part(playlist(a, rid))
    for _ in range(parts):
        done = {}

        def wait(name, n):
            playlist(n, rid, f"?_HLS_msn={msn}&_HLS_part={part}")
            done[name] = time.monotonic()

        threads = [threading.Thread(target=wait, args=(k, n)) for k, n in (("a", a), ("b", b))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        if "a" in done and "b" in done:
            deltas.append((done["b"] - done["a"]) * 1000.0)
        msn, part = next_part(playlist(a, rid))
    return deltas


async def chat_latency(a, b, rid, messages, rate):
    # onair limits an anonymous connection to 1 msg/s and a user to 2 msgs/s: spread the rate over
    # senders (each its own anonymous user) at 0.5 msg/s each, all on the relay's node B.
    senders = [await ChatClient.join(b.http, rid, nick=f"sender{i}") for i in range(max(1, int(rate / 0.5 + 0.999)))]
    on_a = await ChatClient.join(a.http, rid, nick="rx-a")
    on_b = await ChatClient.join(b.http, rid, nick="rx-b")
    for c in (*senders, on_a, on_b):
        await c.until_type("welcome")
    lat = {"owner": [], "relay": []}

    async def receive(c, key):
        got = 0
        try:
            while got < messages:
                f = await c.recv(timeout=10)
                if f.get("type") == "msg" and f["text"].startswith("bench@"):
                    lat[key].append((time.time() - float(f["text"].split("@")[1])) * 1000.0)
                    got += 1
        except asyncio.TimeoutError:
            pass

    async def drain(c):  # senders receive the broadcasts too; a reader that stops would be a slow consumer
        try:
            while True:
                await c.ws.recv()
        except Exception:
            pass

    drains = [asyncio.create_task(drain(c)) for c in senders]
    rx = [asyncio.create_task(receive(on_a, "owner")), asyncio.create_task(receive(on_b, "relay"))]
    for i in range(messages):
        await senders[i % len(senders)].send({"type": "msg", "text": f"bench@{time.time():.6f}", "client_id": str(i)})
        await asyncio.sleep(1.0 / rate)
    await asyncio.gather(*rx)
    for c in (*senders, on_a, on_b):
        await c.ws.close()
    await asyncio.gather(*drains)
    return lat


def histogram_quantiles(n, name):
    with urllib.request.urlopen(f"{n.http}/metrics", timeout=10) as r:
        text = r.read().decode()
    buckets = []
    for line in text.splitlines():
        if line.startswith(name + "_bucket{le=\"") and "+Inf" not in line:
            le = float(line.split('le="')[1].split('"')[0])
            buckets.append((le, int(line.split()[-1])))
    total = buckets[-1][1] if buckets else 0
    out = {"count": total}
    for q in (50, 99):
        for le, c in buckets:
            if total and c >= total * q / 100.0:
                out[f"p{q}_le_ms"] = le * 1000.0
                break
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--parts", type=int, default=60)
    ap.add_argument("--messages", type=int, default=200)
    ap.add_argument("--rate", type=float, default=10.0, help="chat messages per second")
    ap.add_argument("--json", default="")
    args = ap.parse_args()
    a = node("eu").start()
    seed = f"127.0.0.1:{a.ready['gossip_port']}"
    b = node("us", [seed]).start()
    pub = None
    try:
        ids = {a.ready["node_id"], b.ready["node_id"]}
        a.wait_for(lambda: {n["node_id"] for n in json.loads(urllib.request.urlopen(f"{a.http}/api/cluster").read())["nodes"]
                            if n["state"] == "alive" and n["linked"]} >= ids, what="linked")
        room = a.create_room("bench")
        rid = room["id"]
        b.wait_for(lambda: b.request("GET", f"/api/rooms/{rid}")[0] == 200, what="replicated")
        pub = start_publisher(f"{a.rtmp}/{room['stream_key']}", seconds=args.parts // 3 + 60)
        b.wait_for(lambda: b.request("GET", f"/hls/{rid}/source/index.m3u8")[0] == 200, timeout=30, what="edge live")
        deltas = edge_latency(a, b, rid, args.parts)
        lat = asyncio.run(chat_latency(a, b, rid, args.messages, args.rate))
        result = {
            "edge_added_ms": {"n": len(deltas), "p50": pct(deltas, 50), "p99": pct(deltas, 99),
                              "max": max(deltas) if deltas else None},
            "edge_update_histogram": histogram_quantiles(b, "onair_edge_update_seconds"),
            "chat_ms": {k: {"n": len(v), "p50": pct(v, 50), "p99": pct(v, 99)} for k, v in lat.items()},
        }
        print(json.dumps(result, indent=2))
        if args.json:
            with open(args.json, "w") as f:
                json.dump(result, f, indent=2)
    finally:
        if pub and pub.poll() is None:
            pub.kill()
            pub.wait()
        b.cleanup()
        a.cleanup()


if __name__ == "__main__":
    main()
