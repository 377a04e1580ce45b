#!/usr/bin/env python
"""Bulk receipt ingest benchmark: receipts per second through POST /api/v1/receipts/.

Posts batches of receipts (JSON lists, as an ERP would) through the real endpoint —
URL routing, middleware, token authentication, validation, bulk insert, KPI refresh
queueing — with Django's test client in this process, and prints the median rate of
several runs. Building the JSON bodies is the client's work and is not timed.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_ingest \\
        .venv/bin/python bench/ingest.py [--batch-size 1000] [--batches 10] [--runs 5]

The target (SPEC issue 4) is at least 5,000 receipts per second on PostgreSQL. The
script migrates the database, creates its own reference data (a supplier, parts and
orders, all prefixed BENCH) and deletes the receipts it posted when done.
"""

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dualsource.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.roles import Role  # noqa: E402
from accounts.services import api_token_get_or_create, user_create  # noqa: E402
from dualsource.celery import app as celery_app  # noqa: E402
from parts.models import ApprovedSource, Part  # noqa: E402
from purchasing.models import PurchaseOrder, PurchaseOrderLine, Receipt  # noqa: E402
from purchasing.services import purchase_order_line_build, purchase_orders_create  # noqa: E402
from suppliers.models import Supplier  # noqa: E402

PARTS = 50
ORDERS = 200
LINES_PER_ORDER = 10


def reference_data() -> list[tuple[str, int]]:
    """The (PO number, line) pairs receipts are posted against; created on first use."""
    supplier, _ = Supplier.objects.get_or_create(
        code="BENCH",
        defaults={"name": "Bench Supplier", "country": "DE", "currency": "EUR"},
    )
    parts = []
    for i in range(PARTS):
        part, _ = Part.objects.get_or_create(number=f"BENCH-P-{i:04d}", defaults={"name": "Part"})
        ApprovedSource.objects.get_or_create(
            part=part,
            supplier=supplier,
            defaults={
                "target_share_pct": 100,
                "unit_price": 5,
                "currency": "EUR",
                "lead_time_days": 20,
            },
        )
        parts.append(part)
    missing = [
        n
        for n in (f"BENCH-PO-{i:05d}" for i in range(ORDERS))
        if not PurchaseOrder.objects.filter(number=n).exists()
    ]
    orders = []
    for number in missing:
        po = PurchaseOrder(
            number=number, supplier=supplier, order_date=dt.date(2026, 1, 5), currency="EUR"
        )
        lines = [
            purchase_order_line_build(
                line_number=n + 1,
                part=parts[(hash(number) + n) % PARTS],
                quantity=1000,
                unit_price=5,
                requested_date=dt.date(2026, 2, 1) + dt.timedelta(days=n),
            )
            for n in range(LINES_PER_ORDER)
        ]
        orders.append((po, lines))
    if orders:
        purchase_orders_create(orders=orders)
    return list(
        PurchaseOrderLine.objects.filter(purchase_order__supplier=supplier)
        .order_by("purchase_order__number", "line_number")
        .values_list("purchase_order__number", "line_number")
    )


def bench_user_token() -> str:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username="bench-buyer").first()
    if user is None:
        user = user_create(username="bench-buyer", password=uuid.uuid4().hex, role=Role.BUYER)
    return api_token_get_or_create(user=user)


def batch_body(prefix: str, start: int, size: int, lines: list[tuple[str, int]]) -> bytes:
    items = []
    for n in range(start, start + size):
        po, line = lines[n % len(lines)]
        items.append(
            {
                "number": f"{prefix}-{n:08d}",
                "purchase_order": po,
                "line": line,
                "receipt_date": (dt.date(2026, 2, 1) + dt.timedelta(days=n % 60)).isoformat(),
                "quantity": "10",
                "freight": "12.50",
                "duty": 0,
                "cost_currency": "EUR",
            }
        )
    return json.dumps(items).encode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--batches", type=int, default=10, help="batches per run")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    # Queued scorecard refreshes stay in this process instead of reaching a real broker.
    celery_app.conf.broker_url = "memory://"
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    call_command("migrate", verbosity=0)
    lines = reference_data()
    headers = {"HTTP_AUTHORIZATION": f"Token {bench_user_token()}"}
    client = Client()
    prefix = f"BENCH-{uuid.uuid4().hex[:8]}"

    # One small warm-up batch: imports, connections and caches are not what we measure.
    warm = client.post(
        "/api/v1/receipts/",
        batch_body(f"{prefix}-W", 0, 10, lines),
        content_type="application/json",
        **headers,
    )
    if warm.status_code != 201:
        print(f"warm-up failed: {warm.status_code} {warm.content[:500]!r}")
        return 1

    rates = []
    try:
        for run in range(args.runs):
            bodies = [
                batch_body(f"{prefix}-{run}", b * args.batch_size, args.batch_size, lines)
                for b in range(args.batches)
            ]
            started = time.perf_counter()
            for body in bodies:
                response = client.post(
                    "/api/v1/receipts/", body, content_type="application/json", **headers
                )
                if response.status_code != 201:
                    print(f"batch failed: {response.status_code} {response.content[:500]!r}")
                    return 1
            elapsed = time.perf_counter() - started
            rate = args.batch_size * args.batches / elapsed
            rates.append(rate)
            print(
                f"run {run + 1}: {args.batch_size * args.batches} receipts in "
                f"{elapsed:.2f} s = {rate:,.0f} receipts/s"
            )
    finally:
        Receipt.objects.filter(number__startswith=prefix).delete()

    print(
        f"median: {statistics.median(rates):,.0f} receipts/s "
        f"(batches of {args.batch_size}, {args.runs} runs of {args.batches} batches)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
