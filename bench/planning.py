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

`run` (PostgreSQL copy of the large demo): against the budget of docs/performance.md,
  the planning run for every planned part within 0.5x the floor (the raw SQL GROUP BY
  supplier, month of bench/kpi_recompute.py, timed in the same run), policies cached
  while their inputs are unchanged. Times, alternating with the floor:
  * the daily run with unchanged inputs (every policy from the cache; asserts that it
    computes none and writes nothing);
  * the first run, which computes every policy whose inputs changed since the stored one
    (on a fresh copy after an upgrade: all), with the time to choose each part's policy
    (budget 2 s median); with --full-runs N also N full runs computing every policy (the
    stored policies deleted first, rolled back after each run).

    createdb -h 127.0.0.1 -U postgres -T bench_large bench_planning
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_planning python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_planning \
        python bench/planning.py run --runs 3
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
    """The family's best cost; a trailing ~ marks a simulated estimate."""
    try:
        best = choose(model, kind=kind).chosen
    except NoPolicy:
        return f"{'-':>9} "
    return f"{best.cost:9.4f}{' ' if best.exact else '~'}"


def grid():
    header = f"{'l_r':>3} {'c_e':>3} {'h':>3} {'b':>4} {'D':>6} | {'chosen':>14} "
    header += "".join(f"{k:>9} " for k in FAMILIES) + f"| {'seconds':>7}"
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
                    others = "".join(_cost(model, f) for f in FAMILIES)
                    print(
                        f"{lead:>3} {premium:>3} {hb[0]:>3} {hb[1]:>4} {'U0-' + str(k):>6} | "
                        f"{chosen.kind:>5} {chosen.cost:8.4f} {others}| {seconds:7.2f}",
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
            f"{'' if chosen.exact else f' ± {chosen.stderr:.4f} (simulated)'}"
            f" in {times[-1]:.2f} s",
            flush=True,
        )
    print(
        f"one part's policy: median {statistics.median(times):.2f} s, "
        f"max {max(times):.2f} s over {runs} (budget 2 s median)"
    )


BUDGET = 0.5


class _Rollback(Exception):
    pass


def _full_run(planning_run, policy_model, results):
    """Every policy computed: the stored ones deleted, everything rolled back after."""
    from django.db import transaction

    try:
        with transaction.atomic():
            policy_model.objects.all().delete()
            results.append(planning_run())
            raise _Rollback
    except _Rollback:
        pass


def _writes(queries):
    verbs = ("INSERT", "UPDATE", "DELETE")
    return [q for q in queries if q["sql"].lstrip().upper().startswith(verbs)]


def run(runs, full_runs):
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from kpi_recompute import raw_aggregate, timed  # sets Django up

    from planning import services
    from planning.models import PlanningSetting, ReplenishmentPolicy

    if connection.vendor != "postgresql":
        raise SystemExit("Run against a PostgreSQL copy of the large demo (DATABASE_URL).")
    planned = PlanningSetting.objects.filter(is_planned=True).count()
    print(f"Database {connection.settings_dict['NAME']}: {planned} planned part × site")
    load = os.getloadavg()
    print(f"Load: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs")
    per_part = []
    real = services.compute_policy

    def timing(inputs, days):
        t0 = time.perf_counter()
        outcome = real(inputs, days)
        per_part.append((time.perf_counter() - t0, outcome.kind, outcome.exact))
        return outcome

    services.compute_policy = timing
    raw = timed(raw_aggregate, 1)
    started = time.perf_counter()
    first = services.planning_run()
    first_seconds = time.perf_counter() - started
    print(f"first run (policies of changed inputs computed): {first} in {first_seconds:.2f} s")
    daily, full, results, full_results = [], [], [], []
    for _ in range(runs):
        raw += timed(raw_aggregate, 1)
        with CaptureQueriesContext(connection) as queries:
            daily += timed(lambda: results.append(services.planning_run()), 1)
        if results[-1].computed or _writes(queries.captured_queries):
            raise SystemExit(f"unchanged inputs recomputed or wrote: {results[-1]}")
    print(
        f"unchanged inputs: {results[-1]}; {len(queries.captured_queries)} queries, no write",
        flush=True,
    )
    for _ in range(full_runs):
        raw += timed(raw_aggregate, 1)
        full += timed(
            lambda: _full_run(services.planning_run, ReplenishmentPolicy, full_results), 1
        )
        print(f"full run: {full_results[-1]} in {full[-1]:.2f} s", flush=True)
    services.compute_policy = real
    _report(raw, daily, full, per_part)
    print(
        f"ratio first run ({first.computed} policies computed) / floor: "
        f"{first_seconds / statistics.median(raw):.2f}"
    )


def _report(raw, daily, full, per_part):
    floor = statistics.median(raw)
    for name, times in (
        ("floor: raw GROUP BY supplier, month", raw),
        ("daily run, unchanged inputs (cached)", daily),
        ("full run, every policy computed", full),
    ):
        if times:
            print(f"{name:<40} median {statistics.median(times):8.3f} s ({len(times)} runs)")
    ratio = statistics.median(daily) / floor
    verdict = "within" if ratio <= BUDGET else "OVER"
    print(f"ratio daily planning run (cached) / floor: {ratio:.3f} (budget <= {BUDGET}: {verdict})")
    if full:
        print(
            f"ratio full planning run (every policy) / floor: {statistics.median(full) / floor:.2f}"
        )
    if per_part:
        seconds = [t for t, _, _ in per_part]
        kinds = {}
        for _, kind, exact in per_part:
            label = kind if exact else f"{kind} (simulated)"
            kinds[label] = kinds.get(label, 0) + 1
        print(
            f"one part's policy: median {statistics.median(seconds):.3f} s, "
            f"p90 {sorted(seconds)[int(0.9 * (len(seconds) - 1))]:.3f} s, "
            f"max {max(seconds):.2f} s over {len(seconds)} (budget 2 s median); kinds {kinds}"
        )
    load = os.getloadavg()
    print(f"Load after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", nargs="?", default="grid", choices=["grid", "part", "run"])
    parser.add_argument("--runs", type=int, help="default: 20 for part, 3 for run")
    parser.add_argument(
        "--full-runs", type=int, default=0, help="run: full runs (rolled back) to time"
    )
    args = parser.parse_args()
    if args.mode == "grid":
        grid()
    elif args.mode == "part":
        part(args.runs or 20)
    else:
        run(args.runs or 3, args.full_runs)


if __name__ == "__main__":
    main()
