"""Benchmark: every metric for every series in the bundled data, cold and warm.

Cold: a new process loads and validates data/ (with and without the on-disk cache) and
computes the metrics table. Warm: the metrics table again on the loaded dataset. Baseline: a
straightforward per-series loop (risk.metrics.concentration_loop), measured in the same run.

Run: .venv/bin/python benchmarks/metrics.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile

from _util import ROOT, machine, timeit, today

COLD = r"""
import json, os, sys, time
t0 = time.perf_counter()
from risk.dataset import load_dataset
from risk.metrics import metrics_table
t1 = time.perf_counter()
ds = load_dataset(use_cache=os.environ.get("USE_CACHE") == "1")
t2 = time.perf_counter()
m = metrics_table(ds)
t3 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "load_s": t2 - t1, "metrics_s": t3 - t2, "rows": len(m)}))
"""


def cold(use_cache: bool, cache_dir: str, runs: int = 5) -> dict:
    import os

    results = []
    for _ in range(runs):
        env = dict(os.environ, RISK_CACHE_DIR=cache_dir, USE_CACHE="1" if use_cache else "0", PYTHONPATH=str(ROOT))
        out = subprocess.run([sys.executable, "-c", COLD], env=env, capture_output=True, text=True, check=True, cwd=ROOT)
        results.append(json.loads(out.stdout))
    results.sort(key=lambda r: r["load_s"])
    return results[len(results) // 2]


def main() -> None:
    from risk.dataset import load_dataset
    from risk.metrics import concentration, concentration_loop, metrics_table

    with tempfile.TemporaryDirectory() as cache_dir:
        no_cache = cold(False, cache_dir)
        cold(True, cache_dir, runs=1)  # fill the cache
        cached = cold(True, cache_dir)

    ds = load_dataset()
    n_series = ds.figures.groupby(["series", "year"]).ngroups
    table = timeit(lambda: metrics_table(ds), repeat=30)
    vec = timeit(lambda: concentration(ds.figures, ds.wgi), repeat=30)
    loop = timeit(lambda: concentration_loop(ds.figures, ds.wgi), repeat=5, warmup=1)
    result = {
        "date": today(),
        "machine": machine(),
        "series_years": n_series,
        "figures": len(ds.figures),
        "cold_no_cache": no_cache,
        "cold_with_cache": cached,
        "warm_metrics_table": table,
        "warm_concentration_vectorised": vec,
        "warm_concentration_loop": loop,
        "loop_over_vectorised": loop["median_ms"] / vec["median_ms"],
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
