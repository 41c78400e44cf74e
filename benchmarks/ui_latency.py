"""Benchmark: control -> updated chart, in a real browser, the app's pages against a minimal app.

For each page: start `streamlit run serve.py` (what `make run` serves: app.py, with the model imported and the dataset loaded in a thread at server start) on a free port and time server start -> first chart drawn
(fresh browser context); then change one control N times and time each change until the first
chart's title text changes. The minimal app (benchmarks/minimal_app.py: a slider, a selectbox, a
radio and one plotly chart) is served beside each page and measured the same way, with the same kind of
control, its moves alternating with the page's (minimal, page, minimal, page...): this shared
machine's speed changes within minutes, and alternating makes it slow both sides alike:

- slider: ArrowRight on the focused slider (the scenario lab's ban fraction, from 0 up);
- selectbox: open it, ArrowDown or ArrowUp to the next option, and the timed Enter (the Overview's
  year, the Mineral profile's year);
- radio: ArrowRight or ArrowLeft on the focused radio group (Compare's measure).

Run: .venv/bin/python benchmarks/ui_latency.py [--moves 20] [--runs 3] [--only lab,overview]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

from _util import ROOT, machine, today

sys.path.insert(0, str(ROOT))
from tests.browser.conftest import CHROMIUM_ARGS, free_port, start_server, wait_for_app
from tests.conftest import chromium_path

TITLE = ".js-plotly-plot .gtitle"
CHANGED = f"(b) => {{ const e = document.querySelector('{TITLE}'); return e && e.textContent != b; }}"

LAB_SLIDER = "Ban on exports to the U.S. (gallium, germanium, antimony): fraction"
#: name -> (script, URL path, control kind, control label on the page, same control on the minimal app)
PAGES = {
    # v2 model: the ban's fraction from 0 up in 20 steps (the first model moved the pass-through slider)
    "lab": ("serve.py", "scenario_lab?scenario=china_export_ban&mineral=gallium&shocks.0.fraction=0", "slider", LAB_SLIDER),
    "overview": ("serve.py", "", "selectbox", "Year"),  # the default page lives at the root (/overview is "Page not found")
    "profile": ("serve.py", "profile?mineral=gallium", "selectbox", "Year"),
    "compare": ("serve.py", "compare", "radio", "Measure"),
}
MINIMAL = {"slider": "pass through", "selectbox": "Year", "radio": "Measure"}


def _control(page, kind: str, label: str):
    if kind == "slider":
        return page.get_by_role("slider", name=label).first
    if kind == "selectbox":
        return page.get_by_role("combobox", name=label).first
    return page.get_by_role("radiogroup", name=label).first


def _move(page, kind: str, control, i: int) -> None:
    """Everything up to the timed key press; returns with only that press left to make."""
    forward = i % 2 == 0
    if kind == "slider":
        control.focus()
    elif kind == "selectbox":
        control.click()
        page.keyboard.press("ArrowDown" if forward else "ArrowUp")
    else:
        control.get_by_role("radio", checked=True).focus()


def _press(page, kind: str, i: int) -> None:
    forward = i % 2 == 0
    if kind == "slider":
        page.keyboard.press("ArrowRight")
    elif kind == "selectbox":
        page.keyboard.press("Enter")
    else:
        page.keyboard.press("ArrowRight" if forward else "ArrowLeft")


def open_side(browser, script, path: str, kind: str, label: str) -> dict:
    """Start a server for ``script`` and time server start -> first chart drawn (fresh context)."""
    port = free_port()
    t0 = time.perf_counter()
    proc = start_server(script, port)
    try:
        ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = ctx.new_page()
        page.goto(f"http://127.0.0.1:{port}/{path}")
        page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .main-svg').length > 0", timeout=120_000)
        first_chart = time.perf_counter() - t0
        wait_for_app(page)
    except BaseException:
        proc.terminate()
        raise
    return {"proc": proc, "ctx": ctx, "page": page, "control": _control(page, kind, label), "first_chart_s": first_chart, "lat": []}


def time_move(side: dict, kind: str, i: int) -> None:
    """One move: from the key press to the first chart's title changing (ms, appended to the side)."""
    page, control = side["page"], side["control"]
    page.bring_to_front()
    before = page.locator(TITLE).first.text_content()
    _move(page, kind, control, i if kind != "slider" else 0)
    t = time.perf_counter()
    _press(page, kind, i if kind != "slider" else 0)
    page.wait_for_function(CHANGED, arg=before, timeout=60_000)
    side["lat"].append(1000 * (time.perf_counter() - t))
    wait_for_app(page)


def close_side(side: dict) -> None:
    side["ctx"].close()
    side["proc"].terminate()
    side["proc"].wait(10)


def _stats(side: dict) -> dict:
    lat = sorted(side["lat"])
    return {
        "first_chart_s": round(side["first_chart_s"], 2),
        "median_ms": round(statistics.median(lat), 1),
        "p95_ms": round(lat[min(len(lat) - 1, round(0.95 * (len(lat) - 1)))], 1),
        "moves": len(lat),
    }


def measure_pair(browser, name: str, moves: int) -> dict:
    """The page and the minimal app, served side by side, their moves alternating (minimal, page,
    minimal, page...): a machine that changes speed within the run slows both alike."""
    script, path, kind, label = PAGES[name]
    minimal = open_side(browser, ROOT / "benchmarks" / "minimal_app.py", "", kind, MINIMAL[kind])
    try:
        page = open_side(browser, ROOT / script, path, kind, label)
        try:
            for i in range(moves):
                time_move(minimal, kind, i)
                time_move(page, kind, i)
        finally:
            close_side(page)
    finally:
        close_side(minimal)
    base, r = _stats(minimal), _stats(page)
    r["median_ratio"] = round(r["median_ms"] / base["median_ms"], 2)
    r["first_chart_ratio"] = round(r["first_chart_s"] / base["first_chart_s"], 2)
    return {"minimal_app": base | {"control": kind}, "page": r}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--moves", type=int, default=20)
    ap.add_argument("--runs", type=int, default=1, help="whole runs (every page, each beside the minimal app)")
    ap.add_argument("--only", default=",".join(PAGES), help="comma-separated pages: " + ", ".join(PAGES))
    a = ap.parse_args()
    from playwright.sync_api import sync_playwright

    pages = [p for p in a.only.split(",") if p]
    runs = []
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for _ in range(a.runs):
            run = {n: measure_pair(b, n, a.moves) for n in pages}
            runs.append(run)
            print(json.dumps(run), file=sys.stderr, flush=True)
        b.close()
    summary = {
        n: {
            "median_ratio (median of runs)": statistics.median(r[n]["page"]["median_ratio"] for r in runs),
            "first_chart_ratio (median of runs)": statistics.median(r[n]["page"]["first_chart_ratio"] for r in runs),
        }
        for n in pages
    }
    print(json.dumps({"date": today(), "machine": machine(), "runs": runs, "summary": summary}, indent=2))


if __name__ == "__main__":
    main()
