"""Part list and part page: the sources of a part side by side."""

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from accounts.access import internal_only, signed_in
from accounts.roles import user_is_internal
from accounts.selectors import scope_for_user
from core.pagination import page_of
from parts.filters import PartFilter
from parts.models import ApprovedSource, Part
from parts.risk import sourcing_risk
from scorecards import kpis, portfolio
from workspace import charts, slots
from workspace.selectors import (
    part_lead_times,
    part_monthly_scorecards,
    part_open_lines_first,
    part_sources_with_open_orders,
)
from workspace.views import stock

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


def _part_charts(*, monthly: list[dict], lead_times: dict[str, list[int]], base: str) -> list:
    """The part page's four charts: OTD, defects and landed cost by source, and lead times."""
    periods = sorted({row["period"] for row in monthly})
    return [
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


@signed_in
def part_detail(request, number: str):
    user = request.user
    part = get_object_or_404(scope_for_user(Part.objects.all(), user), number=number)
    is_internal = user_is_internal(user)
    today = timezone.localdate()
    month_start, month_end = kpis.month_bounds(kpis.period_of(today))
    sources = part_sources_with_open_orders(
        user=user, part=part, month_start=month_start, month_end=month_end
    )
    monthly = part_monthly_scorecards(
        user=user,
        part=part,
        since=kpis.period_of(today - dt.timedelta(days=31 * TREND_MONTHS)),
    )
    lead_times = part_lead_times(
        user=user,
        part=part,
        since=today - dt.timedelta(days=LEAD_TIME_DAYS),
        limit=LEAD_TIME_RECEIPTS_MAX,
    )
    base = settings.BASE_CURRENCY
    figures = _part_charts(monthly=monthly, lead_times=lead_times, base=base)
    shown = part_open_lines_first(user=user, part=part, limit=OPEN_LINES_SHOWN)
    return render(
        request,
        "parts/part_detail.html",
        {
            "part": part,
            "sources": sources,
            "single_sourced": sum(1 for s in sources if s.is_active) < 2,
            "checklist": part.checklist.all(),
            "stock": stock.part_sites(user=user, part=part) if is_internal else [],
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
                user=user, part_id=part.pk, part_number=part.number
            )
            if is_internal
            else None,
        },
    )
