"""The landing page: the portfolio dashboard for buyers, the portal for supplier contacts."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from accounts.roles import INTERNAL_ROLES, user_role
from scorecards import drilldown, kpis, portfolio
from suppliers.selectors import visible_suppliers
from workspace import charts, slots

TREND_MONTHS = 12
LIST_LIMIT = 10


@login_required
def home(request):
    if user_role(request.user) in INTERNAL_ROLES:
        return dashboard(request)
    try:
        return redirect(reverse("portal:home"))
    except NoReverseMatch:
        pass  # no supplier portal installed: the contact's own supplier page
    supplier = visible_suppliers(request.user).first()
    if supplier is None:
        return render(request, "suppliers/no_access.html", status=403)
    return redirect("suppliers:detail", code=supplier.code)


def _tile(name, attr, current, previous, *, decimals=1, lower_is_better=False, kind="lines"):
    value = getattr(current, attr) if current else None
    before = getattr(previous, attr) if previous else None
    change = None if value is None or before is None else float(value) - float(before)
    return {
        "name": name,
        "value": value,
        "change": change,
        "decimals": decimals,
        "lower_is_better": lower_is_better,
        "kind": kind,
    }


def _comparison_months(months: list[str], as_of) -> tuple[str | None, str | None]:
    """The last complete month (as of the scorecards) and the one before it."""
    complete = [m for m in months if as_of is None or kpis.month_bounds(m)[1] <= as_of]
    current = complete[0] if complete else (months[0] if months else None)
    previous = None
    if current is not None:
        first, _ = kpis.month_bounds(current)
        previous = kpis.period_of(first - dt.timedelta(days=1))
    return current, previous


def dashboard(request):
    user = request.user
    as_of = drilldown.scorecard_as_of()
    months = portfolio.scorecard_months(user=user, limit=TREND_MONTHS + 1)
    current_month, previous_month = _comparison_months(months, as_of)
    wanted = sorted(set(months) | {p for p in (previous_month,) if p})
    figures = portfolio.portfolio_by_period(user=user, periods=wanted)
    current, previous = figures.get(current_month), figures.get(previous_month)
    tiles = [
        _tile("OTD %", "otd_pct", current, previous),
        _tile("OTIF %", "otif_pct", current, previous),
        _tile(
            "Defects PPM",
            "defect_ppm",
            current,
            previous,
            decimals=0,
            lower_is_better=True,
            kind="inspections",
        ),
        _tile(
            "Mean lead time (days)",
            "lead_time_mean_days",
            current,
            previous,
            lower_is_better=True,
            kind="receipts",
        ),
        _tile(
            "Suppliers dearer than average",
            "dear_suppliers",
            current,
            previous,
            decimals=0,
            lower_is_better=True,
            kind="receipts",
        ),
    ]
    grades = portfolio.grade_distribution(user=user)
    single = portfolio.parts_single_sourced(user=user)
    one_region = portfolio.parts_one_region(user=user)
    single_rows = list(single[:LIST_LIMIT])
    one_region_rows = list(one_region[:LIST_LIMIT])
    regions = portfolio.source_regions(part_ids=[p.pk for p in one_region_rows])
    for part in one_region_rows:
        part.region = regions.get(part.pk, "")
    trend_periods = sorted(m for m in months)[-TREND_MONTHS:]
    movers = (
        portfolio.worst_movers(user=user, period=current_month, previous=previous_month)
        if current_month and previous_month
        else []
    )
    context = {
        "as_of": as_of,
        "current_month": current_month,
        "previous_month": previous_month,
        "current": current,
        "tiles": tiles,
        "grades": grades,
        "graded_total": sum(grades.values()),
        "movers": movers,
        "single_sourced": single_rows,
        "single_sourced_total": single.count()
        if len(single_rows) == LIST_LIMIT
        else len(single_rows),
        "one_region": one_region_rows,
        "one_region_total": one_region.count()
        if len(one_region_rows) == LIST_LIMIT
        else len(one_region_rows),
        "charts": {
            "trend": charts.to_json(charts.portfolio_trend(periods=trend_periods, figures=figures)),
            "grades": charts.to_json(charts.grade_distribution(grades)),
        },
        "slots": [
            slots.exceptions_awaiting_review(user=user),
            slots.open_alerts_by_severity(user=user),
            slots.automation_rate(user=user),
        ],
        "dear_index": portfolio.DEAR_INDEX,
    }
    return render(request, "workspace/dashboard.html", context)
