"""Benchmark: chart exports through kaleido + Chromium, and a full briefing pack.

* one chart, cold: a new process renders its first PNG (starts the kaleido server and Chromium);
* one chart, warm: the same process renders again (median of 10), per format;
* a pack of 8 charts (china_ban_russia_deal for gallium, antimony, rare earths): build, render
  8 PNGs at scale 2, write the PPTX and print the PDF.
Baseline in the same run: kaleido's one-shot path (no persistent server) for one warm chart.

Run: .venv/bin/python benchmarks/exports.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

from _util import ROOT, machine, timeit, today

COLD = r"""
import time
t0 = time.perf_counter()
from risk.dataset import load_dataset
from risk.scenarios import load_scenario, run_mineral
from risk import charts, export
ds = load_dataset()
sc = load_scenario("china_export_ban")
r = run_mineral(ds, sc, "gallium")
fig, meta = charts.waterfall(r, sc, source="Source: x")
t1 = time.perf_counter()
export.render_chart(fig, "png")
t2 = time.perf_counter()
print(t2 - t1, t2 - t0)
"""


def main() -> None:
    import kaleido

    from risk import charts, export
    from risk.dataset import load_dataset
    from risk.scenarios import load_scenario, run_mineral

    colds = []
    for _ in range(3):
        out = subprocess.run(
            [sys.executable, "-c", COLD],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        )
        colds.append([float(x) for x in out.stdout.split()])
    colds.sort()
    ds = load_dataset()
    sc = load_scenario("china_export_ban")
    r = run_mineral(ds, sc, "gallium")
    fig, _meta = charts.waterfall(r, sc, source="Source: x")
    warm = {fmt: timeit(lambda fmt=fmt: export.render_chart(fig, fmt), repeat=10, warmup=1) for fmt in ("png", "svg", "pdf")}
    # baseline: kaleido without the persistent server (what a naive page would do per click)
    kaleido.stop_sync_server(silence_warnings=True)
    export._SERVER_STARTED = False
    t = time.perf_counter()
    for _ in range(3):
        kaleido.calc_fig_sync(fig, opts={"format": "png", "width": 1000, "height": 700, "scale": 2})
    oneshot = (time.perf_counter() - t) / 3 * 1000

    pack_times = []
    for _ in range(3):
        t0 = time.perf_counter()
        pack = export.build_pack(ds, load_scenario("china_ban_russia_deal"), ["gallium", "antimony", "rare_earths"])
        pack.charts = pack.charts[:8]
        t1 = time.perf_counter()
        images = export.pack_images(pack)
        t2 = time.perf_counter()
        export.pack_bytes(pack, "pptx", images)
        t3 = time.perf_counter()
        export.pack_bytes(pack, "pdf", images)
        t4 = time.perf_counter()
        pack_times.append(
            {"charts": len(pack.charts), "build_s": t1 - t0, "render_s": t2 - t1, "pptx_s": t3 - t2, "pdf_s": t4 - t3, "total_s": t4 - t0}
        )
    pack_times.sort(key=lambda d: d["total_s"])
    print(
        json.dumps(
            {
                "date": today(),
                "machine": machine(),
                "cold_first_png_s": colds[1][0],
                "cold_process_total_s": colds[1][1],
                "warm": warm,
                "oneshot_png_ms": oneshot,
                "pack_median": pack_times[1],
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
