"""The reads behind the buyer pages: typed keyword-only functions the views call.

Every queryset is scoped through accounts.selectors.scope_for_user (or a selector that
already is), so a page shows only what its user may see."""

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from accounts.selectors import scope_for_user
from contracts.models import Contract
from parts.models import Part
from purchasing.models import (
    Inspection,
    PromiseRevision,
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
    ShipNotice,
    ShipNoticeLine,
)
from scorecards import drilldown, kpis, portfolio
from scorecards.models import PartScorecard, ScorecardTemplate, SupplierScorecard
from scorecards.selectors import part_sources_compared
from suppliers.models import QualificationAssessment, QualificationCriterion, Supplier

# --- Part page -------------------------------------------------------------------------


def part_monthly_scorecards(*, user, part: Part, since: str) -> list[dict]:
    """The part's monthly scorecard figures per source from the `since` month, oldest first."""
    return list(
        scope_for_user(PartScorecard.objects.filter(part=part), user)
        .filter(period__gte=since)
        .exclude(period=kpis.ROLLING_PERIOD)
        .order_by("period")
        .values("supplier__code", "period", "otd_pct", "defect_ppm", "landed_unit_cost")
    )


def part_lead_times(*, user, part: Part, since: dt.date, limit: int) -> dict[str, list[int]]:
    """Lead times (days) of the part's receipts since `since`, per supplier code, newest
    first, at most `limit` receipts; cancelled lines left out."""
    receipts = (
        scope_for_user(
            Receipt.objects.filter(line__part=part, receipt_date__gte=since).exclude(
                line__status=PurchaseOrderLine.Status.CANCELLED
            ),
            user,
        )
        .order_by("-receipt_date")
        .values_list(
            "line__purchase_order__supplier__code",
            "receipt_date",
            "line__purchase_order__order_date",
        )[:limit]
    )
    lead_times: dict[str, list[int]] = defaultdict(list)
    for code, received, ordered in receipts:
        lead_times[code].append((received - ordered).days)
    return lead_times


def part_open_lines(*, user, part: Part) -> QuerySet:
    """The part's open order lines the user may see (lazy)."""
    return scope_for_user(
        PurchaseOrderLine.objects.filter(part=part, status=PurchaseOrderLine.Status.OPEN),
        user,
    )


def part_sources_with_open_orders(
    *, user, part: Part, month_start: dt.date, month_end: dt.date
) -> list:
    """The part's sources compared, each with its open lines, open quantity, quantity due
    this month and free capacity this month."""
    sources = part_sources_compared(user=user, part_id=part.pk)
    per_supplier = {
        row["purchase_order__supplier_id"]: row
        for row in part_open_lines(user=user, part=part)
        .values("purchase_order__supplier_id")
        .annotate(
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
    return sources


def part_open_lines_first(*, user, part: Part, limit: int) -> list[PurchaseOrderLine]:
    """The first `limit` + 1 open lines of the part by expected date (one more tells the
    page there are more)."""
    return list(
        part_open_lines(user=user, part=part)
        .select_related("purchase_order__supplier")
        .order_by("expected_date", "purchase_order__number", "line_number")[: limit + 1]
    )


# --- Supplier page ---------------------------------------------------------------------


def supplier_contracts(*, user, supplier: Supplier) -> list[Contract]:
    """The supplier's contracts the user may see, newest first."""
    return list(
        scope_for_user(Contract.objects.filter(supplier=supplier), user).order_by(
            "-valid_from", "-id"
        )
    )


def scorecard_template_for(*, current) -> ScorecardTemplate | None:
    """The template of the current scorecard, else the default template."""
    template = current.template if current is not None else None
    if template is None:
        template = ScorecardTemplate.objects.filter(is_default=True).first()
    return template


def supplier_sources_first(*, user, supplier: Supplier, limit: int) -> list:
    """The first `limit` + 1 sources of the supplier by part number."""
    return list(
        scope_for_user(supplier.sources.select_related("part"), user).order_by("part__number")[
            : limit + 1
        ]
    )


def supplier_open_lines_first(*, user, supplier: Supplier, limit: int) -> list:
    """The first `limit` + 1 open lines of the supplier by expected date."""
    open_lines = (
        scope_for_user(
            PurchaseOrderLine.objects.filter(
                purchase_order__supplier=supplier, status=PurchaseOrderLine.Status.OPEN
            ),
            user,
        )
        .select_related("purchase_order", "part", "risk")
        .order_by("expected_date", "purchase_order__number", "line_number")
    )
    return list(open_lines[: limit + 1])


def supplier_over_delivered_lines(*, user, supplier: Supplier, limit: int) -> list:
    """The supplier's lines received beyond the over-delivery tolerance, newest first."""
    return list(
        scope_for_user(
            PurchaseOrderLine.objects.filter(
                purchase_order__supplier=supplier, is_over_delivered=True
            ),
            user,
        )
        .select_related("purchase_order", "part")
        .annotate(received=Sum("receipts__quantity"))
        .order_by("-purchase_order__order_date", "purchase_order__number", "line_number")[:limit]
    )


# --- Dashboard -------------------------------------------------------------------------


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


def portfolio_dashboard_figures(*, user, trend_months: int) -> dict:
    """The dashboard's months and portfolio figures: as-of date, the month compared and
    the one before, the trend's months and the figures per month."""
    as_of = drilldown.scorecard_as_of()
    current_month = previous_month = None
    months, figures = [], {}
    if as_of is not None:
        current_month, previous_month = _comparison_months(as_of)
        months = _months(as_of, trend_months)
        figures = portfolio.portfolio_by_period(
            user=user, periods=sorted({*months, current_month, previous_month})
        )
    while months and months[0] not in figures:
        months.pop(0)  # a young install: the chart starts with its first month of figures
    current, previous = figures.get(current_month), figures.get(previous_month)
    if current is None:
        current_month = None  # scorecards exist, but none for a complete month yet
    return {
        "as_of": as_of,
        "current_month": current_month,
        "previous_month": previous_month,
        "months": months,
        "figures": figures,
        "current": current,
        "previous": previous,
    }


# --- Rows behind a figure --------------------------------------------------------------


def scorecard_stored_population(*, user, supplier, part, period, count_field: str):
    """The scorecard row the list explains (one supplier) and its population size.

    The size is what the scorecards counted, so the list needs no count of its own over a
    large window; None when no scorecard covers it (the list is then counted)."""
    if supplier is not None:
        if part is not None:
            rows = PartScorecard.objects.filter(supplier=supplier, part=part, period=period)
        else:
            rows = SupplierScorecard.objects.filter(supplier=supplier, period=period)
        row = scope_for_user(rows, user).first()
        return row, getattr(row, count_field, None)
    if part is not None:
        rows = PartScorecard.objects.filter(part=part, period=period)
    else:
        rows = SupplierScorecard.objects.filter(period=period)
    total = scope_for_user(rows, user).aggregate(n=Sum(count_field))["n"]
    return None, total


# --- Purchase-order page ---------------------------------------------------------------


def purchase_order_lines_detail(*, order: PurchaseOrder, is_internal: bool) -> list:
    """The order's lines with their promise revisions, receipts and inspections; the
    line risk only for internal roles."""
    inspections = Inspection.objects.order_by("inspection_date", "id")
    return list(
        order.lines.select_related(*(("part", "risk") if is_internal else ("part",)))
        .prefetch_related(
            Prefetch("revisions", queryset=PromiseRevision.objects.select_related("created_by")),
            Prefetch(
                "receipts",
                queryset=Receipt.objects.order_by("receipt_date", "number").prefetch_related(
                    Prefetch("inspections", queryset=inspections)
                ),
            ),
        )
        .order_by("line_number")
    )


def purchase_order_ship_notices(*, order: PurchaseOrder) -> list[ShipNotice]:
    """The ship notices against the order, each with its lines of this order only."""
    return list(
        ShipNotice.objects.filter(lines__line__purchase_order=order)
        .distinct()
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=ShipNoticeLine.objects.filter(line__purchase_order=order).select_related(
                    "line"
                ),
            )
        )
        .order_by("ship_date", "number")
    )


def purchase_order_line_totals(*, order: PurchaseOrder, today: dt.date) -> dict:
    """How many of the order's lines are open, and how many of those are overdue."""
    return order.lines.aggregate(
        open_lines=Count("id", filter=Q(status=PurchaseOrderLine.Status.OPEN)),
        overdue=Count(
            "id", filter=Q(status=PurchaseOrderLine.Status.OPEN, expected_date__lt=today)
        ),
    )


# --- Qualification assessment form ----------------------------------------------------


def assessment_criteria(*, assessment: QualificationAssessment | None) -> list:
    """The criteria the form scores: the assessment's own (with the weights it was opened
    with), or every active criterion for a new one."""
    if assessment is None:
        return list(QualificationCriterion.objects.filter(is_active=True).order_by("code"))
    scores = assessment.scores.select_related("criterion").order_by("criterion__code")
    criteria = []
    for score in scores:
        criterion = score.criterion
        criterion.weight, criterion.knockout_minimum = score.weight, score.knockout_minimum
        criteria.append(criterion)
    return criteria


def assessment_scores_by_code(*, assessment: QualificationAssessment | None) -> dict:
    """The assessment's scores so far, by criterion code (none for a new assessment)."""
    if assessment is None:
        return {}
    return {s.criterion.code: s for s in assessment.scores.select_related("criterion")}
