#!/usr/bin/env python
"""Benchmark of the rules engine against the budget of docs/performance.md: evaluating
every rule within 0.5× the floor (one raw SQL GROUP BY supplier, month over the PO lines
joined to their receipts, the query of bench/kpi_recompute.py), both measured in the same
run.

Times, on a copy of the large demo (its ~10,000 contract rules and current scorecards):
  * a first evaluation that takes decisions (share shifts, exceptions, firings written),
    rolled back after each run so every run sees the same facts;
  * a repeated evaluation of the same facts (after one committed run): nothing new;
  * the floor;
and prints medians, ratios, the decisions and the automation rate of the committed run.

    createdb -h 127.0.0.1 -U postgres -T bench_large bench_rules
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_rules python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_rules python bench/rules.py --runs 3

The large demo evaluates its rules once while loading: `--forget` deletes those decisions
first (the shares they moved stay moved), so the timed evaluation decides again.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from kpi_recompute import raw_aggregate, timed  # noqa: E402  (sets Django up)

from contracts.models import ContractRule  # noqa: E402
from rules.models import AllocationChange, AllocationException, RuleFiring  # noqa: E402
from rules.selectors import automation_rate  # noqa: E402
from rules.services import rules_evaluate  # noqa: E402
from scorecards.models import SupplierScorecard  # noqa: E402

BUDGET = 0.5


class _Rollback(Exception):
    pass


def evaluate_rolled_back(results: list) -> None:
    try:
        with transaction.atomic():
            results.append(rules_evaluate())
            raise _Rollback
    except _Rollback:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--forget",
        action="store_true",
        help="Delete the decisions an earlier evaluation wrote (the large demo evaluates its "
        "rules once while loading), so the next evaluation decides again; the shares it "
        "moved stay where they are.",
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("Run against a PostgreSQL copy of the large demo (DATABASE_URL).")
    if args.forget:
        with transaction.atomic():
            for model in (RuleFiring, AllocationException, AllocationChange):
                model.objects.all().delete()
    if RuleFiring.objects.exists():
        raise SystemExit(
            "This copy has been evaluated before: take a fresh copy of bench_large, or --forget."
        )
    rules = ContractRule.objects.filter(is_active=True).count()
    cards = SupplierScorecard.objects.filter(period="rolling-90").count()
    print(
        f"Database {connection.settings_dict['NAME']}: {ContractRule.objects.count():,} rules "
        f"({rules:,} active), {cards:,} current supplier scorecards, as of {timezone.localdate()}"
    )
    print(
        f"Load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} "
        f"on {os.cpu_count()} CPUs"
    )

    # Floor and evaluation alternate, so a load spike on the shared machine hits both.
    raw, first, results = [], [], []
    for _ in range(args.runs):
        raw += timed(raw_aggregate, 1)
        first += timed(lambda: evaluate_rolled_back(results), 1)
    t0 = time.perf_counter()
    committed = rules_evaluate()
    committed_seconds = time.perf_counter() - t0
    repeat, repeat_results = [], []
    rows_before = _decision_rows()
    for _ in range(args.runs):
        raw += timed(raw_aggregate, 1)
        repeat += timed(lambda: repeat_results.append(rules_evaluate()), 1)

    new_rows = _decision_rows() - rows_before
    floor = statistics.median(raw)
    for name, times in (
        ("floor: raw GROUP BY supplier, month", raw),
        ("evaluate every rule (decisions, rolled back)", first),
        ("evaluate the same facts again", repeat),
    ):
        print(f"{name:<46} median {statistics.median(times):8.3f} s   ({len(times)} runs)")
    print(f"{'evaluate every rule (committed once)':<46}        {committed_seconds:8.3f} s")
    ratio = statistics.median(first) / floor
    verdict = "within" if ratio <= BUDGET else "OVER"
    print(f"Ratio evaluate / floor: {ratio:.2f} (budget ≤ {BUDGET}: {verdict})")
    print(f"Ratio repeat / floor:   {statistics.median(repeat) / floor:.2f}")
    c = committed
    print(
        f"Decisions: {c.rules:,} rules, {c.breaches:,} fired, {c.applied:,} share shifts applied, "
        f"{c.exceptions:,} exceptions, {c.notified:,} notified, {c.price_tiers:,} price tiers, "
        f"{c.skipped:,} skipped, {c.low_sample:,} low-sample figures ignored"
    )
    # A breach with nothing to do (a volume rule before its first price tier) is counted
    # as fired each time but writes nothing; a decision is a row written.
    again = sum(r.breaches for r in repeat_results)
    print(
        f"Repeated evaluations: {again} breaches seen again, {new_rows} new decision rows "
        "(changes, exceptions, firings; idempotent: 0 expected)"
    )
    print(
        f"Rows: {AllocationChange.objects.count():,} allocation changes, "
        f"{AllocationException.objects.count():,} exceptions, "
        f"{RuleFiring.objects.count():,} firings"
    )
    rate = automation_rate()
    print(
        f"Automation rate {rate['period']}: {rate['automation_rate_pct']} % "
        f"({rate['applied']} applied alone, {rate['exceptions']} exceptions)"
    )


def _decision_rows() -> int:
    return (
        AllocationChange.objects.count()
        + AllocationException.objects.count()
        + RuleFiring.objects.count()
    )


if __name__ == "__main__":
    main()
