#!/usr/bin/python3
"""Summarises scripts/annotation_curve.sh's runs: per start exemplar and strategy, the mean Dice
(and per class) on the scored split at each number of annotated slices, with the slices, the
commands' settings and the commit; then, per strategy and number of slices, the mean over the
starts that have that point (the 1-slice run is every strategy's first point), each suggest rank
against random at 2 and 4 slices (issue 36's acceptance), and an SVG figure of the curves.
Usage: scripts/annotation_summary.py RUNS OUT.json [FIGURE.svg]"""
import glob, json, os, platform, sys
from xml.sax.saxutils import escape

import repo_commit


def collect(runs):
    starts = {}
    for start_file in sorted(glob.glob(os.path.join(runs, "*.start"))):
        tag = os.path.basename(start_file)[:-6]
        start = open(start_file).read().strip()
        entry = {"strategies": {}}
        for d in sorted(glob.glob(os.path.join(runs, tag, "*"))):
            ev = os.path.join(d, "eval.json")
            if not os.path.exists(ev):
                continue
            name = os.path.basename(d)
            strategy, n = ("start", 1) if name == "1" else (name.rsplit("-", 1)[0], int(name.rsplit("-", 1)[1]))
            e = json.load(open(ev))
            ex = os.path.join(d, "exemplars.txt")
            slices = [l.strip() for l in open(ex)] if os.path.exists(ex) else [start]
            cfg = json.load(open(os.path.join(d, "config.json")))
            entry["strategies"].setdefault(strategy, []).append(
                {"slices": n, "dice": e["mean"]["dice"], "hd95": e["mean"]["hd95"],
                 "per_class": {v["name"]: v["dice"] for v in e["classes"].values()}, "exemplars": slices,
                 "method": cfg["method"], "iterations": cfg.get("iterations")})
        for v in entry["strategies"].values():
            v.sort(key=lambda r: r["slices"])
        starts[start] = entry
    return starts


def curves(starts):
    """{strategy: {slices: [dice of each start that has it]}}; the start point belongs to every
    strategy that goes on from it. The one-case points (case_*) stay out: not a curve."""
    names = sorted({s for e in starts.values() for s in e["strategies"] if s != "start" and not s.startswith("case_")})
    out = {}
    for s in names:
        pts = {}
        for e in starts.values():
            for r in e["strategies"].get("start", []) + e["strategies"].get(s, []):
                pts.setdefault(r["slices"], []).append(r["dice"])
        out[s] = pts
    return out


def mean_table(starts):
    n_starts = len(starts)
    return {s: {str(k): {"mean": sum(v) / len(v), "starts": len(v), "all_starts": len(v) == n_starts}
                for k, v in sorted(pts.items())} for s, pts in curves(starts).items()}


def acceptance(means, n_starts):
    """At 2 and 4 slices, each suggest strategy (suggest: --rank qc; suggest_R: --rank R)
    against random, where both have the point on every start (at least two)."""
    out = {}
    ranks = sorted(s for s in means if s == "suggest" or s.startswith("suggest_"))
    for k in ("2", "4"):
        rnd = means.get("random", {}).get(k)
        row = {}
        for s in ranks:
            sug = means[s].get(k)
            if sug and rnd and sug["all_starts"] and rnd["all_starts"] and n_starts >= 2:
                row[s] = {"dice": sug["mean"], "random": rnd["mean"], "minus_random": sug["mean"] - rnd["mean"],
                          "beats_random": sug["mean"] > rnd["mean"]}
        out[k] = row or "not measured yet on every start (or fewer than two starts)"
    return out


LEGEND = {"suggest": "suggest, qc rank", "suggest_pixels": "suggest, pixel rank"}


def svg(starts, means, width=600, height=360):
    colours = {"suggest": "#1f77b4", "rule": "#2ca02c", "random": "#d62728", "suggest_pixels": "#9467bd"}
    pts = [(int(k), v) for s, p in curves(starts).items() for k, vs in p.items() for v in vs]
    if not pts:
        return None
    xs = sorted({1, 2, 4, 8} | {k for k, _ in pts})
    y0 = min(v for _, v in pts) - 0.01
    y1 = max(v for _, v in pts) + 0.01
    left, right, top, bottom = 60, 170, 30, 45
    pw, ph = width - left - right, height - top - bottom
    X = lambda k: left + xs.index(k) / max(1, len(xs) - 1) * pw  # annotated slices on an even (log-2) spacing
    Y = lambda v: top + ph - (v - y0) / (y1 - y0) * ph
    o = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
         'font-family="sans-serif" font-size="11">',
         f'<text x="{width / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">'
         'Val Dice against annotated slices</text>']
    step = 0.01 if y1 - y0 < 0.08 else 0.02
    t = round(y0 / step + 0.5) * step
    while t <= y1:
        o.append(f'<line x1="{left}" x2="{left + pw}" y1="{Y(t):.1f}" y2="{Y(t):.1f}" stroke="#e4e4e4"/>'
                 f'<text x="{left - 5}" y="{Y(t) + 4:.1f}" text-anchor="end">{t:.2f}</text>')
        t += step
    for k in xs:
        o.append(f'<text x="{X(k):.1f}" y="{top + ph + 16}" text-anchor="middle">{k}</text>')
    o.append(f'<line x1="{left}" x2="{left + pw}" y1="{top + ph}" y2="{top + ph}" stroke="#333"/>'
             f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + ph}" stroke="#333"/>'
             f'<text x="{left + pw / 2}" y="{top + ph + 34}" text-anchor="middle">annotated slices</text>'
             f'<text transform="translate(14,{top + ph / 2}) rotate(-90)" text-anchor="middle">val Dice</text>')
    row = 0
    for s in sorted(means):
        c = colours.get(s, "#777")
        for e in starts.values():  # each start's own curve
            p = [(r["slices"], r["dice"]) for r in e["strategies"].get("start", []) + e["strategies"].get(s, [])]
            if len(p) > 1:
                o.append(f'<polyline fill="none" stroke="{c}" stroke-width="0.8" stroke-opacity="0.5" points="'
                         + " ".join(f"{X(k):.1f},{Y(v):.1f}" for k, v in sorted(p)) + '"/>')
        m = [(int(k), v["mean"]) for k, v in means[s].items() if v["all_starts"]]
        o.append(f'<polyline fill="none" stroke="{c}" stroke-width="2.5" points="'
                 + " ".join(f"{X(k):.1f},{Y(v):.1f}" for k, v in sorted(m)) + '"/>')
        o += [f'<circle cx="{X(k):.1f}" cy="{Y(v):.1f}" r="3" fill="{c}"/>' for k, v in m]
        o.append(f'<line x1="{left + pw + 12}" x2="{left + pw + 30}" y1="{top + 10 + 18 * row}" y2="{top + 10 + 18 * row}" '
                 f'stroke="{c}" stroke-width="2.5"/><text x="{left + pw + 35}" y="{top + 14 + 18 * row}">{escape(LEGEND.get(s, s))}</text>')
        row += 1
    o += [f'<text x="{left + pw + 12}" y="{top + 22 + 18 * (row + i)}" fill="#555">{t}</text>'
          for i, t in enumerate(["thick: mean over", f"the {len(starts)} starts;", "thin: each start"])]
    o.append("</svg>")
    return "\n".join(o) + "\n"


if __name__ == "__main__":
    runs, out = sys.argv[1], sys.argv[2]
    starts = collect(runs)
    means = mean_table(starts)
    res = {"what": "Issue 36 annotation curve: Dice on the scored split with 1, 2, 4, 8 annotated slices, "
                   "the slices after the first chosen by cmems suggest, a fixed rule or at random",
           "machine": os.environ.get("MACHINE", platform.platform()),
           "commit": repo_commit.commit(),
           "starts": starts, "mean_over_starts": means,
           "acceptance_suggest_vs_random": acceptance(means, len(starts))}
    json.dump(res, open(out, "w"), indent=1)
    if len(sys.argv) > 3:
        fig = svg(starts, means)
        if fig:
            open(sys.argv[3], "w").write(fig)
    print(json.dumps({"mean_over_starts": {s: {k: round(v["mean"], 4) for k, v in p.items()} for s, p in means.items()},
                      "acceptance": res["acceptance_suggest_vs_random"]}, indent=1))
