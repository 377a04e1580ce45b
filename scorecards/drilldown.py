"""The rows behind a KPI figure (docs/kpis.md: every figure links to the rows that made it).

Each function returns exactly the population `queries.py` aggregates for one scorecard
cell: the lines due (OTD, OTIF), the receipts (lead time, landed cost) or the
inspections (defect PPM) of a period, for one supplier, one part, or the whole supply
base. The window is the stored scorecard's: a calendar month, or the rolling 90 days
ending on the as-of date of the last recompute; lines count only when promised on or
before that as-of date, and cancelled lines count nowhere.

Per-row figures that need a join the list cannot afford on every row (the on-time
quantity inside the tolerance window, the landed cost in base currency) are computed for
one page of rows at a time, with a fixed number of queries (`lines_with_on_time`,
`receipts_with_landed_cost`).
"""

import bisect
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from accounts.selectors import scope_for_user
from contracts.models import Contract
from purchasing.models import FxRate, Inspection, PurchaseOrderLine, Receipt
from scorecards import kpis
from scorecards.models import SupplierScorecard

KINDS = ("lines", "receipts", "inspections")


@dataclass(frozen=True)
class Window:
    """The dates one scorecard period covers, and the as-of date that capped it."""

    period: str
    start: dt.date
    end: dt.date
    as_of: dt.date

    @property
    def lines_end(self) -> dt.date:
        """Lines count when promised in the period and not after the as-of date."""
        return min(self.end, self.as_of)


def scorecard_as_of(*, supplier_id: int | None = None) -> dt.date | None:
    """The as-of date of the last recompute: where the rolling-90 row ends."""
    rows = SupplierScorecard.objects.filter(period=kpis.ROLLING_PERIOD)
    if supplier_id is not None:
        rows = rows.filter(supplier_id=supplier_id)
    return rows.aggregate(as_of=Max("period_end"))["as_of"]


def drilldown_window(*, period: str, supplier_id: int | None = None) -> Window | None:
    """The window of a period as the scorecards computed it; None before any recompute.

    Raises ValueError for a malformed period."""
    kpis.period_validate(period)
    as_of = scorecard_as_of(supplier_id=supplier_id)
    if as_of is None:
        return None
    start, end = kpis.period_bounds(period, as_of=as_of)
    return Window(period=period, start=start, end=end, as_of=as_of)


def _tolerance(field: str, default: int):
    """The tolerance of the supplier's contract valid on the promised date (latest-starting)."""
    contract = (
        Contract.objects.filter(
            supplier_id=OuterRef("purchase_order__supplier_id"),
            valid_from__lte=OuterRef("promised_date"),
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=OuterRef("promised_date")))
        .order_by("-valid_from", "-id")
        .values(field)[:1]
    )
    return Coalesce(Subquery(contract), default)


def lines_due(
    *, user, window: Window, supplier_id: int | None = None, part_id: int | None = None
) -> QuerySet[PurchaseOrderLine]:
    """The OTD / OTIF population: non-cancelled lines promised in the window."""
    lines = PurchaseOrderLine.objects.filter(
        promised_date__gte=window.start, promised_date__lte=window.lines_end
    ).exclude(status=PurchaseOrderLine.Status.CANCELLED)
    if supplier_id is not None:
        lines = lines.filter(purchase_order__supplier_id=supplier_id)
    if part_id is not None:
        lines = lines.filter(part_id=part_id)
    return (
        scope_for_user(lines, user)
        .select_related("purchase_order__supplier", "part")
        .annotate(
            early_tolerance_days=_tolerance(
                "early_tolerance_days", kpis.DEFAULT_EARLY_TOLERANCE_DAYS
            ),
            late_tolerance_days=_tolerance("late_tolerance_days", kpis.DEFAULT_LATE_TOLERANCE_DAYS),
        )
        .order_by("promised_date", "purchase_order__number", "line_number")
    )


def lines_with_on_time(lines) -> list[PurchaseOrderLine]:
    """Each line of a page with its tolerance window, quantity received in it, on-time
    quantity (capped at the ordered quantity) and whether it was delivered in full: two
    queries whatever the page size."""
    lines = list(lines)
    received = defaultdict(list)
    for receipt in Receipt.objects.filter(line__in=[line.pk for line in lines]).only(
        "line_id", "receipt_date", "quantity"
    ):
        received[receipt.line_id].append(receipt)
    for line in lines:
        early, late = line.early_tolerance_days, line.late_tolerance_days
        line.window_from = line.promised_date - dt.timedelta(days=early)
        line.window_to = line.promised_date + dt.timedelta(days=late)
        receipts = received.get(line.pk, [])
        line.received_quantity = sum((r.quantity for r in receipts), Decimal(0))
        in_window = sum(
            (
                r.quantity
                for r in receipts
                if kpis.is_on_time(r.receipt_date, line.promised_date, early=early, late=late)
            ),
            Decimal(0),
        )
        line.on_time_quantity = kpis.on_time_quantity(in_window, line.quantity)
        line.is_in_full = kpis.is_in_full(line.on_time_quantity, line.quantity)
    return lines


def receipts_in(
    *, user, window: Window, supplier_id: int | None = None, part_id: int | None = None
) -> QuerySet[Receipt]:
    """The lead-time and landed-cost population: receipts dated in the window."""
    receipts = Receipt.objects.filter(
        receipt_date__gte=window.start, receipt_date__lte=window.end
    ).exclude(line__status=PurchaseOrderLine.Status.CANCELLED)
    if supplier_id is not None:
        receipts = receipts.filter(line__purchase_order__supplier_id=supplier_id)
    if part_id is not None:
        receipts = receipts.filter(line__part_id=part_id)
    return (
        scope_for_user(receipts, user)
        .select_related("line__purchase_order__supplier", "line__part")
        .order_by("receipt_date", "number")
    )


def _rate(currency: str, day: dt.date, rates: dict[str, tuple[list, list]]):
    """The latest rate dated on or before `day`; 1 for the base currency; None if none."""
    if currency == settings.BASE_CURRENCY:
        return Decimal(1)
    dates, values = rates.get(currency, ((), ()))
    index = bisect.bisect_right(dates, day)
    return values[index - 1] if index else None


def receipts_with_landed_cost(receipts) -> list[Receipt]:
    """Each receipt of a page with its lead time (days from the order date) and landed unit
    cost in the base currency (None without a usable FX rate, as the scorecards exclude
    it): one query for the rates whatever the page size."""
    receipts = list(receipts)
    currencies = {r.line.purchase_order.currency for r in receipts} | {
        r.cost_currency for r in receipts
    }
    currencies.discard(settings.BASE_CURRENCY)
    rates: dict[str, tuple[list, list]] = defaultdict(lambda: ([], []))
    if receipts and currencies:
        last_day = max(r.receipt_date for r in receipts)
        history = (
            FxRate.objects.filter(currency__in=currencies, date__lte=last_day)
            .order_by("currency", "date")
            .values_list("currency", "date", "rate")
        )
        for currency, date, rate in history:
            rates[currency][0].append(date)
            rates[currency][1].append(rate)
    for receipt in receipts:
        line = receipt.line
        receipt.lead_time_days = (receipt.receipt_date - line.purchase_order.order_date).days
        line_rate = _rate(line.purchase_order.currency, receipt.receipt_date, rates)
        cost_rate = _rate(receipt.cost_currency, receipt.receipt_date, rates)
        receipt.extra_costs = receipt.freight + receipt.duty + receipt.other_costs
        if line_rate is None or cost_rate is None:
            receipt.landed_cost = receipt.landed_unit_cost = None
            continue
        receipt.landed_cost = kpis.landed_cost(
            quantity=receipt.quantity,
            unit_price=line.unit_price,
            line_rate=line_rate,
            costs=receipt.extra_costs,
            cost_rate=cost_rate,
        )
        receipt.landed_unit_cost = receipt.landed_cost / receipt.quantity
    return receipts


def inspections_in(
    *, user, window: Window, supplier_id: int | None = None, part_id: int | None = None
) -> QuerySet[Inspection]:
    """The defect-rate population: inspections dated in the window."""
    inspections = Inspection.objects.filter(
        inspection_date__gte=window.start, inspection_date__lte=window.end
    ).exclude(receipt__line__status=PurchaseOrderLine.Status.CANCELLED)
    if supplier_id is not None:
        inspections = inspections.filter(receipt__line__purchase_order__supplier_id=supplier_id)
    if part_id is not None:
        inspections = inspections.filter(receipt__line__part_id=part_id)
    return (
        scope_for_user(inspections, user)
        .select_related("receipt__line__purchase_order__supplier", "receipt__line__part")
        .order_by("inspection_date", "id")
    )
