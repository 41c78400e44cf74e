"""Trade layer: import, store size, cold CLI, and every importer x mineral x year at once.

Measures, in one run:
* the importer (`python -m risk import-baci data/raw/baci_hs92` into a scratch folder, a new
  process) and the store's size and row count;
* the library import (`import risk.trade, risk.importers.baci` + reading the store) in a new process;
* a cold whole process `python -m risk exposure --importer USA --origin CHN --mineral all
  --from 2021 --to 2024 --format json`: wall time and peak memory (ru_maxrss of the child),
  first with an empty cache folder, then five more times;
* direct + indirect China-origin shares for every importer (plus EU27) x mapped mineral x year:
  the vectorised `risk.trade.exposure_all` (warm, repeated) against `exposure_loop` (one
  importer at a time with pandas merges; timed once over every importer), checking they agree.

Run: .venv/bin/python benchmarks/trade.py [--skip-loop]
Writes benchmarks/.results/trade.json and prints a Markdown table for benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _util import ROOT, machine, timeit, today

DATA = ROOT / "data"
EXPOSURE = ["exposure", "--importer", "USA", "--origin", "CHN", "--mineral", "all", "--from", "2021", "--to", "2024", "--format", "json"]


def child(args: list[str], env: dict | None = None) -> tuple[float, float, subprocess.CompletedProcess]:
    """(wall seconds, peak RSS MB, result) of one ``python ARGS`` process. It runs under a small
    wrapper whose resource.getrusage(RUSAGE_CHILDREN) covers only that child."""
    wrapper = (
        "import resource, subprocess, sys, time, json;"
        "t = time.perf_counter(); p = subprocess.run(sys.argv[1:], capture_output=True);"
        "dt = time.perf_counter() - t;"
        "print(json.dumps([dt, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, p.returncode, p.stderr.decode()[-500:]]))"
    )
    e = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    p = subprocess.run([sys.executable, "-c", wrapper, sys.executable, *args], capture_output=True, text=True, cwd=ROOT, env=e)
    dt, rss_kb, rc, err = json.loads(p.stdout)
    if rc != 0:
        raise RuntimeError(f"{args}: exit {rc}: {err}")
    return dt, rss_kb / 1024, p


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--skip-loop", action="store_true", help="skip the per-importer loop over every importer (about a minute)")
    a = ap.parse_args()
    res: dict = {"machine": machine(), "date": today()}
    store = DATA / "trade/baci_hs92_minerals.parquet"

    # importer and store
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp) / "data"
        d.mkdir()
        shutil.copy(DATA / "trade_products.yaml", d)
        shutil.copytree(DATA / "usgs/mcs2026", d / "usgs/mcs2026")
        runs = [child(["-m", "risk", "--data-dir", str(d), "import-baci", str(DATA / "raw/baci_hs92")]) for _ in range(3)]
        res["import_s"] = statistics.median(r[0] for r in runs)
        res["import_peak_mb"] = max(r[1] for r in runs)
        res["import_identical"] = (d / "trade/baci_hs92_minerals.parquet").read_bytes() == store.read_bytes()
    import pyarrow.parquet as pq

    md = pq.ParquetFile(store).metadata
    res["store_bytes"] = store.stat().st_size
    res["store_rows"] = md.num_rows
    res["raw_bytes"] = (DATA / "raw/baci_hs92/baci_hs92_minerals_1995_2024.csv.gz").stat().st_size

    # library import + store read, new processes
    code = (
        "import time; t=time.perf_counter(); import risk.trade, risk.importers.baci as b; t1=time.perf_counter();"
        "f=b.load_store('data'); t2=time.perf_counter();"
        "print(t1-t, t2-t1, len(f))"
    )
    lib = []
    for _ in range(5):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}
        )
        lib.append([float(x) for x in out.stdout.split()[:2]])
    res["lib_import_ms"] = 1000 * statistics.median(x[0] for x in lib)
    res["store_read_ms"] = 1000 * statistics.median(x[1] for x in lib)

    # cold CLI: empty dataset cache, then a filled one
    with tempfile.TemporaryDirectory() as cache:
        first = child(["-m", "risk", *EXPOSURE], env={"RISK_CACHE_DIR": cache})
        warm = [child(["-m", "risk", *EXPOSURE], env={"RISK_CACHE_DIR": cache}) for _ in range(5)]
    res["cli_first_s"], res["cli_first_peak_mb"] = first[0], first[1]
    res["cli_s"] = statistics.median(w[0] for w in warm)
    res["cli_s_max"] = max(w[0] for w in warm)
    res["cli_peak_mb"] = max(w[1] for w in warm)
    check = subprocess.run(
        [sys.executable, "-m", "risk", *EXPOSURE], capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}
    )
    res["cli_minerals"] = len(json.loads(check.stdout))

    # every importer x mineral x year
    sys.path.insert(0, str(ROOT))
    import numpy as np

    from risk import trade
    from risk.importers.baci import load_mapping, load_store

    flows = load_store(DATA)
    groups = {g: list(x.members) for g, x in load_mapping(DATA / "trade_products.yaml").groups.items()}
    vec = trade.exposure_all(flows, ["CHN"], groups=groups)
    res["cells"] = len(vec)
    res["importers"] = int(vec["importer"].nunique())
    res["minerals"] = int(vec["mineral"].nunique())
    res["years"] = int(vec["year"].nunique())
    res["vectorised"] = timeit(lambda: trade.exposure_all(flows, ["CHN"], groups=groups), repeat=15, warmup=2)
    res["vectorised_3_origins"] = timeit(lambda: trade.exposure_all(flows, ["CHN", "RUS", "COD"], groups=groups), repeat=7, warmup=1)
    if not a.skip_loop:
        t = time.perf_counter()
        loop = trade.exposure_loop(flows, ["CHN"], groups=groups)
        res["loop_s"] = time.perf_counter() - t
        m = vec.merge(loop, on=["year", "mineral", "importer", "origin"], suffixes=("", "_loop"), validate="one_to_one")
        res["loop_rows_match"] = len(m) == len(vec) == len(loop)
        res["loop_max_abs_diff"] = float(max(np.abs(m[c] - m[f"{c}_loop"]).max() for c in ("direct", "indirect")))
        res["loop_over_vectorised"] = res["loop_s"] * 1000 / res["vectorised"]["median_ms"]

    out = ROOT / "benchmarks/.results"
    out.mkdir(exist_ok=True)
    (out / "trade.json").write_text(json.dumps(res, indent=2))
    print(json.dumps(res, indent=2))
    print()
    print(f"Machine: {res['machine']}; {res['date']}.")
    print()
    print("| measurement | result | target |")
    print("|---|---|---|")
    print(
        f"| importer, new process (`import-baci`, 1,056,037 rows checked) | {res['import_s']:.2f} s, peak {res['import_peak_mb']:.0f} MB | — |"
    )
    print(
        f"| store size (rows) | {res['store_bytes'] / 1e6:.1f} MB ({res['store_rows']:,} rows; raw csv.gz {res['raw_bytes'] / 1e6:.1f} MB) | small |"
    )
    print(f"| re-import byte-identical | {res['import_identical']} | yes |")
    print(f"| library import (`risk.trade`, `risk.importers.baci`), new process | {res['lib_import_ms']:.0f} ms | — |")
    print(f"| read the whole store (`load_store`) | {res['store_read_ms']:.0f} ms | — |")
    print(
        f"| cold CLI `exposure ... --mineral all` ({res['cli_minerals']} minerals), new process, median of 5 | {res['cli_s']:.2f} s (max {res['cli_s_max']:.2f}), peak {res['cli_peak_mb']:.0f} MB | < 2 s, < 400 MB |"
    )
    print(
        f"| same, first run with an empty risk cache folder | {res['cli_first_s']:.2f} s, peak {res['cli_first_peak_mb']:.0f} MB | < 2 s, < 400 MB |"
    )
    v = res["vectorised"]
    print(
        f"| `exposure_all`: {res['importers']} importers x {res['minerals']} minerals x {res['years']} years "
        f"({res['cells']:,} cells), origin CHN, warm | median {v['median_ms']:.0f} ms (p95 {v['p95_ms']:.0f} ms) | < 1 s |"
    )
    v3 = res["vectorised_3_origins"]
    print(f"| same for three origins (CHN, RUS, COD) | median {v3['median_ms']:.0f} ms | — |")
    if "loop_s" in res:
        print(f"| `exposure_loop` (one importer at a time), same cells | {res['loop_s']:.1f} s | — |")
        print(f"| **loop ÷ vectorised** | **{res['loop_over_vectorised']:.0f}×** (max difference {res['loop_max_abs_diff']:.1e}) | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
