"""Benchmark: a sweep of 10,000 scenario variants for one mineral, vectorised vs one by one.

Variants: China licensing fraction x Russia deal expansion x spare capacity (random draws) on
the china_ban_russia_deal scenario (v2 layout: the China ban's five shocks, then the deal) for
rare earths; and a 10,000-draw Monte Carlo (risk.scenarios.monte_carlo) over the ban fraction
and the deal's access for antimony. The vectorised sweep (risk.scenarios.sweep)
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
    from risk.scenarios import _inputs_for, _shock_dicts, evaluate, load_scenario, monte_carlo, run_mineral, sweep, with_values

    ds = load_dataset()
    sc = load_scenario("china_ban_russia_deal")
    rng = np.random.default_rng(0)
    grid = {
        "shocks.1.fraction": rng.uniform(0, 1, N),
        "shocks.5.change": rng.uniform(0, 1, N),
        "shocks.2.share": rng.uniform(0, 0.5, N),
    }
    inp = _inputs_for(ds, sc, "rare_earths")  # the inputs a page caches; the engine is what is timed
    vec = timeit(lambda: sweep(ds, sc, "rare_earths", grid, mode="zip", inputs=inp), repeat=15)
    inp_sb = _inputs_for(ds, sc, "antimony")
    unc = {"shocks.0.fraction": (0.5, 1.0), "shocks.5.access": (0.0, 1.0)}
    mc = timeit(lambda: monte_carlo(ds, sc, "antimony", N, uncertain=unc, inputs=inp_sb), repeat=15)

    base = _shock_dicts(sc)

    def engine_loop(n):
        for i in range(n):
            shocks = [dict(s) for s in base]
            shocks[1]["fraction"] = grid["shocks.1.fraction"][i]
            shocks[5]["change"] = grid["shocks.5.change"][i]
            shocks[2]["share"] = grid["shocks.2.share"][i]
            evaluate(inp, sc.baseline.access, shocks, sc.horizon_months, 1)

    t = time.perf_counter()
    engine_loop(N)
    engine_s = time.perf_counter() - t

    SUB = 100

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
        "monte_carlo_10000_draws": mc,
        "engine_one_by_one_s": engine_s,
        "scalar_run_mineral_one_by_one_s_estimated": scalar_s,
        "scalar_measured_on": SUB,
        "engine_loop_over_vectorised": engine_s * 1000 / vec["median_ms"],
        "scalar_over_vectorised": scalar_s * 1000 / vec["median_ms"],
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
