#!/usr/bin/env python3
"""Plot lobby-bench results as one SVG, with no third-party library.

    scripts/plot.py RESULTS.jsonl [MORE.jsonl ...] -o plot.svg

Left: latency distributions (HdrHistogram percentile curves, log-log: x is the percentile on a
1/(1-p) scale, y is ms). Right: server RSS against sessions while `connect` (chat-only) and
`connect-real` (the real-client storm) ramp up. Each input file is one peer (the `peer` field
names it); a second peer is drawn dashed.
"""
import argparse
import json
import math
import sys
from html import escape

# Scenarios whose distribution is handshake times, drawn in the RSS panel instead.
CONNECT_SCENARIOS = ("connect", "connect-real")
COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f"]
DASHES = ["", "6,4", "2,3"]
WIDTH, HEIGHT = 1200, 520
PANEL_W, PANEL_H = 470, 360
LEFT_X, RIGHT_X, TOP_Y = 80, 680, 60


def read(paths):
    results = []
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                line = line.strip()
                if line.startswith("{"):
                    results.append(json.loads(line))
    return results


def nice_log_ticks(lo, hi):
    ticks = []
    exponent = math.floor(math.log10(lo))
    while 10**exponent <= hi * 1.0001:
        for mantissa in (1, 2, 5):
            value = mantissa * 10**exponent
            if lo <= value <= hi:
                ticks.append(value)
        exponent += 1
    return ticks


def nice_linear_ticks(hi, count=5):
    if hi <= 0:
        return [0]
    raw = hi / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = min((m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw), default=raw)
    ticks = [i * step for i in range(int(hi / step) + 1)]
    if ticks[-1] < hi:
        ticks.append(ticks[-1] + step)
    return ticks


def fmt(value):
    if value >= 1000 and value == int(value):
        return f"{int(value):,}".replace(",", " ")
    if value >= 10:
        return f"{value:.0f}"
    if value >= 1:
        return f"{value:g}"
    return f"{value:g}"


class Svg:
    def __init__(self, height=HEIGHT):
        self.parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
            f'viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="12">',
            f'<rect width="{WIDTH}" height="{height}" fill="white"/>',
        ]

    def add(self, text):
        self.parts.append(text)

    def text(self, x, y, content, anchor="start", size=12, weight="normal", rotate=None):
        transform = f' transform="rotate({rotate} {x:.1f} {y:.1f})"' if rotate else ""
        self.add(
            f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
            f'font-weight="{weight}"{transform}>{escape(content)}</text>'
        )

    def line(self, x1, y1, x2, y2, color="#ccc", width=1):
        self.add(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{color}" stroke-width="{width}"/>')

    def polyline(self, points, color, dash="", width=2):
        if not points:
            return
        coordinates = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        dashing = f' stroke-dasharray="{dash}"' if dash else ""
        self.add(f'<polyline points="{coordinates}" fill="none" stroke="{color}" stroke-width="{width}"{dashing}/>')

    def render(self):
        return "\n".join(self.parts + ["</svg>"]) + "\n"


def latency_panel(svg, results, peers):
    series = [r for r in results if r.get("distribution") and r["scenario"] not in CONNECT_SCENARIOS]
    svg.text(LEFT_X + PANEL_W / 2, TOP_Y - 25, "Latency distribution (send→receive, drop→leave, freeze→dead)",
             anchor="middle", size=14, weight="bold")
    x0, y0 = LEFT_X, TOP_Y + PANEL_H
    if not series:
        svg.text(LEFT_X + PANEL_W / 2, TOP_Y + PANEL_H / 2, "no latency data", anchor="middle")
        return
    max_nines = 4.0  # 99.99 %

    def px(percentile):
        nines = min(max_nines, -math.log10(max(1e-12, 1 - percentile / 100))) if percentile < 100 else max_nines
        return x0 + nines / max_nines * PANEL_W

    values = [p[1] for r in series for p in r["distribution"] if p[1] > 0]
    lo = 10 ** math.floor(math.log10(max(0.01, min(values))))
    hi = 10 ** math.ceil(math.log10(max(values)))

    def py(ms):
        ms = max(lo, ms)
        return y0 - (math.log10(ms) - math.log10(lo)) / (math.log10(hi) - math.log10(lo)) * PANEL_H

    for tick in nice_log_ticks(lo, hi):
        svg.line(x0, py(tick), x0 + PANEL_W, py(tick))
        svg.text(x0 - 6, py(tick) + 4, fmt(tick), anchor="end")
    for label, percentile in (("0", 0), ("90", 90), ("99", 99), ("99.9", 99.9), ("99.99", 99.99)):
        svg.line(px(percentile), y0, px(percentile), TOP_Y)
        svg.text(px(percentile), y0 + 16, label, anchor="middle")
    svg.text(x0 + PANEL_W / 2, y0 + 36, "percentile (%)", anchor="middle")
    svg.text(x0 - 50, TOP_Y + PANEL_H / 2, "latency (ms, log)", anchor="middle", rotate=-90)
    svg.line(x0, y0, x0 + PANEL_W, y0, "#333")
    svg.line(x0, y0, x0, TOP_Y, "#333")
    titles = sorted({r["title"] for r in series}, key=lambda t: [r["title"] for r in series].index(t))
    legend_y = y0 + 56
    for index, result in enumerate(series):
        color = COLORS[titles.index(result["title"]) % len(COLORS)]
        dash = DASHES[peers.index(result["peer"]) % len(DASHES)]
        points = [(px(p), py(v)) for p, v in result["distribution"] if v > 0]
        svg.polyline(points, color, dash)
        row, column = divmod(index, 2)
        lx, ly = x0 - 40 + column * 265, legend_y + row * 16
        svg.polyline([(lx, ly - 4), (lx + 24, ly - 4)], color, dash)
        svg.text(lx + 30, ly, f"{result['title']} ({result['peer']})", size=11)


def memory_panel(svg, results, peers):
    series = [r for r in results if r["scenario"] in CONNECT_SCENARIOS and r.get("rssSamples")]
    svg.text(RIGHT_X + PANEL_W / 2, TOP_Y - 25, "Server RSS while sessions connect", anchor="middle", size=14,
             weight="bold")
    x0, y0 = RIGHT_X, TOP_Y + PANEL_H
    if not series:
        svg.text(RIGHT_X + PANEL_W / 2, TOP_Y + PANEL_H / 2, "no RSS samples (no --server-pid?)", anchor="middle")
        return
    max_sessions = max(p[0] for r in series for p in r["rssSamples"]) or 1
    max_mib = max(p[1] for r in series for p in r["rssSamples"]) / 1024 * 1.05
    xticks = nice_linear_ticks(max_sessions)
    yticks = nice_linear_ticks(max_mib)
    x_hi, y_hi = max(xticks[-1], max_sessions), max(yticks[-1], max_mib)

    def px(sessions):
        return x0 + sessions / x_hi * PANEL_W

    def py(mib):
        return y0 - mib / y_hi * PANEL_H

    for tick in xticks:
        svg.line(px(tick), y0, px(tick), TOP_Y)
        svg.text(px(tick), y0 + 16, fmt(tick), anchor="middle")
    for tick in yticks:
        svg.line(x0, py(tick), x0 + PANEL_W, py(tick))
        svg.text(x0 - 6, py(tick) + 4, fmt(tick), anchor="end")
    svg.text(x0 + PANEL_W / 2, y0 + 36, "sessions ready", anchor="middle")
    svg.text(x0 - 50, TOP_Y + PANEL_H / 2, "server RSS (MiB)", anchor="middle", rotate=-90)
    svg.line(x0, y0, x0 + PANEL_W, y0, "#333")
    svg.line(x0, y0, x0, TOP_Y, "#333")
    for index, result in enumerate(series):
        color = COLORS[index % len(COLORS)]
        dash = DASHES[peers.index(result["peer"]) % len(DASHES)]
        points = sorted(result["rssSamples"], key=lambda p: p[0])
        svg.polyline([(px(s), py(k / 1024)) for s, k in points], color, dash)
        per_session = next((m.get("value") for m in result["metrics"] if m["key"] == "rss_per_session_kib"), None)
        note = f", {per_session:.1f} KiB/session" if per_session is not None else ""
        ly = y0 + 56 + index * 16
        svg.polyline([(x0, ly - 4), (x0 + 24, ly - 4)], color, dash)
        svg.text(x0 + 30, ly, f"{result['title']} ({result['peer']}{note})", size=11)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="+", help="JSON-line files from lobby-bench --json-out")
    parser.add_argument("-o", "--output", required=True, help="SVG file to write")
    args = parser.parse_args()
    results = read(args.results)
    if not results:
        print("plot.py: no results to plot", file=sys.stderr)
        return 1
    peers = []
    for result in results:
        if result["peer"] not in peers:
            peers.append(result["peer"])
    latency_series = sum(1 for r in results if r.get("distribution") and r["scenario"] not in CONNECT_SCENARIOS)
    svg = Svg(height=max(HEIGHT, TOP_Y + PANEL_H + 56 + 16 * ((latency_series + 1) // 2) + 10))
    latency_panel(svg, results, peers)
    memory_panel(svg, results, peers)
    with open(args.output, "w", encoding="utf-8") as handle:
        handle.write(svg.render())
    print(f"plot: {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
