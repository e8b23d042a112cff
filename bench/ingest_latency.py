#!/usr/bin/env python3
"""Ingest -> part latency of onair (RTMP message received -> LL-HLS part fetchable), p50/p99.

For each stream count and repeat: start a fresh `onair node --open-publish` pinned to the server CPU,
start N ffmpeg copy-publishers of a pre-encoded FLV (real time, pinned to the client CPU), let it warm up,
then difference two scrapes of the onair_ingest_to_part_seconds histogram over the window, so start-up
(the first segment) is left out. Prints medians over repeats and writes JSON. Loopback only; every
process is bounded by a timeout and ended by PID.
"""
import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))


def scrape(http):
    with urllib.request.urlopen(http + "/metrics", timeout=5) as r:
        text = r.read().decode()
    buckets = []
    for line in text.splitlines():
        if line.startswith("onair_ingest_to_part_seconds_bucket"):
            le = line.split('le="', 1)[1].split('"', 1)[0]
            buckets.append((float("inf") if le == "+Inf" else float(le), int(line.rsplit(" ", 1)[1])))
    return buckets


def quantile(b0, b1, q):
    """Quantile from the difference of two cumulative histograms (linear inside a bucket)."""
    deltas = [(le, c1 - c0) for (le, c1), (_, c0) in zip(b1, b0)]
    total = deltas[-1][1]
    if total <= 0:
        return None
    rank = q * total
    prev_le, prev_c = 0.0, 0
    for le, c in deltas:
        if c >= rank:
            if le == float("inf"):
                return prev_le
            inside = (rank - prev_c) / max(1, c - prev_c)
            return prev_le + (le - prev_le) * inside
        prev_le, prev_c = le, c
    return prev_le


def run_once(a, n):
    work = tempfile.mkdtemp(prefix="onair-bench-")
    ready = os.path.join(work, "ready.json")
    node = subprocess.Popen(["taskset", "-c", a.server_cpus, a.onair, "node", "--data-dir", os.path.join(work, "data"),
                             "--bind", "127.0.0.1", "--rtmp-port", "0", "--http-port", "0", "--ready-file", ready,
                             "--open-publish", "--log-level", "warn"],
                            stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "node.log"), "w"))
    pubs = []
    try:
        deadline = time.time() + 20
        while not os.path.exists(ready):
            if time.time() > deadline or node.poll() is not None:
                raise RuntimeError("onair did not start")
            time.sleep(0.05)
        info = json.load(open(ready))
        http = f"http://127.0.0.1:{info['http_port']}"
        bound = a.warmup + a.window + 30
        for i in range(n):
            url = f"rtmp://127.0.0.1:{info['rtmp_port']}/live/lat{n}s{i}"
            pubs.append(subprocess.Popen(
                ["timeout", str(bound), "taskset", "-c", a.client_cpus, "ffmpeg", "-nostdin", "-hide_banner",
                 "-loglevel", "error", "-re", "-stream_loop", "-1", "-i", a.source, "-map", "0", "-c", "copy",
                 "-flush_packets", "1", "-f", "flv", url], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            time.sleep(0.05)
        time.sleep(a.warmup)
        b0 = scrape(http)
        time.sleep(a.window)
        b1 = scrape(http)
        return {"streams": n, "p50_s": quantile(b0, b1, 0.5), "p99_s": quantile(b0, b1, 0.99),
                "parts": b1[-1][1] - b0[-1][1]}
    finally:
        for p in pubs:
            if p.poll() is None:
                p.terminate()
        for p in pubs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        node.send_signal(signal.SIGTERM)
        try:
            node.wait(timeout=20)
        except subprocess.TimeoutExpired:
            node.kill()
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--onair", default=os.path.join(HERE, "../build/onair"))
    ap.add_argument("--source", default="/tmp/peer/src/source.flv")
    ap.add_argument("--counts", default="1,10")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--warmup", type=float, default=8)
    ap.add_argument("--window", type=float, default=20)
    ap.add_argument("--server-cpus", default="1")
    ap.add_argument("--client-cpus", default="0")
    ap.add_argument("--json")
    a = ap.parse_args()
    results = []
    for n in [int(x) for x in a.counts.split(",")]:
        runs = [run_once(a, n) for _ in range(a.repeats)]
        p50 = statistics.median(r["p50_s"] for r in runs)
        p99 = statistics.median(r["p99_s"] for r in runs)
        print(f"{n:3d} streams: ingest->part p50 {p50 * 1000:.0f} ms [{min(r['p50_s'] for r in runs) * 1000:.0f}-"
              f"{max(r['p50_s'] for r in runs) * 1000:.0f}], p99 {p99 * 1000:.0f} ms "
              f"[{min(r['p99_s'] for r in runs) * 1000:.0f}-{max(r['p99_s'] for r in runs) * 1000:.0f}], "
              f"parts/run {statistics.median(r['parts'] for r in runs):.0f}", flush=True)
        results.append({"streams": n, "p50_s": p50, "p99_s": p99, "runs": runs})
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
