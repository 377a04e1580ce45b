"""Part list and part page: the sources of a part side by side."""

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from accounts.roles import INTERNAL_ROLES, user_role
from accounts.selectors import scope_for_user
from parts.filters import PartFilter
from parts.models import ApprovedSource, Part
from parts.risk import sourcing_risk
from purchasing.models import PurchaseOrderLine, Receipt
from scorecards import kpis, portfolio
from scorecards.models import PartScorecard
from scorecards.selectors import part_sources_compared
from workspace import charts, slots
from workspace.views import stock
from workspace.views.common import internal_only, page_of

TREND_MONTHS = 24
LEAD_TIME_DAYS = 365
LEAD_TIME_RECEIPTS_MAX = 5000
OPEN_LINES_SHOWN = 20
SOURCING = {"single": portfolio.parts_single_sourced, "one_region": portfolio.parts_one_region}


def _active_sources():
    """Active sources of the part, as a subquery: counted only for the rows on the page."""
    return Coalesce(
        Subquery(
            ApprovedSource.objects.filter(part_id=OuterRef("pk"), is_active=True)
            .order_by()
            .values("part_id")
            .annotate(n=Count("id"))
            .values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


@internal_only
def part_list(request):
    sourcing = request.GET.get("sourcing")
    if sourcing not in SOURCING:
        sourcing = None
    parts = scope_for_user(Part.objects.all(), request.user).annotate(
        usable_sources=_active_sources()
    )
    filterset = PartFilter(request.GET, queryset=parts, request=request)
    if sourcing and filterset.is_valid() and not any(filterset.form.cleaned_data.values()):
        # The dashboard's list, cached until a part, source or supplier changes: page
        # through its ids instead of grouping every source again.
        risks = portfolio.sourcing_risks(user=request.user)
        ids = risks.single_sourced_ids if sourcing == "single" else risks.one_region_ids
        page = page_of(request, ids)
        by_id = parts.in_bulk(list(page.object_list))
        page.object_list = [by_id[i] for i in page.object_list if i in by_id]
    else:
        rows = filterset.qs
        if sourcing:
            rows = rows.filter(pk__in=SOURCING[sourcing](user=request.user).values("pk"))
        page = page_of(request, rows.order_by("number"))
    return render(
        request,
        "parts/part_list.html",
        {"filter": filterset, "page": page, "sourcing": sourcing},
    )


def _month_series(rows, field: str) -> dict[str, dict[str, object]]:
    series: dict[str, dict[str, object]] = defaultdict(dict)
    for row in rows:
        series[row["supplier__code"]][row["period"]] = row[field]
    return dict(series)


@login_required
def part_detail(request, number: str):
    part = get_object_or_404(scope_for_user(Part.objects.all(), request.user), number=number)
    is_internal = user_role(request.user) in INTERNAL_ROLES
    sources = part_sources_compared(user=request.user, part_id=part.pk)
    today = timezone.localdate()
    month_start, month_end = kpis.month_bounds(kpis.period_of(today))
    first_month = kpis.period_of(today - dt.timedelta(days=31 * TREND_MONTHS))
    monthly = list(
        scope_for_user(PartScorecard.objects.filter(part=part), request.user)
        .filter(period__gte=first_month)
        .exclude(period=kpis.ROLLING_PERIOD)
        .order_by("period")
        .values("supplier__code", "period", "otd_pct", "defect_ppm", "landed_unit_cost")
    )
    periods = sorted({row["period"] for row in monthly})
    receipts = (
        scope_for_user(
            Receipt.objects.filter(
                line__part=part, receipt_date__gte=today - dt.timedelta(days=LEAD_TIME_DAYS)
            ).exclude(line__status=PurchaseOrderLine.Status.CANCELLED),
            request.user,
        )
        .order_by("-receipt_date")
        .values_list(
            "line__purchase_order__supplier__code",
            "receipt_date",
            "line__purchase_order__order_date",
        )[:LEAD_TIME_RECEIPTS_MAX]
    )
    lead_times: dict[str, list[int]] = defaultdict(list)
    for code, received, ordered in receipts:
        lead_times[code].append((received - ordered).days)
    base = settings.BASE_CURRENCY
    figures = [
        charts.by_source(
            periods=periods,
            series=_month_series(monthly, "otd_pct"),
            title="OTD % by source",
            unit="%",
        ),
        charts.by_source(
            periods=periods,
            series=_month_series(monthly, "defect_ppm"),
            title="Defects PPM by source",
            unit="PPM",
        ),
        charts.lead_time_distribution(dict(sorted(lead_times.items()))),
        charts.by_source(
            periods=periods,
            series=_month_series(monthly, "landed_unit_cost"),
            title=f"Landed unit cost ({base})",
            unit=base,
        ),
    ]
    open_lines = scope_for_user(
        PurchaseOrderLine.objects.filter(part=part, status=PurchaseOrderLine.Status.OPEN),
        request.user,
    )
    per_supplier = {
        row["purchase_order__supplier_id"]: row
        for row in open_lines.values("purchase_order__supplier_id").annotate(
            open_lines=Count("id"),
            open_quantity=Sum("quantity"),
            due_this_month=Sum(
                "quantity", filter=Q(expected_date__gte=month_start, expected_date__lte=month_end)
            ),
        )
    }
    for source in sources:
        row = per_supplier.get(source.supplier_id, {})
        source.open_lines = row.get("open_lines", 0)
        source.open_quantity = row.get("open_quantity")
        source.due_this_month = row.get("due_this_month") or 0
        source.free_capacity = (
            None
            if source.monthly_capacity is None
            else source.monthly_capacity - source.due_this_month
        )
    shown = list(
        open_lines.select_related("purchase_order__supplier").order_by(
            "expected_date", "purchase_order__number", "line_number"
        )[: OPEN_LINES_SHOWN + 1]
    )
    return render(
        request,
        "parts/part_detail.html",
        {
            "part": part,
            "sources": sources,
            "single_sourced": sum(1 for s in sources if s.is_active) < 2,
            "checklist": part.checklist.all(),
            "stock": stock.part_sites(user=request.user, part=part) if is_internal else [],
            "charts": [charts.to_json(f) for f in figures],
            "open_lines": shown[:OPEN_LINES_SHOWN],
            "more_open_lines": len(shown) > OPEN_LINES_SHOWN,
            "month": kpis.period_of(today),
            "today": today,
            "base_currency": base,
            "rolling": kpis.ROLLING_PERIOD,
            "rolling_days": kpis.ROLLING_WINDOW_DAYS,
            "regional_risk": sourcing_risk(Part.objects.filter(pk=part.pk), as_of=today)[0]
            if is_internal
            else None,
            "share_history": slots.part_share_history(
                user=request.user, part_id=part.pk, part_number=part.number
            )
            if is_internal
            else None,
        },
    )
