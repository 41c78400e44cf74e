"""Load test: concurrent browser sessions on one server, each moving scenario sliders and
exporting a chart.

Phases on one `streamlit run app.py` server: 1 session, then 10, then 20 (Playwright contexts in
one headless Chromium, each its own Streamlit session). Every session opens the scenario lab,
then loops: press an arrow key on a slider and wait until the chart title changes (latency),
and now and then download the chart as PNG (an export through the one kaleido server).
Records errors, median/p95 slider -> chart latency per phase, the server's RSS at the end of each
phase, and exports completed.

Run: .venv/bin/python benchmarks/load.py [--seconds 120] [--sessions 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time

from _util import ROOT, machine, today

sys.path.insert(0, str(ROOT))
from tests.browser.conftest import CHROMIUM_ARGS, free_port, start_server
from tests.conftest import chromium_path

TITLE = ".js-plotly-plot .gtitle"
SLIDER = "Ban on exports to the U.S. (gallium, germanium, antimony): pass through"


def rss_mb(pid: int) -> float:
    total = 0
    for p in [pid, *children(pid)]:
        try:
            for line in open(f"/proc/{p}/status"):
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def children(pid: int) -> list[int]:
    try:
        return [int(x) for x in open(f"/proc/{pid}/task/{pid}/children").read().split()]
    except OSError:
        return []


class Stats:
    def __init__(self):
        self.lat: list[float] = []
        self.errors: list[str] = []
        self.exports = 0


async def open_lab(browser, url: str):
    ctx = await browser.new_context(viewport={"width": 1300, "height": 900}, accept_downloads=True)
    page = await ctx.new_page()
    await page.goto(url, timeout=300_000)
    await page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= 3", timeout=300_000)
    await page.get_by_role("slider", name=SLIDER).first.wait_for(state="attached", timeout=300_000)
    return ctx, page


async def session(page, stop_at: float, stats: Stats, export_every: int, idx: int):
    slider = page.get_by_role("slider", name=SLIDER).first
    moves = 0
    direction = "ArrowRight"
    try:
        while time.perf_counter() < stop_at:
            before = await page.locator(TITLE).first.text_content()
            await slider.focus(timeout=120_000)
            value = float(await slider.evaluate("e => e.value"))  # the slider's real value decides the direction
            if value >= 0.999:
                direction = "ArrowLeft"
            elif value <= 0.001:
                direction = "ArrowRight"
            t = time.perf_counter()
            await page.keyboard.press(direction)
            try:
                await page.wait_for_function(
                    "(b) => { const e = document.querySelector('.js-plotly-plot .gtitle'); return e && e.textContent != b; }",
                    arg=before,
                    timeout=60_000,
                )
                stats.lat.append(1000 * (time.perf_counter() - t))
            except Exception as exc:  # a chart that never updates counts as an error
                stats.errors.append(f"session {idx}: chart did not update: {type(exc).__name__}")
            if await page.locator('[data-testid="stException"]').count():
                stats.errors.append(f"session {idx}: exception on the page")
            moves += 1
            if moves % export_every == 0:
                try:
                    png = page.locator('[data-testid="stPopoverBody"]').get_by_role("button", name="PNG", exact=True)
                    if not await png.count():  # the chart's buttons are in its "Download chart" menu
                        await page.get_by_role("button", name="Download chart").first.click()
                        await png.first.wait_for(timeout=60_000)
                    async with page.expect_download(timeout=120_000) as dl:
                        await png.first.click()
                    d = await dl.value
                    if await d.failure():
                        stats.errors.append(f"session {idx}: download failed")
                    else:
                        stats.exports += 1
                except Exception as exc:
                    stats.errors.append(f"session {idx}: export: {type(exc).__name__}")
            await asyncio.sleep(random.uniform(0.2, 0.8))
    except Exception as exc:
        stats.errors.append(f"session {idx}: {type(exc).__name__}: {str(exc)[:120]}")


def summary(stats: Stats) -> dict:
    lat = sorted(stats.lat)
    return {
        "moves": len(lat),
        "median_ms": statistics.median(lat) if lat else None,
        "p95_ms": lat[min(len(lat) - 1, int(0.95 * len(lat)))] if lat else None,
        "errors": len(stats.errors),
        "error_examples": stats.errors[:5],
        "exports": stats.exports,
    }


async def main_async(a) -> dict:
    from playwright.async_api import async_playwright

    port = free_port()
    proc = start_server(ROOT / "app.py", port)
    url = f"http://127.0.0.1:{port}/scenario_lab?scenario=china_export_ban&mineral=gallium"
    out = {"date": today(), "machine": machine(), "phases": {}}
    try:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            out["rss_mb_idle"] = rss_mb(proc.pid)
            pages = []
            for n, seconds in ((1, a.warmup), (10, a.warmup), (a.sessions, a.seconds)):
                # open the extra sessions first; the clock starts when all are loaded
                t_open = time.perf_counter()
                pages += await asyncio.gather(*(open_lab(browser, url) for _ in range(n - len(pages))))
                opened = time.perf_counter() - t_open
                stats = Stats()
                stop_at = time.perf_counter() + seconds
                await asyncio.gather(*(session(pg, stop_at, stats, a.export_every, i) for i, (_ctx, pg) in enumerate(pages)))
                out["phases"][f"{n}_sessions"] = summary(stats) | {"seconds": seconds, "open_s": opened, "rss_mb_end": rss_mb(proc.pid)}
                print(json.dumps({n: out["phases"][f"{n}_sessions"]}), file=sys.stderr)
            for ctx, _pg in pages:
                await ctx.close()
            await browser.close()
    finally:
        proc.terminate()
        proc.wait(20)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=120)
    ap.add_argument("--warmup", type=float, default=40, help="seconds for the 1- and 10-session phases")
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--export-every", type=int, default=15, help="export a PNG every N slider moves")
    print(json.dumps(asyncio.run(main_async(ap.parse_args())), indent=2))


if __name__ == "__main__":
    main()
