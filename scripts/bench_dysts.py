#!/usr/bin/env python3
"""Times dysts' own make_trajectory (its defaults: Radau, rtol = atol = 1e-12) on
fixed horizons and prints JSON for examples/bench_dynamics.rs. Run by
scripts/bench.sh when dysts is installed (scripts/dysts_reference.sh installs it)."""
import json
import time
import warnings

warnings.filterwarnings("ignore")
import dysts.flows as flows  # noqa: E402
from dysts.utils import has_module  # noqa: E402

out = {}
for name, periods, n in [("Lorenz", 20, 2000), ("Lorenz96", 20, 2000)]:
    model = getattr(flows, name)()
    model.make_trajectory(50, pts_per_period=10)  # numba compiles on first use
    t0 = time.perf_counter()
    t, _ = model.make_trajectory(n, pts_per_period=n // periods, return_times=True)
    out[name] = {"horizon": float(t[-1]), "n": n, "seconds": time.perf_counter() - t0}
out["_numba"] = has_module("numba")
print(json.dumps(out))
