#!/usr/bin/env python
"""Benchmark of replenishment planning (docs/planning.md).

`grid` (default): the textbook dual-sourcing grid, slow lead time 2-4 (fast 0),
  premium 5/10/20, (h, b) in 5/95, 5/495, 15/85, demand uniform on 0-4 and 0-8 lots:
  the expected cost per period of the policy the command chooses and of each
  heuristic's best, side by side, with the time to choose.

    python bench/planning.py grid

`part`: the time to choose one part's policy (budget: 2 s median) over a spread of
  product-like inputs (demand over up to 30 lots, lead times 1-8 periods).

    python bench/planning.py part --runs 20

`run` (needs the database with the demo): a whole planning run for every planned part,
  then a second run with unchanged inputs (policies served from the cache).

    python bench/planning.py run
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from planning.policies.choose import choose  # noqa: E402
from planning.policies.heuristics import NoPolicy  # noqa: E402
from planning.policies.model import DualSourcingModel  # noqa: E402

FAMILIES = ("cdi", "di", "tbs", "single")


def _cost(model, kind):
    try:
        return choose(model, kind=kind).chosen.cost
    except NoPolicy:
        return float("nan")


def grid():
    header = f"{'l_r':>3} {'c_e':>3} {'h':>3} {'b':>4} {'D':>6} | {'chosen':>14} "
    header += " ".join(f"{k:>9}" for k in FAMILIES) + f" | {'seconds':>7}"
    print(header)
    for k in (4, 8):
        for hb in ((5, 95), (5, 495), (15, 85)):
            for lead in (2, 3, 4):
                for premium in (5, 10, 20):
                    model = DualSourcingModel(
                        lead_slow=lead,
                        premium=premium,
                        holding=hb[0],
                        backlog=hb[1],
                        demand=(1 / (k + 1),) * (k + 1),
                    )
                    started = time.perf_counter()
                    chosen = choose(model).chosen
                    seconds = time.perf_counter() - started
                    others = " ".join(f"{_cost(model, f):9.4f}" for f in FAMILIES)
                    print(
                        f"{lead:>3} {premium:>3} {hb[0]:>3} {hb[1]:>4} {'U0-' + str(k):>6} | "
                        f"{chosen.kind:>5} {chosen.cost:8.4f} {others} | {seconds:7.2f}",
                        flush=True,
                    )


def part(runs):
    rng = np.random.default_rng(5)
    times = []
    for _ in range(runs):
        k = int(rng.integers(3, 31))
        weights = rng.gamma(2.0, size=k + 1)
        model = DualSourcingModel(
            lead_slow=int(rng.integers(1, 9)),
            premium=float(rng.uniform(0.02, 0.3)),
            holding=0.05,
            backlog=0.95,
            demand=tuple(weights / weights.sum()),
        )
        started = time.perf_counter()
        chosen = choose(model).chosen
        times.append(time.perf_counter() - started)
        print(
            f"k={k:>2} l_r={model.lead_slow} -> {chosen.kind:<6} {chosen.cost:.4f}"
            f" in {times[-1]:.2f} s",
            flush=True,
        )
    print(
        f"one part's policy: median {statistics.median(times):.2f} s, "
        f"max {max(times):.2f} s over {runs} (budget 2 s median)"
    )


def run():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dualsource.settings")
    import django

    django.setup()
    from planning.services import planning_run

    for label in ("first run", "unchanged inputs"):
        started = time.perf_counter()
        result = planning_run()
        print(f"{label}: {result} in {time.perf_counter() - started:.2f} s", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", nargs="?", default="grid", choices=["grid", "part", "run"])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    if args.mode == "grid":
        grid()
    elif args.mode == "part":
        part(args.runs)
    else:
        run()


if __name__ == "__main__":
    main()
