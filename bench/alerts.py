#!/usr/bin/env python
"""Benchmark of the alert scan and its freshness against the budgets of docs/performance.md.

`scan` (default; PostgreSQL with the large demo, a copy of bench_large, migrated):
  one full alert scan, first (every alert inserted) and steady state (the scan every 15
  minutes: nothing new), against the floor of bench/kpi_recompute.py (one raw GROUP BY
  supplier, month over the PO lines joined to their receipts) in the same run; budget
  ≤ 0.5× the floor.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_alerts python bench/alerts.py

`latency` (the embedded default: SQLite, filesystem broker, a real worker): a receipt
posted through the API that makes a past-due line whole, until its alert is resolved;
and an inspection posted through the API whose defects breach the contract's PPM target,
until the kpi_below_target alert is raised (scorecard refresh, then the scan). Budget
10 s each. Runs in a fresh var/ folder of its own.

    python bench/alerts.py latency --runs 3
"""

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dualsource.settings")
    import django

    django.setup()


def show(name: str, times: list[float]) -> None:
    runs = ", ".join(f"{t:.3f}" for t in times)
    print(f"{name:<46} median {statistics.median(times):8.3f} s   ({runs})")


# --- scan ------------------------------------------------------------------------------


def _require_migrated(connection) -> None:
    """A copy of an older bench_large would measure the old schema (its indexes and
    constraints), not the code's."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise SystemExit("Migrate the copy first: python manage.py migrate")


def scan_bench(runs: int) -> None:
    _setup_django()
    from django.db import connection, transaction
    from kpi_recompute import raw_aggregate

    from alerts.models import Alert, EmailDelivery
    from alerts.services import alerts_scan

    if connection.vendor != "postgresql":
        raise SystemExit("The scan benchmark needs DATABASE_URL (a copy of bench_large).")
    _require_migrated(connection)
    from purchasing.models import PurchaseOrderLine

    print(f"Order lines: {PurchaseOrderLine.objects.count():,}")
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"Load: {load} on {os.cpu_count()} CPUs")
    # No emails from a benchmark: the deliveries are created, never sent.
    from unittest import mock

    def timed(fn, before=None):
        times = []
        for _ in range(runs):
            if before:
                before()
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
        return times

    def reset():
        with transaction.atomic():
            EmailDelivery.objects.all().delete()
            Alert.objects.all().delete()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE alerts_alert")

    result = {}

    def scan():
        with mock.patch("alerts.delivery.task_queue_on_commit"):
            result["last"] = alerts_scan()

    raw_aggregate()  # warm the cache the same way for both
    floor = timed(raw_aggregate)
    first = timed(scan, reset)
    summary = result["last"].as_dict()
    steady = timed(scan)
    print(f"Alerts open after a scan: {summary['opened']:,}")
    for kind, counts in summary["by_kind"].items():
        print(f"  {kind:<24} {counts['opened']:>8,}")
    print()
    show("Raw SQL aggregate (lines ⋈ receipts), floor", floor)
    show("Full alert scan, first (all alerts inserted)", first)
    show("Full alert scan, steady state (every 15 min)", steady)
    base = statistics.median(floor)
    print(f"Ratio first scan / floor:  {statistics.median(first) / base:.2f} (budget ≤ 0.5)")
    print(f"Ratio steady scan / floor: {statistics.median(steady) / base:.2f} (budget ≤ 0.5)")


# --- latency ---------------------------------------------------------------------------


def latency_bench(runs: int) -> None:
    var_dir = Path(tempfile.mkdtemp(prefix="dualsource-alerts-bench-"))
    for name in ("DATABASE_URL", "REDIS_URL"):
        os.environ.pop(name, None)
    os.environ["DUALSOURCE_VAR_DIR"] = str(var_dir)
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.filebased.EmailBackend"
    os.environ["EMAIL_FILE_PATH"] = str(var_dir / "emails")
    _setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    world = _latency_world(runs)
    celery = Path(sys.executable).with_name("celery")
    worker = subprocess.Popen(
        [str(celery), "-A", "dualsource", "worker", "--pool=solo", "--loglevel=WARNING"],
        cwd=ROOT,
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(8)  # the worker starts and drains the setup's queue
        resolved, raised = [], []
        for run in range(runs):
            resolved.append(_receipt_resolves(world, run))
            raised.append(_inspection_breaches(world, run))
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    print(f"Embedded default: SQLite + filesystem broker + one worker, under {var_dir}")
    show("Receipt posted → its past-due alert resolved", resolved)
    show("Defective inspection → kpi_below_target raised", raised)
    print(f"Budget 10 s: worst {max(resolved + raised):.2f} s")


def _latency_world(runs: int) -> dict:
    from decimal import Decimal

    from django.utils import timezone
    from rest_framework.test import APIClient

    from accounts.roles import Role
    from accounts.services import user_create
    from alerts.services import alerts_scan
    from contracts.models import Contract
    from parts.models import Part
    from purchasing.models import PurchaseOrder, PurchaseOrderLine, Receipt
    from scorecards.services import scorecard_recompute
    from suppliers.models import Supplier

    buyer = user_create(
        username="bench-buyer", password="bench-password-1", role=Role.BUYER, email="b@x.test"
    )
    today = timezone.localdate()
    world = {"api": APIClient(), "today": today, "suppliers": []}
    world["api"].force_authenticate(buyer)
    # LAT0: ten lines received, ten past due; LAT1…: ten received lines each, one per run
    # of the breach test, not inspected yet.
    for n in range(1 + runs):
        supplier = Supplier.objects.create(
            code=f"LAT{n}", name=f"Latency {n}", country="DE", currency="EUR", owner=buyer
        )
        Contract.objects.create(
            supplier=supplier,
            reference=f"C-LAT{n}",
            valid_from=today - dt.timedelta(days=400),
            defect_ppm_target=Decimal("500"),
            otd_target_pct=Decimal("0"),
        )
        part = Part.objects.create(number=f"PL-{n}", name="Latency part")
        po = PurchaseOrder.objects.create(
            number=f"PO-LAT{n}",
            supplier=supplier,
            order_date=today - dt.timedelta(days=60),
            currency="EUR",
        )
        for line_number in range(1, 21 if n == 0 else 11):
            due = today - dt.timedelta(days=10)
            line = PurchaseOrderLine.objects.create(
                purchase_order=po,
                line_number=line_number,
                part=part,
                quantity=Decimal("100"),
                unit_price=Decimal("1"),
                requested_date=due,
                promised_date=due,
                expected_date=due,
                acknowledged_at=timezone.now(),
            )
            if line_number <= 10:
                Receipt.objects.create(
                    number=f"GR-LAT{n}-{line_number}",
                    line=line,
                    receipt_date=due,
                    quantity=Decimal("100"),
                    cost_currency="EUR",
                )
        world["suppliers"].append(supplier)
    scorecard_recompute(as_of=today)
    alerts_scan()
    return world


def _wait(condition, timeout: float = 30.0) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if condition():
            return time.perf_counter() - started
        time.sleep(0.05)
    raise SystemExit(f"Not within {timeout:.0f} s: the worker did not get there.")


def _receipt_resolves(world: dict, run: int) -> float:
    from alerts.models import Alert

    line = 11 + run
    alert = Alert.objects.get(
        kind="line_past_due", purchase_order__number="PO-LAT0", line__line_number=line
    )
    body = {
        "number": f"GR-LATE-{run}",
        "purchase_order": "PO-LAT0",
        "line": line,
        "receipt_date": world["today"].isoformat(),
        "quantity": "100",
    }
    started = time.perf_counter()
    response = world["api"].post("/api/v1/receipts/", body, format="json")
    assert response.status_code == 201, response.content
    _wait(lambda: Alert.objects.filter(pk=alert.pk, state="resolved").exists())
    return time.perf_counter() - started


def _inspection_breaches(world: dict, run: int) -> float:
    from alerts.models import Alert

    supplier = world["suppliers"][1 + run]
    key = f"kpi_below_target:{supplier.pk}:defect_ppm"
    body = [
        {
            "receipt": f"GR-{supplier.code}-{n}",
            "inspection_date": world["today"].isoformat(),
            "inspected_quantity": "100",
            "defective_quantity": "5" if n == 1 else "0",
        }
        for n in range(1, 11)
    ]
    started = time.perf_counter()
    response = world["api"].post("/api/v1/inspections/", body, format="json")
    assert response.status_code == 201, response.content
    _wait(lambda: Alert.objects.filter(dedupe_key=key, state="open").exists())
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", nargs="?", choices=["scan", "latency"], default="scan")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if args.mode == "scan":
        scan_bench(args.runs)
    else:
        latency_bench(args.runs)


if __name__ == "__main__":
    main()
