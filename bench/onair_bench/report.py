#!/usr/bin/env python3
"""Renders an onair-bench JSON result as one self-contained HTML page: inline SVG plots of the latency
CDF and of throughput, active clients and stalls per second. Standard library only; no CDN, no script.

usage: report.py RESULT.json --html OUT.html
"""
import argparse
import html
import json
import sys

W, H, PAD = 640, 240, 48


def _scale(values, lo=None, hi=None):
    lo = min(values) if lo is None else lo
    hi = max(values) if hi is None else hi
    if hi <= lo:
        hi = lo + 1
    return lo, hi


def svg_lines(title, xs, series, x_label, y_label, y_min=0.0, y_max=None, markers=()):
    """series: [(name, colour, ys)]; markers: [(x, label)] drawn as dashed vertical lines (faults).
    Returns an <svg> string with axes, ticks and one polyline per series."""
    if not xs:
        return f"<p>{html.escape(title)}: no data</p>"
    x0, x1 = _scale(xs)
    all_y = [y for _, _, ys in series for y in ys if y is not None] or [0]
    y0, y1 = _scale(all_y, y_min, y_max if y_max is not None else max(all_y) * 1.1 or 1)

    def px(x):
        return PAD + (x - x0) / (x1 - x0) * (W - 2 * PAD)

    def py(y):
        return H - PAD + (PAD - H + PAD) * (y - y0) / (y1 - y0)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" role="img">',
           f'<title>{html.escape(title)}</title>',
           f'<text x="{W / 2}" y="16" text-anchor="middle" font-weight="bold">{html.escape(title)}</text>',
           f'<line x1="{PAD}" y1="{H - PAD}" x2="{W - PAD}" y2="{H - PAD}" stroke="#333"/>',
           f'<line x1="{PAD}" y1="{PAD}" x2="{PAD}" y2="{H - PAD}" stroke="#333"/>']
    for i in range(5):
        xv = x0 + (x1 - x0) * i / 4
        yv = y0 + (y1 - y0) * i / 4
        out.append(f'<text x="{px(xv):.1f}" y="{H - PAD + 14}" text-anchor="middle" font-size="10">{xv:.4g}</text>')
        out.append(f'<text x="{PAD - 4}" y="{py(yv) + 3:.1f}" text-anchor="end" font-size="10">{yv:.4g}</text>')
        out.append(f'<line x1="{PAD}" y1="{py(yv):.1f}" x2="{W - PAD}" y2="{py(yv):.1f}" stroke="#ddd"/>')
    out.append(f'<text x="{W / 2}" y="{H - 8}" text-anchor="middle" font-size="11">{html.escape(x_label)}</text>')
    out.append(f'<text x="12" y="{H / 2}" transform="rotate(-90 12 {H / 2})" text-anchor="middle" '
               f'font-size="11">{html.escape(y_label)}</text>')
    for x, label in markers:
        if x0 <= x <= x1:
            out.append(f'<line x1="{px(x):.1f}" y1="{PAD}" x2="{px(x):.1f}" y2="{H - PAD}" stroke="#c62828" '
                       f'stroke-dasharray="4 3"/><text x="{px(x) + 3:.1f}" y="{PAD + 10}" font-size="10" '
                       f'fill="#c62828">{html.escape(label)}</text>')
    for k, (name, colour, ys) in enumerate(series):
        pts = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in zip(xs, ys) if y is not None)
        out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.5" points="{pts}"/>')
        out.append(f'<text x="{W - PAD + 4}" y="{PAD + 14 * k}" font-size="10" fill="{colour}">'
                   f'{html.escape(name)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def table(header, rows):
    """A small HTML table; cells are escaped, floats printed with 4 significant digits."""
    def cell(v):
        return f"{v:.4g}" if isinstance(v, float) else html.escape(str(v))
    return ("<table><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in header) + "</tr>"
            + "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in r) + "</tr>" for r in rows) + "</table>")


UNITS = {"hls": "parts", "ramp": "parts", "publish": "tags", "chat": "msgs"}


def render_part(name, result, markers=()):
    """Totals, latency, and the per-second plots of one kind of load."""
    unit = UNITS.get(result.get("scenario", name), "units")
    series = result.get("series", [])
    t = [s["t"] for s in series]
    lat = result.get("latency_ms", {})
    cdf = lat.get("cdf", [])
    tot = result.get("totals", {})
    keys = [k for k in ("units", "bytes", "stalls", "errors", "sent", "lost", "gap_frames") if k in tot]
    out = [table([f"total {unit}" if k == "units" else k for k in keys], [[tot[k] for k in keys]])]
    if result.get("errors_by_kind"):
        out.append(table(["error", "count"], sorted(result["errors_by_kind"].items(), key=lambda kv: -kv[1])))
    if lat.get("count"):
        out.append(table(["n", "p50", "p90", "p95", "p99", "max"],
                         [[lat["count"]] + [f"{lat[k]:.0f} ms" for k in ("p50", "p90", "p95", "p99", "max")]]))
        out.append(svg_lines(f"{name}: latency CDF", [c[0] for c in cdf], [("fraction", "#1565c0", [c[1] for c in cdf])],
                             "latency (ms)", "fraction of samples", 0, 1))
    else:
        out.append("<p>No latency samples.</p>")
    out.append(svg_lines(f"{name}: throughput", t, [("Mbit/s", "#2e7d32", [s["bytes"] * 8 / 1e6 for s in series])],
                         "time (s)", "Mbit/s", markers=markers))
    out.append(svg_lines(f"{name}: {unit} per second and active clients", t,
                         [(f"{unit}/s", "#6a1b9a", [s["units"] for s in series]),
                          ("active", "#ef6c00", [s["active"] for s in series])], "time (s)", "count", markers=markers))
    out.append(svg_lines(f"{name}: stalls and errors per second", t,
                         [("stalls", "#c62828", [s["stalls"] for s in series]),
                          ("errors", "#555", [s["errors"] for s in series])], "time (s)", "count", markers=markers))
    return "\n".join(out)


def render_server(series, markers=()):
    """Server CPU (% of one core, summed over the sampled PIDs) and RSS over time, when sampled."""
    pts = [s for s in series if "server_rss_mb" in s]
    if not pts:
        return ""
    t = [s["t"] for s in pts]
    return "\n".join([
        "<h2>Server</h2>",
        svg_lines("server and client CPU (% of one core)", t,
                  [("server %", "#1565c0", [s["server_cpu_pct"] if s["server_cpu_pct"] >= 0 else None for s in pts]),
                   ("client %", "#9e9e9e", [s["client_cpu_pct"] if s.get("client_cpu_pct", -1) >= 0 else None
                                            for s in pts])],
                  "time (s)", "%", markers=markers),
        svg_lines("server RSS", t, [("MB", "#6d4c41", [s["server_rss_mb"] for s in pts])], "time (s)", "MB",
                  markers=markers)])


def render_body(result):
    """Everything below the title of one result (a side of a compare renders the same way)."""
    out = []
    markers = []
    for f in result.get("faults", []):
        markers.append((f.get("killed_at_s", f.get("at_s", 0)), f"kill {f.get('pid')}"))
        if "restarted_at_s" in f:
            markers.append((f["restarted_at_s"], "restart"))
    if result.get("faults"):
        out.append("<h2>Faults</h2>")
        out.append(table(["PID", "signal", "killed at s", "restarted at s", "new PID"],
                         [[f.get("pid"), f.get("signal"), f.get("killed_at_s", "-"), f.get("restarted_at_s", "-"),
                           f.get("restarted_pid", "-")] for f in result["faults"]]))
    if result.get("gaps"):
        out.append("<h2>Gaps clients saw</h2>")
        out.append(table(["clients", "count", "recovered", "gap p50 ms", "gap p99 ms", "gap max ms"],
                         [[k, g["clients"], g["recovered"], g["gap_ms"]["p50"], g["gap_ms"]["p99"], g["gap_ms"]["max"]]
                          for k, g in result["gaps"].items()]))
    if "steps" in result:
        steps = result["steps"]
        found = "" if result.get("knee_found") else " (no step stalled: a lower bound)"
        out.append(f"<h2>Ramp: knee at {result.get('knee_viewers')} viewers{found}</h2>")
        out.append(table(["viewers", "active", "stalls", "errors", "Mbit/s", "latency p50", "latency p99", "server CPU %",
                          "client CPU %"],
                         [[s["viewers"], s["active"], s["stalls"], s["errors"], s["mbit_s"], s["latency_p50_ms"],
                           s["latency_p99_ms"], s["server_cpu_pct_median"], s.get("client_cpu_pct_median", -1)]
                          for s in steps]))
        v = [s["viewers"] for s in steps]
        out.append(svg_lines("latency p99 and stalls per step", v,
                             [("p99 ms", "#1565c0", [s["latency_p99_ms"] for s in steps]),
                              ("stalls", "#c62828", [s["stalls"] for s in steps])], "viewers", "ms / count"))
    parts = result.get("parts") or {result.get("scenario", "?"): result}
    server_series = []
    for name, part in parts.items():
        out.append(f"<h2>{html.escape(name)}</h2>")
        out.append(render_part(name, part, markers))
        server_series = server_series or [s for s in part.get("series", []) if "server_rss_mb" in s]
    out.append(render_server(server_series, markers))
    return "\n".join(out)


def render(result):
    scenario = result.get("scenario", "?")
    out = [f"<!doctype html><html><head><meta charset='utf-8'><title>onair-bench {html.escape(scenario)}</title>",
           "<style>body{font-family:sans-serif;max-width:760px;margin:2em auto}td,th{padding:2px 8px;"
           "text-align:right}svg{display:block;margin:1em 0}</style></head><body>",
           f"<h1>onair-bench: {html.escape(scenario)}</h1>",
           f"<pre>{html.escape(json.dumps(result.get('params', {}), indent=1))}</pre>"]
    if "sides" in result:
        keys = list(result["sides"][0]["summary"].keys())
        out.append(f"<h2>Ratios ({html.escape(result.get('ratios_are', 'A / B'))})</h2>")
        out.append(table(list(result["ratios"].keys()), [[("n/a" if v < 0 else v) for v in result["ratios"].values()]]))
        out.append(table(["server"] + keys, [[s["name"]] + [s["summary"][k] for k in keys] for s in result["sides"]]))
        for side in result["sides"]:
            out.append(f"<h1>{html.escape(side['name'])}</h1>")
            out.append(render_body(side))
    else:
        out.append(render_body(result))
    out.append("</body></html>\n")
    return "\n".join(out)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("result")
    ap.add_argument("--html", required=True)
    a = ap.parse_args(argv)
    with open(a.result) as f:
        result = json.load(f)
    with open(a.html, "w") as f:
        f.write(render(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
