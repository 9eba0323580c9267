#!/usr/bin/env python3
"""Regenerates the dysts-derived files of scoredyn from the dysts package itself.

    bash scripts/dysts_reference.sh      # installs dysts from PyPI into a venv, then runs this

Writes
  src/dynamics/catalog.json          metadata of every system in dysts' chaotic_attractors.json
  tests/fixtures/dysts_reference.json  for every non-delay flow: dysts' right-hand side at the
                                     catalog initial condition, the post-processed initial
                                     condition, and the state after a short horizon integrated
                                     by scipy's DOP853 at rtol = atol = 1e-13.
"""
import json
import pathlib
import sys

import numpy as np
from scipy.integrate import solve_ivp

import dysts
import dysts.flows

ROOT = pathlib.Path(__file__).resolve().parent.parent
KEEP = [
    "description", "citation", "dt", "period", "parameters", "initial_conditions",
    "embedding_dimension", "nonautonomous", "delay", "hamiltonian",
    "maximum_lyapunov_estimated", "correlation_dimension", "kaplan_yorke_dimension",
    "mean", "std", "unbounded_indices",
]


def main():
    src = pathlib.Path(dysts.__file__).parent / "data" / "chaotic_attractors.json"
    meta = json.loads(src.read_text())
    catalog = {
        "source": f"dysts {dysts.__version__ if hasattr(dysts, '__version__') else ''} chaotic_attractors.json".replace("  ", " "),
        "systems": {name: {k: entry.get(k) for k in KEEP} for name, entry in sorted(meta.items())},
    }
    (ROOT / "src/dynamics/catalog.json").write_text(json.dumps(catalog, indent=1, sort_keys=False) + "\n")

    fixture = {"solver": "scipy DOP853 rtol=atol=1e-13", "systems": {}}
    for name, entry in sorted(meta.items()):
        if entry["delay"]:
            continue
        model = getattr(dysts.flows, name)()
        ic = np.asarray(model.ic, dtype=float)
        rhs0 = np.asarray(model.rhs(ic, 0.0), dtype=float)
        horizon = 0.1 * float(entry["period"])
        sol = solve_ivp(lambda t, x: np.asarray(model.rhs(x, t), dtype=float), (0.0, horizon), ic,
                        method="DOP853", rtol=1e-13, atol=1e-13)
        if not sol.success:
            print(f"{name}: {sol.message}", file=sys.stderr)
            continue
        record = {"rhs_at_ic": rhs0.tolist(), "horizon": horizon, "state_at_horizon": sol.y[:, -1].tolist()}
        post = getattr(model, "_postprocessing", None)
        if post is not None:
            record["post_at_ic"] = np.asarray(post(*ic), dtype=float).tolist()
        fixture["systems"][name] = record
    (ROOT / "tests/fixtures/dysts_reference.json").write_text(json.dumps(fixture, indent=1) + "\n")
    print(f"catalog: {len(catalog['systems'])} systems; fixture: {len(fixture['systems'])} flows")


if __name__ == "__main__":
    main()
