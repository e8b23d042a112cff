#!/usr/bin/env python3
"""Markdown summary of bench/chat_compare.sh results: onair vs the Node ws reference and bench/chat_floor
(one send() per delivery and nothing else), same session.

Every figure is the median of the repeats, with the range (min-max) beside it; ratios are of medians.
floor/ws is the ceiling of onair/ws for a server that writes each message when it arrives.
Usage: summarize_chat.py OUT_DIR
"""
import glob
import json
import os
import re
import statistics
import sys


def load(out):
    runs = {}
    for p in glob.glob(os.path.join(out, "*.json")):
        m = re.match(r"(onair|ws|floor)-(\d+)-(\d+)\.json$", os.path.basename(p))
        if not m:
            continue
        with open(p) as f:
            runs.setdefault((m.group(1), int(m.group(2))), []).append(json.load(f))
    return runs


def pick(rs, key):
    vals = []
    for r in rs:
        v = r
        for k in key.split("."):
            v = v[k]
        if v is not None and v >= 0:
            vals.append(float(v))
    return vals


def med(rs, key):
    v = pick(rs, key)
    return statistics.median(v) if v else float("nan")


def rng(rs, key, fmt):
    v = pick(rs, key)
    if not v:
        return "n/a"
    return f"{fmt.format(statistics.median(v))} ({fmt.format(min(v))}–{fmt.format(max(v))})"


def main():
    out = sys.argv[1]
    runs = load(out)
    machine = os.path.join(out, "machine.txt")
    if os.path.exists(machine):
        print("```\n" + open(machine).read().strip() + "\n```\n")
    counts = sorted({n for (_, n) in runs})
    print("Medians of the repeats, (min–max) in brackets.\n")
    print("| N | server | runs | joined | delivered msgs/s | lost | server CPU % | delivered per CPU-s "
          "| RSS per idle conn KB | p50 ms | p99 ms | max ms | client CPU % |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for n in counts:
        for s in ("onair", "ws", "floor"):
            rs = runs.get((s, n), [])
            if not rs:
                continue
            print(f"| {n} | {s} | {len(rs)} | {med(rs, 'connections_established'):.0f} "
                  f"| {rng(rs, 'delivered_per_s', '{:.0f}')} | {rng(rs, 'lost', '{:.0f}')} "
                  f"| {rng(rs, 'server_cpu_window_pct', '{:.1f}')} | {rng(rs, 'delivered_per_cpu_s', '{:.0f}')} "
                  f"| {rng(rs, 'rss_per_connection_kb', '{:.1f}')} | {rng(rs, 'latency_ms.p50', '{:.1f}')} "
                  f"| {rng(rs, 'latency_ms.p99', '{:.1f}')} | {rng(rs, 'latency_ms.max', '{:.0f}')} "
                  f"| {rng(rs, 'client_cpu_window_pct', '{:.0f}')} |")
    print("\n| N | delivered per CPU-s onair/ws (target ≥ 3) | floor/ws (ceiling) | onair/floor "
          "| onair RSS per idle conn KB (target ≤ 20) | ws RSS per idle conn KB | onair p99 ms | ws p99 ms |")
    print("|---|---|---|---|---|---|---|---|")
    for n in counts:
        a, b, f = runs.get(("onair", n), []), runs.get(("ws", n), []), runs.get(("floor", n), [])
        if not a or not b:
            continue
        eff_a, eff_b = med(a, "delivered_per_cpu_s"), med(b, "delivered_per_cpu_s")
        eff_f = med(f, "delivered_per_cpu_s") if f else float("nan")
        ratio = eff_a / eff_b if eff_b else float("nan")
        target = " (target ≤ 100)" if n >= 10000 else ""
        print(f"| {n} | {ratio:.2f} | {eff_f / eff_b:.2f} | {eff_a / eff_f:.2f} "
              f"| {med(a, 'rss_per_connection_kb'):.1f} | {med(b, 'rss_per_connection_kb'):.1f} "
              f"| {med(a, 'latency_ms.p99'):.1f}{target} | {med(b, 'latency_ms.p99'):.1f} |")


if __name__ == "__main__":
    main()
