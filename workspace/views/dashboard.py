"""The landing page: the portfolio dashboard for buyers, the portal for supplier contacts."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

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
    if visible_suppliers(request.user).exists():
        return redirect("portal:home")  # a supplier contact: its own portal
    return render(request, "suppliers/no_access.html", status=403)


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


def _months(as_of, count: int) -> list[str]:
    """The `count` months up to the one holding the as-of date, oldest first."""
    months, day = [], as_of
    for _ in range(count):
        months.append(kpis.period_of(day))
        day = kpis.month_bounds(kpis.period_of(day))[0] - dt.timedelta(days=1)
    return months[::-1]


def _comparison_months(as_of) -> tuple[str, str]:
    """The last complete month as of the scorecards, and the month before it."""
    first, last = kpis.month_bounds(kpis.period_of(as_of))
    current = kpis.period_of(as_of if as_of == last else first - dt.timedelta(days=1))
    previous = kpis.period_of(kpis.month_bounds(current)[0] - dt.timedelta(days=1))
    return current, previous


def dashboard(request):
    user = request.user
    as_of = drilldown.scorecard_as_of()
    current_month = previous_month = None
    months, figures = [], {}
    if as_of is not None:
        current_month, previous_month = _comparison_months(as_of)
        months = _months(as_of, TREND_MONTHS)
        figures = portfolio.portfolio_by_period(
            user=user, periods=sorted({*months, current_month, previous_month})
        )
    while months and months[0] not in figures:
        months.pop(0)  # a young install: the chart starts with its first month of figures
    current, previous = figures.get(current_month), figures.get(previous_month)
    if current is None:
        current_month = None  # scorecards exist, but none for a complete month yet
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
    risks = portfolio.sourcing_risks(user=user, limit=LIST_LIMIT)
    movers = (
        portfolio.worst_movers(user=user, period=current_month, previous=previous_month)
        if current_month
        else []
    )
    context = {
        "as_of": as_of,
        "current_month": current_month,
        "previous_month": previous_month,
        "current": current,
        "tiles": tiles,
        "grades": grades,
        "movers": movers,
        "single_sourced": risks.single_sourced,
        "single_sourced_total": risks.single_sourced_total,
        "one_region": risks.one_region,
        "one_region_total": risks.one_region_total,
        "charts": {
            "trend": charts.to_json(charts.portfolio_trend(periods=months, figures=figures)),
            "grades": charts.to_json(charts.grade_distribution(grades)),
        },
        "slots": [
            slots.exceptions_awaiting_review(user=user),
            slots.open_alerts_by_severity(user=user),
            slots.automation_rate(user=user),
            slots.planning_savings(user=user),
        ],
        "dear_index": portfolio.DEAR_INDEX,
    }
    return render(request, "workspace/dashboard.html", context)
