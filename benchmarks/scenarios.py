"""Benchmark: a sweep of 10,000 scenario variants for one mineral, vectorised vs one by one.

Variants: China ban fraction x Russia deal expansion x spare capacity (random draws) on the
china_ban_russia_deal scenario for rare earths. The vectorised sweep (risk.scenarios.sweep)
evaluates all variants as numpy arrays in one call. Baselines, measured in the same run:
(a) the engine called once per variant (risk.scenarios.evaluate with n=1), and (b) the full
scalar path a page uses for one scenario (with_values + run_mineral), on a subset and scaled.

Run: .venv/bin/python benchmarks/scenarios.py
"""

from __future__ import annotations

import json
import time

import numpy as np
from _util import machine, timeit, today

N = 10_000


def main() -> None:
    from risk.dataset import load_dataset
    from risk.scenarios import _shock_dicts, evaluate, load_scenario, mineral_inputs, run_mineral, sweep, with_values

    ds = load_dataset()
    sc = load_scenario("china_ban_russia_deal")
    rng = np.random.default_rng(0)
    grid = {
        "shocks.1.fraction": rng.uniform(0, 1, N),
        "shocks.3.change": rng.uniform(0, 2, N),
        "shocks.4.share": rng.uniform(0, 0.5, N),
    }
    vec = timeit(lambda: sweep(ds, sc, "rare_earths", grid, mode="zip"), repeat=15)

    inp = mineral_inputs(ds, "rare_earths")
    base = _shock_dicts(sc)

    def engine_loop(n):
        for i in range(n):
            shocks = [dict(s) for s in base]
            shocks[1]["fraction"] = grid["shocks.1.fraction"][i]
            shocks[3]["change"] = grid["shocks.3.change"][i]
            shocks[4]["share"] = grid["shocks.4.share"][i]
            evaluate(inp, sc.baseline.access, shocks, sc.horizon_months, 1)

    t = time.perf_counter()
    engine_loop(N)
    engine_s = time.perf_counter() - t

    SUB = 300

    def scalar_loop(n):
        for i in range(n):
            one = with_values(sc, {k: v[i] for k, v in grid.items()})
            run_mineral(ds, one, "rare_earths")

    t = time.perf_counter()
    scalar_loop(SUB)
    scalar_s = (time.perf_counter() - t) / SUB * N

    result = {
        "date": today(),
        "machine": machine(),
        "variants": N,
        "vectorised_sweep": vec,
        "engine_one_by_one_s": engine_s,
        "scalar_run_mineral_one_by_one_s_estimated": scalar_s,
        "scalar_measured_on": SUB,
        "engine_loop_over_vectorised": engine_s * 1000 / vec["median_ms"],
        "scalar_over_vectorised": scalar_s * 1000 / vec["median_ms"],
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
