"""Sourcing risk: parts ranked by regional concentration, spend and share by region
(docs/qualification.md, "Regional risk")."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.db.models import F, Sum
from django.shortcuts import render
from django.utils import timezone

from accounts.access import internal_only
from accounts.selectors import scope_for_user
from core.pagination import page_of
from parts.models import Part, PartCategory
from parts.risk import NO_REGION, sourcing_risk_filtered
from purchasing.models import FxRate, PurchaseOrderLine
from workspace import charts

SPEND_DAYS = 365


def spend_by_region(*, user, since: dt.date) -> tuple[dict[str, Decimal], int]:
    """Ordered value of the lines ordered since `since` (not cancelled), per supplier region,
    in the base currency at each currency's latest rate; lines in a currency without a rate
    are left out and counted."""
    base = settings.BASE_CURRENCY
    rows = (
        scope_for_user(PurchaseOrderLine.objects.all(), user)
        .filter(purchase_order__order_date__gte=since)
        .exclude(status=PurchaseOrderLine.Status.CANCELLED)
        .values("purchase_order__supplier__region", "purchase_order__currency")
        .annotate(amount=Sum(F("quantity") * F("unit_price")))
    )
    latest: dict[str, Decimal] = {}
    for currency, rate in FxRate.objects.order_by("currency", "date").values_list(
        "currency", "rate"
    ):
        latest[currency] = rate
    spend: dict[str, Decimal] = defaultdict(Decimal)
    missing = 0
    for row in rows:
        currency = row["purchase_order__currency"]
        rate = Decimal("1") if currency == base else latest.get(currency)
        if rate is None:
            missing += 1
            continue
        spend[row["purchase_order__supplier__region"] or NO_REGION] += row["amount"] * rate
    return dict(sorted(spend.items(), key=lambda kv: -kv[1])), missing


def portfolio_share_by_region(rows) -> dict[str, Decimal]:
    """Each region's mean share of the parts' usable supply (parts with a usable source)."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    counted = [r for r in rows if r.regions]
    for row in counted:
        for region, share in row.regions.items():
            totals[region] += share
    if not counted:
        return {}
    return {
        region: (total / len(counted)).quantize(Decimal("0.01"))
        for region, total in sorted(totals.items(), key=lambda kv: -kv[1])
    }


@internal_only
def sourcing_risk_page(request):
    parts = scope_for_user(Part.objects.all(), request.user)
    category = (request.GET.get("category") or "").strip()
    if category:
        parts = parts.filter(category__code__iexact=category)
    error = None
    try:
        rows = sourcing_risk_filtered(
            parts,
            region=request.GET.get("region"),
            single_region=request.GET.get("single_region"),
            single_sourced=request.GET.get("single_sourced"),
        )
    except ValueError as exc:
        rows, error = [], str(exc)
    today = timezone.localdate()
    spend, missing = spend_by_region(user=request.user, since=today - dt.timedelta(days=SPEND_DAYS))
    base = settings.BASE_CURRENCY
    figures = [
        charts.by_region_bars(spend, title=f"Spend by region, last 12 months ({base})", unit=base),
        charts.by_region_bars(
            portfolio_share_by_region(rows), title="Mean share of supply by region", unit="%"
        ),
    ]
    return render(
        request,
        "parts/sourcing_risk.html",
        {
            "page": page_of(request, rows),
            "total": len(rows),
            "charts": [charts.to_json(f) for f in figures],
            "categories": PartCategory.objects.order_by("name"),
            "regions": sorted({r for row in rows for r in row.regions}),
            "params": request.GET,
            "fx_missing_lines": missing,
            "error": error,
        },
        status=400 if error else 200,
    )
