#!/usr/bin/env python
"""Every buyer page and the scorecard API against the budget of docs/performance.md: under 100 ms of
server time and under 20 SQL queries each, whatever the data size.

Requests go through Django's test client in this process (routing, middleware, session
authentication, views, templates, serialisers), so the time is the server's share of a
request: no network, no browser. Each URL is requested once to warm the caches, then
`--runs` times; the median and the 95th percentile are printed with the query count.

Run it against a database holding the large demo:

    createdb -h 127.0.0.1 -U postgres bench_seed
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_seed \\
        .venv/bin/python manage.py seed_demo --size large --workers 2
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_seed \\
        .venv/bin/python bench/pages.py [--runs 10]

It picks the busiest supplier, the part with most sources and that supplier's latest order,
and reads them as the demo buyer and as the demo supplier contact (whose pages are scoped
to its supplier): the dashboard, the lists, the detail pages, the drill-downs behind the
figures, the order pages and the forms. It writes nothing.
"""

import argparse
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dualsource.settings")
os.environ.setdefault("DUALSOURCE_LOGIN_THROTTLING", "false")  # logins of the test client
if not os.environ.get("DATABASE_URL"):
    sys.exit("Set DATABASE_URL to a database holding the large demo (see the docstring).")

import django  # noqa: E402

django.setup()
# Static files are not collected for a benchmark; whitenoise says so on every client.
warnings.filterwarnings("ignore", message="No directory at")

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from parts.models import ApprovedSource  # noqa: E402
from purchasing.models import PurchaseOrder  # noqa: E402
from scorecards import kpis  # noqa: E402
from scorecards.models import SupplierScorecard  # noqa: E402
from suppliers.models import Supplier, SupplierContact  # noqa: E402

BUDGET_MS = 100
BUDGET_QUERIES = 20


def p95(times: list[float]) -> float:
    """The 95th percentile, interpolated as numpy's default does."""
    ordered = sorted(times)
    position = 0.95 * (len(ordered) - 1)
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (position - lower) * (ordered[upper] - ordered[lower])


def measure(client: Client, url: str, runs: int) -> tuple[list[float], int, int]:
    client.get(url)  # warm-up: template loading, first connection, caches
    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)
            times.append((time.perf_counter() - started) * 1000)
    return times, len(queries.captured_queries), response.status_code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--only", default="", help="Only URLs containing this text.")
    args = parser.parse_args()

    users = get_user_model().objects
    buyer = users.get(username="buyer")
    contact = SupplierContact.objects.select_related("user", "supplier").get(
        user__username="supplier1"
    )
    busiest = Supplier.objects.annotate(n=Count("sources")).order_by("-n", "code").first()
    part = (
        ApprovedSource.objects.values("part__number")
        .annotate(n=Count("id"))
        .order_by("-n", "part__number")
        .first()["part__number"]
    )
    latest_month = (
        SupplierScorecard.objects.exclude(period=kpis.ROLLING_PERIOD)
        .order_by("-period")
        .values_list("period", flat=True)
        .first()
    )
    print(f"Database: {connection.vendor} {connection.settings_dict['NAME']}")
    print(
        f"Rows: {Supplier.objects.count():,} suppliers, "
        f"{SupplierScorecard.objects.count():,} supplier scorecards; busiest supplier "
        f"{busiest.code} ({busiest.n} sources), part {part}, latest month {latest_month}"
    )
    own = contact.supplier.code
    order = (
        PurchaseOrder.objects.filter(supplier=busiest)
        .order_by("-order_date", "-number")
        .values_list("number", flat=True)
        .first()
    )
    own_order = (
        PurchaseOrder.objects.filter(supplier=contact.supplier)
        .order_by("-order_date", "-number")
        .values_list("number", flat=True)
        .first()
    )
    code = busiest.code
    contract = busiest.contracts.order_by("-valid_from").values_list("reference", flat=True)
    contract = contract.first()
    cases = [
        ("buyer", buyer, "/"),
        ("buyer", buyer, "/suppliers/"),
        ("buyer", buyer, "/suppliers/?page=20"),
        ("buyer", buyer, "/suppliers/?q=a&status=approved"),
        ("buyer", buyer, "/suppliers/?sort=-score&grade=D"),
        ("buyer", buyer, f"/suppliers/{code}/"),
        ("buyer", buyer, "/parts/"),
        ("buyer", buyer, "/parts/?sourcing=single"),
        ("buyer", buyer, "/parts/?sourcing=one_region"),
        ("buyer", buyer, f"/parts/{part}/"),
        ("buyer", buyer, "/orders/"),
        ("buyer", buyer, "/orders/?page=50"),
        ("buyer", buyer, f"/orders/?supplier={code}&late=true"),
        ("buyer", buyer, f"/orders/?part={part}&status=open"),
        ("buyer", buyer, f"/orders/{order}/"),
        ("buyer", buyer, "/kpi/lines/"),
        ("buyer", buyer, f"/kpi/lines/?period={latest_month}"),
        ("buyer", buyer, f"/kpi/lines/?supplier={code}"),
        ("buyer", buyer, f"/kpi/lines/?supplier={code}&part={part}&period={latest_month}"),
        ("buyer", buyer, "/kpi/receipts/"),
        ("buyer", buyer, f"/kpi/receipts/?supplier={code}"),
        ("buyer", buyer, f"/kpi/inspections/?supplier={code}"),
        ("buyer", buyer, f"/kpi/inspections/?period={latest_month}"),
        ("buyer", buyer, "/suppliers/new/"),
        ("buyer", buyer, f"/suppliers/{code}/edit/"),
        ("buyer", buyer, f"/parts/{part}/edit/"),
        ("buyer", buyer, "/orders/new/"),
        ("buyer", buyer, "/alerts/"),
        ("buyer", buyer, "/alerts/?severity=critical&state=open"),
        ("buyer", buyer, f"/alerts/?supplier={code}"),
        ("buyer", buyer, "/exceptions/"),
        ("buyer", buyer, f"/exceptions/?supplier={code}"),
        ("buyer", buyer, "/contracts/"),
        *([("buyer", buyer, f"/contracts/{contract}/")] if contract else []),
        ("buyer", buyer, "/allocations/split/"),
        ("buyer", buyer, "/messages/"),
        ("buyer", buyer, f"/api/v1/scorecards/?period={latest_month}"),
        ("buyer", buyer, f"/api/v1/scorecards/?supplier={busiest.code}"),
        ("buyer", buyer, f"/api/v1/part-scorecards/?supplier={busiest.code}&period=rolling-90"),
        ("buyer", buyer, f"/api/v1/part-scorecards/?part={part}"),
        ("supplier1", contact.user, "/portal/"),
        ("supplier1", contact.user, "/portal/scorecard/"),
        ("supplier1", contact.user, "/portal/lines/"),
        ("supplier1", contact.user, "/alerts/"),
        ("supplier1", contact.user, f"/suppliers/{own}/"),
        ("supplier1", contact.user, "/kpi/lines/"),
        ("supplier1", contact.user, f"/orders/{own_order}/"),
        ("supplier1", contact.user, f"/api/v1/scorecards/?supplier={own}"),
    ]
    print()
    print(f"{'user':<10} {'url':<64} {'median':>8} {'p95':>8} {'queries':>7}  status")
    worst_ms, worst_queries = 0.0, 0
    for who, user, url in cases:
        if args.only not in url:
            continue
        client = Client()
        client.force_login(user)
        times, queries, status = measure(client, url, args.runs)
        median = statistics.median(times)
        worst_ms, worst_queries = max(worst_ms, median), max(worst_queries, queries)
        print(f"{who:<10} {url:<64} {median:6.1f}ms {p95(times):6.1f}ms {queries:7d}  {status}")
    print()
    print(
        f"Slowest median {worst_ms:.1f} ms (budget {BUDGET_MS} ms), "
        f"most queries {worst_queries} (budget under {BUDGET_QUERIES})"
    )


if __name__ == "__main__":
    main()
