#!/usr/bin/env python3
"""Markdown tables from a bench/scale_scenarios.sh results folder: per scenario and server the median
(min-max) over the repeats of what viewers saw and what the server spent, the onair/nginx-rtmp ratios,
and the ramp knees.

usage: summarize_scale.py RESULTS_DIR
"""
import glob
import json
import os
import re
import statistics
import sys


def med(values):
    """'median (min-max)' of the measured values (negative = not measured)."""
    v = [x for x in values if x is not None and x >= 0]
    if not v:
        return "n/a"
    m = statistics.median(v)
    if len(v) == 1 or min(v) == max(v):
        return f"{m:.4g}"
    return f"{m:.4g} ({min(v):.4g}-{max(v):.4g})"


def compare_tables(root):
    runs = {}
    for path in sorted(glob.glob(os.path.join(root, "*-*-*.json"))):
        m = re.match(r"(audio|video)-(\d+)-(\d+)\.json$", os.path.basename(path))
        if not m:
            continue
        with open(path) as f:
            runs.setdefault(f"{m.group(1)}-{m.group(2)}", []).append(json.load(f))
    out = ["| scenario | server | repeats | stalls | errors | viewer Mbit/s | latency p50 / p99 ms | server CPU % | "
           "server RSS MB | client CPU % |", "|---|---|---|---|---|---|---|---|---|---|"]
    ratio_rows = ["| scenario | server CPU onair/nginx | server RSS onair/nginx | stalls onair / nginx |",
                  "|---|---|---|---|"]
    order = sorted(runs, key=lambda k: (k.split("-")[0], int(k.split("-")[1])))
    for scn in order:
        rs = runs[scn]
        per_side = {}
        for r in rs:
            for s in r["sides"]:
                per_side.setdefault(s["name"], []).append(s["summary"])
        for name, sums in per_side.items():
            lat = "n/a (no PDT)" if all(s["latency_p50_ms"] <= 0 for s in sums) else \
                f"{med([s['latency_p50_ms'] for s in sums])} / {med([s['latency_p99_ms'] for s in sums])}"
            out.append(f"| {scn} | {name} | {len(sums)} | {med([s['stalls'] for s in sums])} | "
                       f"{med([s['errors'] for s in sums])} | {med([s['mbit_s_median'] for s in sums])} | {lat} | "
                       f"{med([s['server_cpu_pct_median'] for s in sums])} | "
                       f"{med([s['server_rss_mb_median'] for s in sums])} | "
                       f"{med([s.get('client_cpu_pct_median', -1) for s in sums])} |")
        cpu = [r["ratios"]["server_cpu_pct_median"] for r in rs]
        rss = [r["ratios"]["server_rss_mb_median"] for r in rs]
        stalls = " / ".join(str(sum(s["summary"]["stalls"] for r in rs for s in r["sides"] if s["name"] == n))
                            for n in per_side)
        ratio_rows.append(f"| {scn} | {med(cpu)} | {med(rss)} | {stalls} |")
    return "\n".join(out) + "\n\nRatios per repeat, median (min-max):\n\n" + "\n".join(ratio_rows)


def ramp_tables(root):
    out = []
    for path in sorted(glob.glob(os.path.join(root, "ramp-*.json"))):
        with open(path) as f:
            r = json.load(f)
        name = os.path.basename(path)[5:-5]
        found = "" if r.get("knee_found") else " (no step stalled: lower bound)"
        out.append(f"\n**{name}**: knee at **{r['knee_viewers']}** listeners{found}\n")
        out.append("| listeners | active | stalls | errors | Mbit/s | latency p50 / p99 ms | server CPU % | client CPU % |")
        out.append("|---|---|---|---|---|---|---|---|")
        for s in r["steps"]:
            lat = "n/a" if s["latency_p50_ms"] <= 0 else f"{s['latency_p50_ms']:.0f} / {s['latency_p99_ms']:.0f}"
            out.append(f"| {s['viewers']} | {s['active']} | {s['stalls']} | {s['errors']} | {s['mbit_s']:.1f} | {lat} | "
                       f"{s['server_cpu_pct_median']:.0f} | {s.get('client_cpu_pct_median', -1):.0f} |")
    return "\n".join(out)


def main(argv):
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    print(compare_tables(argv[0]))
    print(ramp_tables(argv[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
