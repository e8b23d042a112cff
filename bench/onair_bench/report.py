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


def svg_lines(title, xs, series, x_label, y_label, y_min=0.0, y_max=None):
    """series: [(name, colour, ys)]. Returns an <svg> string with axes, ticks and one polyline each."""
    if not xs:
        return f"<p>{html.escape(title)}: no data</p>"
    x0, x1 = _scale(xs)
    all_y = [y for _, _, ys in series for y in ys] or [0]
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
    for k, (name, colour, ys) in enumerate(series):
        pts = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in zip(xs, ys))
        out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.5" points="{pts}"/>')
        out.append(f'<text x="{W - PAD + 4}" y="{PAD + 14 * k}" font-size="10" fill="{colour}">'
                   f'{html.escape(name)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def render(result):
    scenario = result.get("scenario", "?")
    unit = {"hls": "parts", "publish": "tags", "chat": "msgs"}.get(scenario, "units")
    series = result.get("series", [])
    t = [s["t"] for s in series]
    lat = result.get("latency_ms", {})
    cdf = lat.get("cdf", [])
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>onair-bench {html.escape(scenario)}</title>",
             "<style>body{font-family:sans-serif;max-width:760px;margin:2em auto}td,th{padding:2px 8px;"
             "text-align:right}svg{display:block;margin:1em 0}</style></head><body>",
             f"<h1>onair-bench: {html.escape(scenario)}</h1>",
             f"<pre>{html.escape(json.dumps(result.get('params', {}), indent=1))}</pre>",
             "<table><tr><th>total " + unit + "</th><th>bytes</th><th>stalls</th><th>errors</th></tr><tr>"]
    tot = result.get("totals", {})
    parts.append("".join(f"<td>{tot.get(k, 0)}</td>" for k in ("units", "bytes", "stalls", "errors")) + "</tr></table>")
    if lat.get("count"):
        parts.append("<table><tr>" + "".join(f"<th>{k}</th>" for k in ("n", "p50", "p90", "p95", "p99", "max"))
                     + "</tr><tr>" + f"<td>{lat['count']}</td>"
                     + "".join(f"<td>{lat[k]:.0f} ms</td>" for k in ("p50", "p90", "p95", "p99", "max")) + "</tr></table>")
        parts.append(svg_lines("Latency CDF", [c[0] for c in cdf], [("fraction", "#1565c0", [c[1] for c in cdf])],
                               "latency (ms)", "fraction of samples", 0, 1))
    else:
        parts.append("<p>No latency samples.</p>")
    parts.append(svg_lines("Throughput", t, [("Mbit/s", "#2e7d32", [s["bytes"] * 8 / 1e6 for s in series])],
                           "time (s)", "Mbit/s"))
    parts.append(svg_lines(f"{unit} per second and active clients", t,
                           [(f"{unit}/s", "#6a1b9a", [s["units"] for s in series]),
                            ("active", "#ef6c00", [s["active"] for s in series])], "time (s)", "count"))
    parts.append(svg_lines("Stalls and errors per second", t,
                           [("stalls", "#c62828", [s["stalls"] for s in series]),
                            ("errors", "#555", [s["errors"] for s in series])], "time (s)", "count"))
    parts.append("</body></html>\n")
    return "\n".join(parts)


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
