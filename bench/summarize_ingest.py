#!/usr/bin/env python3
"""Markdown summary of bench/ingest_compare.sh results: onair vs nginx-rtmp, same session."""
import json
import os
import sys


def rows(path):
    with open(path) as f:
        d = json.load(f)
    return {r["streams"]: r for r in d["rows"]}, d.get("idle_mem_kb")


def main():
    out = sys.argv[1]
    ng, ng_idle = rows(os.path.join(out, "nginx-ingest.json"))
    oa, oa_idle = rows(os.path.join(out, "onair-ingest.json"))
    print("| streams | nginx-rtmp CPU % | onair CPU % | CPU ratio onair/nginx | nginx RSS MB | onair RSS MB "
          "| onair RSS per stream MB | healthy nginx / onair |")
    print("|---|---|---|---|---|---|---|---|")
    for n in sorted(set(ng) & set(oa)):
        a, b = ng[n], oa[n]
        ratio = b["server_cpu_pct"] / a["server_cpu_pct"] if a["server_cpu_pct"] else float("nan")
        print(f"| {n} | {a['server_cpu_pct']:.2f} | {b['server_cpu_pct']:.2f} | {ratio:.2f} | {a['server_rss_mb']:.1f} "
              f"| {b['server_rss_mb']:.1f} | {b['rss_per_stream_mb']:.2f} | {a['healthy_streams']}/{n} / "
              f"{b['healthy_streams']}/{n} |")
    if ng_idle and oa_idle:
        print(f"\nIdle RSS: nginx-rtmp {ng_idle[0] / 1024:.1f} MB, onair {oa_idle[0] / 1024:.1f} MB.")
    lat = os.path.join(out, "onair-latency.json")
    if os.path.exists(lat):
        print("\n| streams | onair ingest->part p50 ms | p99 ms | target p50 (part 333 ms + 50) |")
        print("|---|---|---|---|")
        for r in json.load(open(lat)):
            print(f"| {r['streams']} | {r['p50_s'] * 1000:.0f} | {r['p99_s'] * 1000:.0f} | 383 |")


if __name__ == "__main__":
    main()
