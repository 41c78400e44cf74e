"""What the browser's CPU does on a control move: Chromium's own sampling profiler (DevTools
protocol), the page against the minimal app, moves alternating between them as in ui_breakdown.py.

Latency on this shared machine swings two- to three-fold within an hour; the browser's CPU time per
move is steadier, and the profile says whose it is. For each side it reports the JavaScript time per
move (samples that are not idle, not "(program)" and not garbage collection), "(program)" (the
browser's own layout, style and paint) and garbage collection, then the JavaScript per move by the
Streamlit frontend element that asked for it (the nearest element chunk on the stack:
PlotlyChart.*.js draws plotly charts, Slider.*.js st.sliders, StreamlitMarkdown.*.js markdown);
"core" is what no element asked for: React, styles, Streamlit's messages and element tree, the
host messages. ``--variant NAME=VALUE`` serves the page a second time with that environment
variable set, so a change behind a flag is measured against the page without it in the same run.

Run: .venv/bin/python benchmarks/ui_profile.py [--moves 16] [--only lab] [--top 12] [--functions 30] [--variant NAME=VALUE]
"""

from __future__ import annotations

import argparse
import collections
import json
import sys

from _util import ROOT, machine, today
from ui_breakdown import one_move, open_page
from ui_latency import MINIMAL, PAGES

sys.path.insert(0, str(ROOT))
from tests.browser.conftest import CHROMIUM_ARGS
from tests.conftest import chromium_path

NOT_JS = ("(idle)", "(program)", "(garbage collector)", "(root)")


# Chunks that are the framework, not an element: a sample is charged to the nearest chunk on its
# stack that is not one of these (the element that asked for the work), or to "core" if none is
LIBRARY = {
    "index",
    "react-dom",
    "react",
    "jsx-runtime",
    "scheduler",
    "emotion-styled",
    "emotion-is-prop-valid",
    "emotion-react",
    "emotion-cache",
    "styled-components",
    "utils",
    "protobuf",
    "UriUtil",
    "lodash",
    "formatNumber",
    "rolldown-runtime",
}


def _chunk(url: str) -> str:
    name = url.rsplit("/", 1)[-1]
    return name.split(".")[0] if name.count(".") >= 2 else name  # PlotlyChart.D9Z0_fxz.js -> PlotlyChart


def _function(node: dict) -> str:
    """A profile node's function as ``name@chunk`` (``(anon)`` for a function without a name)."""
    cf = node["callFrame"]
    return f"{cf['functionName'] or '(anon)'}@{_chunk(cf['url'])}"


def summarize(profile: dict, moves: int, top: int, functions: int = 0) -> dict:
    """Milliseconds per move: JavaScript, the browser's own work ("(program)": style, layout,
    paint), GC, and the JavaScript by the element chunk that asked for it; with ``functions``,
    also that many functions by their own time and by their time with what they call
    (``name@chunk``: ``se@react-dom`` is React's render, ``(anon)@emotion-styled`` the styled
    components, ``(anon)@PlotlyChart`` plotly's draw)."""
    nodes = {n["id"]: n for n in profile["nodes"]}
    parent = {c: n["id"] for n in profile["nodes"] for c in n.get("children", [])}
    per_node = collections.Counter()
    for sid, dt in zip(profile["samples"], profile["timeDeltas"], strict=True):
        per_node[sid] += dt
    own = collections.Counter()
    by_element = collections.Counter()
    own_fn, with_callees = collections.Counter(), collections.Counter()
    for nid, us in per_node.items():
        fn = nodes[nid]["callFrame"]["functionName"]
        if fn in NOT_JS:
            own[fn.strip("()")] += us
            continue
        own["js"] += us
        who, x = "core", nid
        while x is not None:
            url = nodes[x]["callFrame"]["url"]
            if url and _chunk(url) not in LIBRARY:
                who = _chunk(url)
                break
            x = parent.get(x)
        by_element[who] += us
        if functions:
            own_fn[_function(nodes[nid])] += us
            seen, x = set(), nid
            while x is not None:  # up to the root; a recursive function counts once per sample
                k = _function(nodes[x])
                if k not in seen and nodes[x]["callFrame"]["functionName"] not in NOT_JS:
                    with_callees[k] += us
                    seen.add(k)
                x = parent.get(x)

    def ms(us: float) -> float:
        return round(us / 1000 / moves, 1)

    out = {
        "js": ms(own["js"]),
        "program": ms(own["program"]),
        "gc": ms(own["garbage collector"]),
        "js_by_element": {k: ms(v) for k, v in by_element.most_common(top)},
    }
    if functions:
        out["functions_own"] = {k: ms(v) for k, v in own_fn.most_common(functions)}
        out["functions_with_callees"] = {k: ms(v) for k, v in with_callees.most_common(functions)}
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--moves", type=int, default=16)
    ap.add_argument("--only", default="lab", help="comma-separated pages: " + ", ".join(PAGES))
    ap.add_argument("--top", type=int, default=12, help="chunks to list per side")
    ap.add_argument("--functions", type=int, default=0, metavar="N", help="also list N functions per side, by own time and with callees")
    ap.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="serve the page once more with this environment variable set (an A/B of a change behind a flag)",
    )
    a = ap.parse_args()
    from playwright.sync_api import sync_playwright

    out = {"date": today(), "machine": machine(), "moves": a.moves}
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for n in [n for n in a.only.split(",") if n]:
            script, path, kind, label = PAGES[n]
            sides = {
                f"minimal ({kind})": ((ROOT / "benchmarks" / "minimal_app.py", "", kind, MINIMAL[kind]), {}),
                n: ((ROOT / script, path, kind, label), {}),
            }
            for v in a.variant:
                sides[f"{n} {v}"] = ((ROOT / script, path, kind, label), dict([v.split("=", 1)]))
            opened = {s: open_page(b, *args, env=env) for s, (args, env) in sides.items()}
            try:
                cdp = {}
                for s, (_, ctx, page, control) in opened.items():
                    for i in (0, 1):  # a move there and back: the first move's lazy loads are not profiled
                        one_move(page, kind, control, i)
                    cdp[s] = ctx.new_cdp_session(page)
                    cdp[s].send("Profiler.enable")
                    cdp[s].send("Profiler.setSamplingInterval", {"interval": 200})  # microseconds
                    cdp[s].send("Profiler.start")
                titles = {s: [] for s in sides}
                for i in range(a.moves):
                    for s, (_, _, page, control) in opened.items():
                        r = one_move(page, kind, control, i)
                        if r:
                            titles[s].append(r["title"])
                for s in sides:
                    out[s] = summarize(cdp[s].send("Profiler.stop")["profile"], a.moves, a.top, a.functions)
                    ts = sorted(titles[s])
                    out[s]["title_ms_median"] = round(ts[len(ts) // 2], 1) if ts else None
            finally:
                for proc, ctx, _, _ in opened.values():
                    ctx.close()
                    proc.terminate()
                    proc.wait(10)
            for s in sides:
                if not s.startswith("minimal"):
                    out[s]["js_ratio"] = round(out[s]["js"] / out[f"minimal ({kind})"]["js"], 2)
            print(json.dumps(out), file=sys.stderr, flush=True)
        b.close()
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
