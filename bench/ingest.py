#!/usr/bin/env python
"""Bulk receipt ingest benchmark: receipts per second through POST /api/v1/receipts/.

Posts batches of receipts (JSON lists, as an ERP would) through the real endpoint —
URL routing, middleware, token authentication, validation, bulk insert, KPI refresh
queueing — and prints the median rate of several runs. Building the JSON bodies is the
client's work and is not timed.

Two ways to drive it:
- default: gunicorn with one worker per CPU on a local port and as many client threads
  posting at once (what the machine sustains when several feeds arrive together, as in
  production, where gunicorn runs several workers);
- `--server 0`: Django's test client in this process, one request after the other (the
  latency-bound rate of a single ERP feed), with the CPU each batch costs in Django and
  in PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_ingest \\
        .venv/bin/python bench/ingest.py [--batch-size 1000] [--batches 10] [--runs 5] [--server N]

The machine is shared with whatever else runs: the load average before the runs is
printed next to the figures.

The target (docs/performance.md) is at least 5,000 receipts per second on PostgreSQL. The
script migrates the database, creates its own reference data (a supplier, parts and
orders, all prefixed BENCH) and deletes the receipts it posted when done.
"""

import argparse
import datetime as dt
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dualsource.settings")
if not os.environ.get("DATABASE_URL"):
    # Never fill the development database with benchmark rows.
    sys.exit("Set DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/bench_ingest")

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


class LiveServer:
    """gunicorn serving the project on a free local port (a process this script owns)."""

    def __init__(self, workers: int):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        # Queued KPI refreshes land in a throw-away broker folder, not the real queue.
        self.var_dir = tempfile.TemporaryDirectory(prefix="bench-ingest-")
        env = {**os.environ, "DUALSOURCE_VAR_DIR": self.var_dir.name}
        env.pop("REDIS_URL", None)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "dualsource.wsgi:application",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                connection.request("GET", "/login/")
                if connection.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def post(self, body: bytes, headers: dict) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        connection.request(
            "POST",
            "/api/v1/receipts/",
            body=body,
            headers={"Content-Type": "application/json", **headers},
        )
        response = connection.getresponse()
        return response.status, response.read()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.var_dir.cleanup()


def postgres_cpu_seconds() -> float | None:
    """CPU time used so far by this connection's PostgreSQL backend (local server only)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_in_process(bodies: list[bytes], token: str) -> tuple[float, float, float | None]:
    """Wall time, this process's CPU time and the database backend's CPU time."""
    client = Client()
    database_before = postgres_cpu_seconds()
    cpu_before = time.process_time()
    started = time.perf_counter()
    for body in bodies:
        response = client.post(
            "/api/v1/receipts/",
            body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {token}",
        )
        if response.status_code != 201:
            raise RuntimeError(f"batch failed: {response.status_code} {response.content[:300]!r}")
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_before
    database_after = postgres_cpu_seconds()
    database = None if database_before is None else database_after - database_before
    return elapsed, cpu, database


def run_live(server: LiveServer, bodies: list[bytes], token: str, clients: int) -> float:
    failures = []
    shares = [bodies[n::clients] for n in range(clients)]

    def feed(share):
        for body in share:
            status, content = server.post(body, {"Authorization": f"Token {token}"})
            if status != 201:
                failures.append(f"{status} {content[:300]!r}")

    threads = [threading.Thread(target=feed, args=(share,)) for share in shares]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"batch failed: {failures[0]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--batches", type=int, default=10, help="batches per run")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--server",
        type=int,
        metavar="WORKERS",
        default=os.cpu_count() or 2,
        help="gunicorn workers (and client threads); 0: the test client in this process",
    )
    args = parser.parse_args()

    # Queued scorecard refreshes stay in this process instead of reaching a real broker.
    celery_app.conf.broker_url = "memory://"
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    call_command("migrate", verbosity=0)
    lines = reference_data()
    token = bench_user_token()
    prefix = f"BENCH-{uuid.uuid4().hex[:8]}"
    server = None
    if args.server:
        server = LiveServer(args.server)
        server.wait_ready()
        mode = f"gunicorn, {args.server} workers, {args.server} concurrent clients"
    else:
        mode = "in-process test client, one request at a time"
    print(f"mode: {mode}")

    rates = []
    try:
        # One small warm-up batch per worker: imports and connections are not measured.
        warm = [batch_body(f"{prefix}-W", n * 10, 10, lines) for n in range(max(1, args.server))]
        if server:
            run_live(server, warm, token, args.server)
        else:
            run_in_process(warm, token)
        print(f"load average before the runs: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
        for run in range(args.runs):
            bodies = [
                batch_body(f"{prefix}-{run}", b * args.batch_size, args.batch_size, lines)
                for b in range(args.batches)
            ]
            count = args.batch_size * args.batches
            detail = ""
            if server:
                elapsed = run_live(server, bodies, token, args.server)
            else:
                elapsed, cpu, database = run_in_process(bodies, token)
                detail = f"; CPU per batch: Django {1000 * cpu / args.batches:.0f} ms"
                if database is not None:
                    detail += f", PostgreSQL {1000 * database / args.batches:.0f} ms"
            rate = count / elapsed
            rates.append(rate)
            print(
                f"run {run + 1}: {count} receipts in {elapsed:.2f} s = {rate:,.0f} receipts/s"
                f"{detail}"
            )
    except RuntimeError as exc:
        print(exc)
        return 1
    finally:
        if server:
            server.stop()
        Receipt.objects.filter(number__startswith=prefix).delete()

    print(
        f"median: {statistics.median(rates):,.0f} receipts/s "
        f"(batches of {args.batch_size}, {args.runs} runs of {args.batches} batches; {mode})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
