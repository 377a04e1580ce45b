#!/usr/bin/env python
"""Benchmark of the KPI engine against the budgets of docs/performance.md.

Times, in one run, on the rows already in the database (demo data or `--generate`; it
changes them, so run it on a copy):
  * the floor: one raw SQL GROUP BY supplier, month over the PO lines joined to their
    receipts;
  * the full rebuild, cold (scorecard tables emptied first: every row inserted) and warm
    (unchanged facts);
  * the refresh of the busiest supplier after one new receipt (the per-posting task);
  * the nightly refresh after a realistic day of changes through the services (1 % of
    the lines acknowledged or received, three FX rates, one contract edit), each run the
    next night;
and prints medians, the peak memory of this process, and one `ratio … / floor:` line per
budget (nightly ≤ 1.5, full warm ≤ 5, one supplier ≤ 0.1).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_kpi \\
        python bench/kpi_recompute.py --generate large --runs 3

`--generate small|large` bulk-inserts synthetic facts with generate_series
(PostgreSQL only) into an otherwise empty database; `large` is the budget scale of
docs/performance.md: 2,000 suppliers, 20,000 parts (two sources each), 1,000,000 PO
lines, ~1,200,000 receipts, ~600,000 inspections over 36 months.
"""

import argparse
import contextlib
import datetime as dt
import functools
import itertools
import os
import random
import resource
import statistics
import sys
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dualsource.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402

from contracts.models import Contract  # noqa: E402
from contracts.services import contract_update  # noqa: E402
from outbox.models import PendingCell  # noqa: E402
from purchasing.models import (  # noqa: E402
    FxRate,
    Inspection,
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
)
from purchasing.services import (  # noqa: E402
    fx_rates_upsert,
    purchase_order_line_acknowledge,
    receipts_create,
)
from scorecards.models import PartScorecard, SupplierScorecard  # noqa: E402
from scorecards.refresh import scorecard_refresh_nightly, scorecard_refresh_pending  # noqa: E402
from scorecards.services import RECOMPUTE_SETTINGS, scorecard_recompute  # noqa: E402
from suppliers.models import Supplier  # noqa: E402

SIZES = {
    "small": {"suppliers": 100, "parts": 1_000, "lines": 50_000},
    "large": {"suppliers": 2_000, "parts": 20_000, "lines": 1_000_000},
}
MONTHS = 36

RAW_AGGREGATE = """
    SELECT po.supplier_id, {month} AS month, COUNT(*), SUM(l.quantity), SUM(r.quantity)
    FROM purchasing_purchaseorderline l
    JOIN purchasing_purchaseorder po ON po.id = l.purchase_order_id
    LEFT JOIN purchasing_receipt r ON r.line_id = l.id
    GROUP BY po.supplier_id, {month}
"""


def generate(size: str, as_of: dt.date) -> None:
    """Synthetic facts, inserted set-based; every part has two sources."""
    if connection.vendor != "postgresql":
        raise SystemExit("--generate needs PostgreSQL (it uses generate_series).")
    if PurchaseOrderLine.objects.exists():
        raise SystemExit("The database already holds order lines; generate into an empty one.")
    n = SIZES[size]
    suppliers, parts, lines = n["suppliers"], n["parts"], n["lines"]
    start = as_of - dt.timedelta(days=MONTHS * 365 // 12)
    span = (as_of - start).days
    params = {
        "suppliers": suppliers,
        "parts": parts,
        "lines": lines,
        "orders": lines // 2,
        "half": suppliers // 2,
        "parts_per_role": parts // suppliers,
        "start": start,
        "span": span,
        "as_of": as_of,
    }
    statements = [
        "SELECT setseed(0.42)",
        """INSERT INTO suppliers_supplier (id, code, name, country, region, currency, status,
                                           created_at, updated_at)
           SELECT i, 'BS' || lpad(i::text, 5, '0'), 'Bench supplier ' || i, 'DE', 'EMEA',
                  (ARRAY['EUR', 'EUR', 'USD', 'GBP', 'CNY'])[1 + i %% 5], 'approved', now(), now()
           FROM generate_series(1, %(suppliers)s) i""",
        """INSERT INTO parts_part (id, number, name, unit, specification_reference,
                                   specification_revision, is_critical)
           SELECT i, 'BP-' || lpad(i::text, 6, '0'), 'Bench part ' || i, 'ea', '', '', true
           FROM generate_series(1, %(parts)s) i""",
        """INSERT INTO contracts_contract (id, reference, valid_from, valid_to,
               early_tolerance_days, late_tolerance_days, otd_target_pct, defect_ppm_target,
               notes, supplier_id, invoice_price_tolerance_pct, invoice_quantity_tolerance,
               over_delivery_tolerance_pct)
           SELECT i, 'BC-' || i, %(start)s::date - 400, NULL, 3, i %% 3, 95, 500, '', i, 0, 0.5,
                  10
           FROM generate_series(1, %(suppliers)s) i""",
        """INSERT INTO purchasing_fxrate (currency, date, rate)
           SELECT c.currency, (%(start)s::date - 31) + m * 30, c.base + 0.01 * sin(m)
           FROM (VALUES ('USD', 0.9), ('GBP', 1.15), ('CNY', 0.13)) c(currency, base),
                generate_series(0, %(span)s / 30 + 2) m
           WHERE NOT (c.currency = 'CNY' AND m < 3)""",
        """INSERT INTO purchasing_purchaseorder (id, number, order_date, currency, created_at,
                                                 supplier_id, site_id)
           SELECT i, 'BPO-' || lpad(i::text, 8, '0'),
                  %(start)s::date + (i::bigint * %(span)s / %(orders)s)::int,
                  (ARRAY['EUR', 'EUR', 'USD', 'GBP', 'CNY'])[1 + (1 + i %% %(suppliers)s) %% 5],
                  now(), 1 + i %% %(suppliers)s, (SELECT MIN(id) FROM sites_site)
           FROM generate_series(1, %(orders)s) i""",
        # Supplier s supplies parts s + k·S (its own) and those of supplier s ± S/2 (shared).
        """INSERT INTO purchasing_purchaseorderline (id, line_number, quantity, unit_price,
               requested_date, promised_date, acknowledged_at, expected_date, status, part_id,
               purchase_order_id, is_spot_buy, is_over_delivered)
           SELECT l.id, 1 + l.id %% 2, q.quantity, q.price, q.promised, q.promised, now(),
                  q.promised + (random() * 4)::int,
                  CASE WHEN random() < 0.02 THEN 'cancelled' WHEN q.promised < %(as_of)s
                       THEN 'closed' ELSE 'open' END,
                  1 + ((CASE WHEN q.k < q.roles THEN po.supplier_id - 1
                             ELSE (po.supplier_id - 1 + %(half)s) %% %(suppliers)s END)
                       + %(suppliers)s * (q.k %% q.roles)) %% %(parts)s,
                  po.id, false, false
           FROM generate_series(1, %(lines)s) l(id)
           JOIN purchasing_purchaseorder po ON po.id = (l.id + 1) / 2
           CROSS JOIN LATERAL (
               SELECT (10 + floor(random() * 490))::numeric AS quantity,
                      round((5 + random() * 95)::numeric, 2) AS price,
                      po.order_date + 20 + (random() * 40)::int AS promised,
                      (random() * 2 * %(parts_per_role)s)::int %% (2 * %(parts_per_role)s) AS k,
                      %(parts_per_role)s AS roles
               OFFSET 0
           ) q""",
        # One receipt per delivered line, a split second one for one line in five.
        """INSERT INTO purchasing_receipt (number, receipt_date, quantity, freight, duty,
               other_costs, cost_currency, created_at, line_id)
           SELECT 'BGR-' || l.id || '-' || s.part,
                  l.promised_date + (d.shift + (s.part - 1) * 7)::int,
                  CASE WHEN l.id %% 5 <> 0 THEN l.quantity
                       WHEN s.part = 1 THEN round(l.quantity * 0.6)
                       ELSE l.quantity - round(l.quantity * 0.6) END,
                  round((random() * 50)::numeric, 2), round((random() * 10)::numeric, 2), 0,
                  CASE WHEN l.id %% 7 = 0 THEN 'USD' ELSE 'EUR' END, now(), l.id
           FROM purchasing_purchaseorderline l
           CROSS JOIN LATERAL generate_series(1, CASE WHEN l.id %% 5 = 0 THEN 2 ELSE 1 END)
               s(part)
           CROSS JOIN LATERAL (SELECT ((random() * 12)::int - 5 + 0 * l.id)::int AS shift) d
           WHERE l.promised_date <= %(as_of)s - 10""",
        """INSERT INTO purchasing_inspection (inspection_date, inspected_quantity,
               defective_quantity, defect_codes, disposition, created_at, receipt_id)
           SELECT r.receipt_date + 1, r.quantity,
                  CASE WHEN random() < 0.1 THEN least(r.quantity, 1 + floor(random() * 5))
                       ELSE 0 END,
                  '[]'::jsonb, 'accept', now(), r.id
           FROM purchasing_receipt r WHERE r.id %% 2 = 0""",
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in statements:
            t0 = time.perf_counter()
            cursor.execute(statement, params)
            label = " ".join(statement.split()[:3])
            print(f"  {label:<48} {time.perf_counter() - t0:6.1f} s", flush=True)
        for table in (
            "suppliers_supplier",
            "parts_part",
            "contracts_contract",
            "purchasing_purchaseorder",
            "purchasing_purchaseorderline",
        ):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT MAX(id) FROM {table}))"
            )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


class StatementTimes:
    """With `--statements`: the SQL statements of a measurement, timed, so the one that
    holds a budget can be named (then EXPLAIN (ANALYZE, BUFFERS) it by hand)."""

    def __init__(self):
        self.seconds: dict[str, list[float]] = {}

    def __call__(self, execute, sql, params, many, context):
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            key = " ".join(sql.split())[:150]
            self.seconds.setdefault(key, []).append(time.perf_counter() - t0)

    def show(self, name: str, runs: int, top: int = 8) -> None:
        ranked = sorted(self.seconds.items(), key=lambda kv: -sum(kv[1]))[:top]
        print(f"  slowest statements of {name} (seconds per run, calls per run):")
        for sql, times in ranked:
            print(f"    {sum(times) / runs:8.3f} s {len(times) / runs:6.0f}×  {sql}")


# Set by `--statements`: the statements of the timed refreshes (not of the changes before).
STATEMENTS: dict = {}


def statements_timed(name: str):
    """A context timing each statement under `name` (nothing without `--statements`)."""
    if not STATEMENTS.get("enabled"):
        return contextlib.nullcontext()
    return connection.execute_wrapper(STATEMENTS.setdefault(name, StatementTimes()))


def timed(fn, runs: int, before=None, name: str = "") -> list[float]:
    times = []
    for _ in range(runs):
        if before:
            before()
        with statements_timed(name):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
    return times


def raw_aggregate() -> None:
    """The floor, with the session settings the recompute itself runs with."""
    postgresql = connection.vendor == "postgresql"
    month = (
        "to_char(l.promised_date, 'YYYY-MM')"
        if postgresql
        else "strftime('%Y-%m', l.promised_date)"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        if postgresql:
            for setting, value in RECOMPUTE_SETTINGS.items():
                cursor.execute(f"SET LOCAL {setting} = {value}")
        cursor.execute(RAW_AGGREGATE.format(month=month))
        cursor.fetchall()


def scorecards_truncate() -> None:
    with transaction.atomic():
        PartScorecard.objects.all().delete()
        SupplierScorecard.objects.all().delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE scorecards_partscorecard")
            cursor.execute("VACUUM ANALYZE scorecards_supplierscorecard")


def busiest_supplier_id() -> int:
    return (
        PurchaseOrderLine.objects.values("purchase_order__supplier_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("purchase_order__supplier_id", flat=True)
        .first()
    )


def one_supplier_runs(runs: int, as_of: dt.date) -> list[float]:
    """One new receipt for the busiest supplier, then the refresh its task runs (the
    marked cells and that supplier's rolling window)."""
    scorecard_refresh_pending(as_of=as_of)  # nothing else waiting
    supplier_id = busiest_supplier_id()
    lines = list(
        PurchaseOrderLine.objects.filter(purchase_order__supplier_id=supplier_id)
        .exclude(status=PurchaseOrderLine.Status.CANCELLED)
        .order_by("-promised_date")[:runs]
    )
    times = []
    for line in lines:
        receipts_create(receipts=[_receipt(line, as_of)])
        with statements_timed("one supplier"):
            t0 = time.perf_counter()
            scorecard_refresh_pending(as_of=as_of)
            times.append(time.perf_counter() - t0)
    return times


def _receipt(line, day: dt.date) -> Receipt:
    return Receipt(
        number=f"BENCH-{next(_numbers)}-{timezone.now():%H%M%S%f}",
        line=line,
        receipt_date=day,
        quantity=Decimal("1"),
        cost_currency="EUR",
    )


_numbers = itertools.count(1)


def a_day_of_changes(day: dt.date, *, share: float = 0.01) -> dict:
    """A realistic day, through the services: `share` of the lines acknowledged (a fifth)
    or received (the rest), a few FX rates, one contract edit."""
    total = PurchaseOrderLine.objects.count()
    wanted = int(total * share)
    open_lines = PurchaseOrderLine.objects.filter(status=PurchaseOrderLine.Status.OPEN)
    rng = random.Random(day.toordinal())
    acknowledged = 0
    with transaction.atomic():
        for line in open_lines.select_related("purchase_order").order_by("?")[: wanted // 5]:
            if line.acknowledged_at is None:
                purchase_order_line_acknowledge(line=line, promised_date=line.promised_date)
            else:
                purchase_order_line_acknowledge(
                    line=line,
                    promised_date=line.expected_date + dt.timedelta(days=3),
                    reason="capacity",
                )
            acknowledged += 1
    received = list(open_lines.order_by("?")[: wanted - acknowledged])
    for i in range(0, len(received), 1000):
        receipts_create(receipts=[_receipt(line, day) for line in received[i : i + 1000]])
    currencies = list(FxRate.objects.values_list("currency", flat=True).distinct())
    for currency in rng.sample(currencies, 3):
        latest = FxRate.objects.filter(currency=currency).order_by("-date").first()
        fx_rates_upsert(
            rates=[FxRate(currency=currency, date=day, rate=latest.rate * Decimal("1.01"))]
        )
    contract = Contract.objects.order_by("valid_from", "pk").first()
    contract_update(contract=contract, late_tolerance_days=(contract.late_tolerance_days + 1) % 5)
    return {
        "acknowledged": acknowledged,
        "received": len(received),
        "fx rates": 3,
        "contracts": 1,
        "cells marked": PendingCell.objects.count(),
    }


def nightly_runs(runs: int, today: dt.date) -> list[float]:
    """Each run is the next night: a day of changes, then the nightly refresh."""
    times = []
    for i in range(1, runs + 1):
        day = today + dt.timedelta(days=i)
        changes = a_day_of_changes(day)
        with statements_timed("nightly"):
            t0 = time.perf_counter()
            result = scorecard_refresh_nightly(as_of=day)
            times.append(time.perf_counter() - t0)
        print(
            f"  night {day}: "
            + ", ".join(f"{v:,} {k}" for k, v in changes.items())
            + f"; {result.rows_written:,} rows written, {result.rows_deleted:,} deleted"
        )
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--generate", choices=sorted(SIZES), help="Insert synthetic facts first.")
    parser.add_argument("--runs", type=int, default=3, help="Timed runs of each measurement.")
    parser.add_argument("--skip-cold", action="store_true", help="Only warm full recomputes.")
    parser.add_argument(
        "--statements", action="store_true", help="Print the slowest statements of each."
    )
    args = parser.parse_args()

    print(f"Database: {connection.vendor} {connection.settings_dict['NAME']}")
    print(f"Load before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")
    call_command("migrate", verbosity=0)
    if args.generate:
        print(f"Generating {args.generate} data set …")
        generate(args.generate, timezone.localdate())

    counts = {
        "suppliers": Supplier.objects.count(),
        "order lines": PurchaseOrderLine.objects.count(),
        "orders": PurchaseOrder.objects.count(),
        "receipts": Receipt.objects.count(),
        "inspections": Inspection.objects.count(),
    }
    print("Rows: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()), flush=True)

    today = timezone.localdate()
    tracemalloc.start()
    raw = timed(raw_aggregate, args.runs + 1)[1:]  # the first run warms the cache
    result = scorecard_recompute(as_of=today)  # creates every row, warms the cache
    print(
        f"First full recompute: {result.seconds:.2f} s, {result.supplier_rows:,} supplier rows, "
        f"{result.part_rows:,} part rows",
        flush=True,
    )
    rebuild = functools.partial(scorecard_recompute, as_of=today)
    # The machine is shared and its load drifts: the floor is timed again before each
    # measurement, and its median over the whole run is the reference.
    cold = [] if args.skip_cold else timed(rebuild, args.runs, scorecards_truncate)
    raw += timed(raw_aggregate, 1)
    if args.statements:
        STATEMENTS["enabled"] = True
    warm = timed(rebuild, args.runs, name="full warm")
    raw += timed(raw_aggregate, 1)
    one = one_supplier_runs(args.runs, today)
    raw += timed(raw_aggregate, 1)
    nightly = nightly_runs(args.runs, today)
    raw += timed(raw_aggregate, 1)
    _, peak_python = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux

    def show(name, times):
        if times:
            runs = ", ".join(f"{t:.2f}" for t in times)
            print(f"{name:<44} median {statistics.median(times):8.3f} s   ({runs})")

    floor = statistics.median(raw)
    print()
    show("Floor: raw SQL aggregate (lines ⋈ receipts)", raw)
    show("Nightly refresh after a day of changes", nightly)
    show("Full rebuild, warm", warm)
    show("Full rebuild, cold (all rows inserted)", cold)
    show("One supplier (busiest) after one receipt", one)
    for name in ("full warm", "one supplier", "nightly"):
        if name in STATEMENTS:
            STATEMENTS[name].show(name, args.runs)
    print(f"Peak memory: Python heap {peak_python / 2**20:.1f} MB, process RSS {max_rss:.0f} MB")
    print(f"Load after: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")
    print(f"ratio nightly / floor: {statistics.median(nightly) / floor:.2f}")
    print(f"ratio full-warm / floor: {statistics.median(warm) / floor:.2f}")
    if cold:
        print(f"ratio full-cold / floor: {statistics.median(cold) / floor:.2f}")
    print(f"ratio one-supplier / floor: {statistics.median(one) / floor:.2f}")


if __name__ == "__main__":
    main()
