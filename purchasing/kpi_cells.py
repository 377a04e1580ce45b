"""The KPI cells a change touches: (supplier, month) pairs for the dirty-cell outbox.

A scorecard row is a (supplier, part, month) or (supplier, month) cell; the facts it rests
on are the lines promised in that month (with all their receipts, for the on-time
quantity), the receipts dated in it (their line's order date, price and currency, the FX
rates of their day) and the inspections dated in it (their receipt's supplier and part).
A contract's tolerances reach the lines promised within its validity. The helpers below
read, in one query per kind of fact, every cell a set of objects contributes to; services
call them before and after a change and mark both (`kpi_cells_mark`), so a fact that
moves between months or suppliers refreshes where it was and where it is.
"""

import bisect
import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Q
from django.db.models.functions import TruncMonth

from purchasing.models import FxRate, Inspection, PurchaseOrderLine, Receipt

Cell = tuple[int, dt.date]  # (supplier id, first day of the month)


def cell(supplier_id: int, day: dt.date | str) -> Cell:
    if isinstance(day, str):
        day = dt.date.fromisoformat(day[:10])
    if isinstance(day, dt.datetime):
        day = day.date()
    return int(supplier_id), day.replace(day=1)


def kpi_cells_of(
    *,
    order_ids: Iterable[int] = (),
    line_ids: Iterable[int] = (),
    receipt_ids: Iterable[int] = (),
    inspection_ids: Iterable[int] = (),
) -> set[Cell]:
    """Every cell these orders, lines, receipts and inspections (and, for orders and lines,
    their receipts and inspections; for receipts, their line and inspections) count in."""
    order_ids, line_ids = list(order_ids), list(line_ids)
    receipt_ids, inspection_ids = list(receipt_ids), list(inspection_ids)
    cells: set[Cell] = set()
    lines = Q(pk__in=line_ids) | Q(purchase_order_id__in=order_ids)
    if order_ids or line_ids:
        for supplier_id, day in (
            PurchaseOrderLine.objects.filter(lines)
            .values_list("purchase_order__supplier_id", "promised_date")
            .distinct()
        ):
            cells.add(cell(supplier_id, day))
    receipts = Q(pk__in=receipt_ids)
    if order_ids or line_ids:
        receipts |= Q(line_id__in=line_ids) | Q(line__purchase_order_id__in=order_ids)
    if order_ids or line_ids or receipt_ids:
        for supplier_id, day, promised in (
            Receipt.objects.filter(receipts)
            .values_list("line__purchase_order__supplier_id", "receipt_date", "line__promised_date")
            .distinct()
        ):
            cells.update((cell(supplier_id, day), cell(supplier_id, promised)))
    inspections = Q(pk__in=inspection_ids)
    if order_ids or line_ids or receipt_ids:
        inspections |= (
            Q(receipt_id__in=receipt_ids)
            | Q(receipt__line_id__in=line_ids)
            | Q(receipt__line__purchase_order_id__in=order_ids)
        )
    if order_ids or line_ids or receipt_ids or inspection_ids:
        for supplier_id, day in (
            Inspection.objects.filter(inspections)
            .values_list("receipt__line__purchase_order__supplier_id", "inspection_date")
            .distinct()
        ):
            cells.add(cell(supplier_id, day))
    return cells


def kpi_cells_of_fx(*, rates: Iterable[tuple[str, dt.date]]) -> set[Cell]:
    """The cells of the receipts these (currency, date) rates price: the days from each
    rate's date until the next rate of its currency, for receipts in that currency (the
    order's or the costs'). One query per currency for the rate dates, one for the cells."""
    changed: dict[str, set[dt.date]] = {}
    for currency, day in rates:
        if currency != settings.BASE_CURRENCY:
            changed.setdefault(currency, set()).add(_day(day))
    priced = Q(pk__in=[])
    for currency, days in changed.items():
        known = sorted(FxRate.objects.filter(currency=currency).values_list("date", flat=True))
        for start, end in _ranges(sorted(days), known):
            in_range = Q(receipt_date__gte=start)
            if end is not None:
                in_range &= Q(receipt_date__lt=end)
            priced |= in_range & (
                Q(cost_currency=currency) | Q(line__purchase_order__currency=currency)
            )
    if not changed:
        return set()
    return {
        cell(supplier_id, month)
        for supplier_id, month in Receipt.objects.filter(priced)
        .annotate(month=TruncMonth("receipt_date"))
        .values_list("line__purchase_order__supplier_id", "month")
        .distinct()
    }


def _day(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _ranges(days: list[dt.date], known: list[dt.date]) -> list[tuple[dt.date, dt.date | None]]:
    """[day, next known rate after it) for each day, merged where they touch."""
    ranges: list[tuple[dt.date, dt.date | None]] = []
    for day in days:
        i = bisect.bisect_right(known, day)
        end = known[i] if i < len(known) else None
        if ranges and ranges[-1][1] is not None and ranges[-1][1] >= day:
            ranges[-1] = (ranges[-1][0], end)
        elif not ranges or ranges[-1][1] is not None:
            ranges.append((day, end))
    return ranges
