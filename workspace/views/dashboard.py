"""The landing page: the portfolio dashboard for buyers, the portal for supplier contacts."""

from django.shortcuts import redirect, render

from accounts.access import signed_in
from accounts.roles import user_is_internal
from scorecards import portfolio
from suppliers.selectors import visible_suppliers
from workspace import charts, slots
from workspace.selectors import portfolio_dashboard_figures

TREND_MONTHS = 12
LIST_LIMIT = 10


@signed_in
def home(request):
    if user_is_internal(request.user):
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


def _tiles(current, previous) -> list[dict]:
    """The headline figures of the month compared with the month before."""
    return [
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


def dashboard(request):
    user = request.user
    shown = portfolio_dashboard_figures(user=user, trend_months=TREND_MONTHS)
    current_month, previous_month = shown["current_month"], shown["previous_month"]
    current = shown["current"]
    grades = portfolio.grade_distribution(user=user)
    risks = portfolio.sourcing_risks(user=user, limit=LIST_LIMIT)
    movers = (
        portfolio.worst_movers(user=user, period=current_month, previous=previous_month)
        if current_month
        else []
    )
    trend = charts.portfolio_trend(periods=shown["months"], figures=shown["figures"])
    context = {
        "as_of": shown["as_of"],
        "current_month": current_month,
        "previous_month": previous_month,
        "current": current,
        "tiles": _tiles(current, shown["previous"]),
        "grades": grades,
        "movers": movers,
        "single_sourced": risks.single_sourced,
        "single_sourced_total": risks.single_sourced_total,
        "one_region": risks.one_region,
        "one_region_total": risks.one_region_total,
        "charts": {
            "trend": charts.to_json(trend),
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
