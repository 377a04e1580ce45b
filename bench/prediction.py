#!/usr/bin/env python
"""Benchmark of the late-risk prediction against its budgets: scoring every open line
within 0.5× the floor, training (with its 6-month backtest) within 10× the floor and
2 GB of memory. The floor is one raw SQL GROUP BY supplier, month over the PO lines
joined to their receipts (bench/kpi_recompute.py), measured in the same run.

Runs on any seeded database (SQLite or PostgreSQL), e.g. the small demo:

    DATABASE_URL=sqlite:////tmp/demo.sqlite3 python bench/prediction.py --runs 3

Prints the timings, the ratios, the peak memory of this process and the backtest lines.
"""

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from kpi_recompute import raw_aggregate, timed  # noqa: E402  (sets Django up)

from prediction.models import LineRisk  # noqa: E402
from prediction.services import lateness_train, lines_score  # noqa: E402
from purchasing.models import PurchaseOrderLine  # noqa: E402

SCORE_BUDGET = 0.5
TRAIN_BUDGET = 10.0
MEMORY_BUDGET_MB = 2048


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    lines = PurchaseOrderLine.objects.count()
    open_lines = PurchaseOrderLine.objects.filter(status="open").count()
    print(
        f"Database {connection.vendor} {connection.settings_dict['NAME']}: {lines:,} lines "
        f"({open_lines:,} open), as of {timezone.localdate()}"
    )
    print(
        f"Load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} "
        f"on {os.cpu_count()} CPUs"
    )
    # Floor and scoring alternate, so a load spike on the shared machine hits both.
    raw, score = [], []
    for _ in range(args.runs):
        raw += timed(raw_aggregate, 1)
        score += timed(lines_score, 1)
    t0 = time.perf_counter()
    model = lateness_train(score=False)
    train = time.perf_counter() - t0
    raw += timed(raw_aggregate, 1)
    floor = statistics.median(raw)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"floor (raw GROUP BY supplier, month): median {floor:.3f} s over {len(raw)} runs")
    scored = LineRisk.objects.count()
    print(f"scoring {scored:,} open lines: median {statistics.median(score):.3f} s")
    print(
        f"training v{model.version} ({model.samples:,} samples of {model.lines:,} lines, "
        f"with backtest): {train:.2f} s"
    )
    print(f"peak memory: {peak_mb:.0f} MB (budget {MEMORY_BUDGET_MB} MB)")
    print(f"ratio scoring / floor: {statistics.median(score) / floor:.2f} (budget {SCORE_BUDGET})")
    print(f"ratio training / floor: {train / floor:.2f} (budget {TRAIN_BUDGET})")
    for row in model.metrics.get("months", []):
        figures = " ".join(
            f"{key}={row[key]:.4f}"
            for key in ("auc", "baseline_auc", "brier", "baseline_brier")
            if row.get(key) is not None
        )
        print(
            f"{row['month']}: {row['test_lines']} test lines, "
            f"{row['train_samples']} samples {figures}"
        )
    print(f"in use: {model.in_use}")
    for name, value in (
        ("auc", model.auc),
        ("baseline auc", model.baseline_auc),
        ("brier", model.brier),
        ("baseline brier", model.baseline_brier),
    ):
        print(f"{name}: {'n/a' if value is None else f'{value:.4f}'}")


if __name__ == "__main__":
    main()
