"""Benchmark: slider key press -> updated chart, in a real browser, scenario lab vs a minimal app.

For each app: start `streamlit run` on a free port and time server start -> first chart drawn
(fresh browser context); then press ArrowRight on a slider N times and time each press until the
chart's title text changes. The minimal app (benchmarks/minimal_app.py: one slider, one plotly
chart) is measured in the same run as the baseline.

Run: .venv/bin/python benchmarks/ui_latency.py [--moves 20]
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


def measure(browser, script, path: str, slider_name: str, moves: int) -> dict:
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
        slider = page.get_by_role("slider", name=slider_name).first
        slider.focus()
        lat = []
        for _ in range(moves):
            before = page.locator(".js-plotly-plot .gtitle").first.text_content()
            t = time.perf_counter()
            page.keyboard.press("ArrowRight")
            page.wait_for_function(
                "(b) => { const e = document.querySelector('.js-plotly-plot .gtitle'); return e && e.textContent != b; }",
                arg=before,
                timeout=60_000,
            )
            lat.append(1000 * (time.perf_counter() - t))
            wait_for_app(page)
            slider.focus()
        ctx.close()
    finally:
        proc.terminate()
        proc.wait(10)
    lat.sort()
    return {
        "first_chart_s": first_chart,
        "median_ms": statistics.median(lat),
        "p95_ms": lat[min(len(lat) - 1, round(0.95 * (len(lat) - 1)))],
        "moves": len(lat),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--moves", type=int, default=20)
    a = ap.parse_args()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        minimal = measure(b, ROOT / "benchmarks" / "minimal_app.py", "", "pass through", a.moves)
        lab = measure(
            b,
            ROOT / "app.py",
            # v2 model: the ban's fraction from 0 up in 20 steps (the first model moved the pass-through
            # slider the same way; v2 has no pass-through slider in the named scenario)
            "scenario_lab?scenario=china_export_ban&mineral=gallium&shocks.0.fraction=0",
            "Ban on exports to the U.S. (gallium, germanium, antimony): fraction",
            a.moves,
        )
        b.close()
    print(
        json.dumps(
            {
                "date": today(),
                "machine": machine(),
                "minimal_app": minimal,
                "scenario_lab": lab,
                "median_ratio": lab["median_ms"] / minimal["median_ms"],
                "first_chart_ratio": lab["first_chart_s"] / minimal["first_chart_s"],
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
