"""What an exception card shows about each source of its part: the figures, grade, free
capacity this month and the cost impact of the proposed shift (docs/rules.md). Four
queries for a whole page of exceptions."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from parts.models import ApprovedSource
from purchasing.models import PurchaseOrderLine
from scorecards import kpis
from scorecards.models import SupplierScorecard

_ZERO = Decimal("0")


@dataclass
class SourceCard:
    code: str
    name: str
    share_now: Decimal
    proposed: Decimal | None
    bounds: tuple[Decimal, Decimal]
    grade: str | None
    figure: float | None  # the rule's metric, the supplier's current rolling figure
    free_capacity: Decimal | None
    unit_price: Decimal
    currency: str
    yearly_cost_change: Decimal | None  # proposed share change × last year's volume × price
    breaching: bool


def _month(today: dt.date) -> tuple[dt.date, dt.date]:
    start = today.replace(day=1)
    return start, (start + dt.timedelta(days=32)).replace(day=1)


def exception_cards(*, exceptions) -> dict[int, dict]:
    """Exception id → {"sources": [SourceCard], "impact": {currency: change per year}}."""
    exceptions = [e for e in exceptions if e.part_id]
    part_ids = {e.part_id for e in exceptions}
    if not part_ids:
        return {}
    today = timezone.localdate()
    sources = list(
        ApprovedSource.objects.filter(part_id__in=part_ids, is_active=True)
        .select_related("supplier")
        .order_by("supplier__code")
    )
    rows = {
        row["supplier_id"]: row
        for row in SupplierScorecard.objects.filter(
            supplier_id__in={s.supplier_id for s in sources}, period=kpis.ROLLING_PERIOD
        ).values()
    }
    start, end = _month(today)
    open_lines = PurchaseOrderLine.objects.filter(
        part_id__in=part_ids, status=PurchaseOrderLine.Status.OPEN
    )
    booked = {
        (r["part_id"], r["purchase_order__supplier_id"]): r["total"]
        for r in open_lines.filter(expected_date__gte=start, expected_date__lt=end)
        .values("part_id", "purchase_order__supplier_id")
        .annotate(total=Sum("quantity"))
    }
    yearly = dict(
        PurchaseOrderLine.objects.filter(
            part_id__in=part_ids, purchase_order__order_date__gt=today - dt.timedelta(days=365)
        )
        .exclude(status=PurchaseOrderLine.Status.CANCELLED)
        .values("part_id")
        .annotate(total=Sum("quantity"))
        .values_list("part_id", "total")
    )
    by_part: dict[int, list[ApprovedSource]] = {}
    for source in sources:
        by_part.setdefault(source.part_id, []).append(source)
    context = _Context(rows=rows, booked=booked, yearly=yearly)
    return {e.pk: _card(e, by_part.get(e.part_id, []), context) for e in exceptions}


@dataclass
class _Context:
    rows: dict
    booked: dict
    yearly: dict


def _card(exception, sources, context: _Context) -> dict:
    proposed = {c: Decimal(v) for c, v in (exception.proposed_shares or {}).items()}
    metric = exception.rule.metric if exception.rule_id else None
    volume = context.yearly.get(exception.part_id) or _ZERO
    cards, impact = [], {}
    for source in sources:
        row = context.rows.get(source.supplier_id) or {}
        new = proposed.get(source.supplier.code)
        change = None
        if new is not None:
            change = (new - source.target_share_pct) / 100 * volume * source.unit_price
            impact[source.currency] = impact.get(source.currency, _ZERO) + change
        free = None
        if source.monthly_capacity is not None:
            booked = context.booked.get((source.part_id, source.supplier_id), _ZERO)
            free = max(_ZERO, source.monthly_capacity - booked)
        cards.append(
            SourceCard(
                code=source.supplier.code,
                name=source.supplier.name,
                share_now=source.target_share_pct,
                proposed=new,
                bounds=(source.min_share_pct, source.max_share_pct),
                grade=row.get("grade"),
                figure=row.get(metric) if metric else None,
                free_capacity=free,
                unit_price=source.unit_price,
                currency=source.currency,
                yearly_cost_change=change,
                breaching=source.supplier_id == exception.supplier_id,
            )
        )
    return {"sources": cards, "impact": impact, "volume": volume}
