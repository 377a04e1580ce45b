"""Writes for orders, acknowledgements, receipts and inspections.

Every write that changes a KPI input goes through here, so the scorecard
refresh is queued in one place (on commit, once per transaction).
"""

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from purchasing.models import (
    FxRate,
    Inspection,
    PromiseRevision,
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
)

# Set while a bulk load runs inside `kpi_refresh_deferred()`: suppliers collected, none queued.
_kpi_refresh_deferred_ids: ContextVar[set[int] | None] = ContextVar(
    "kpi_refresh_deferred_ids", default=None
)


@contextmanager
def kpi_refresh_deferred() -> Iterator[set[int]]:
    """Collect the suppliers whose KPIs need a refresh instead of queueing a task per write.

    For bulk loads (demo data, large imports) that would otherwise queue one task per chunk:
    the caller gets the set of supplier ids and recomputes or queues once at the end.
    """
    collected: set[int] = set()
    token = _kpi_refresh_deferred_ids.set(collected)
    try:
        yield collected
    finally:
        _kpi_refresh_deferred_ids.reset(token)


def kpi_refresh_queue(*, supplier_ids: Iterable[int]) -> None:
    """Queue the scorecard refresh of these suppliers once the transaction commits."""
    ids = sorted({int(i) for i in supplier_ids})
    if not ids:
        return
    deferred = _kpi_refresh_deferred_ids.get()
    if deferred is not None:
        deferred.update(ids)
        return
    from scorecards.tasks import scorecards_refresh_suppliers

    transaction.on_commit(lambda: scorecards_refresh_suppliers.delay(ids))


def purchase_order_line_build(
    *,
    line_number: int,
    part,
    quantity,
    unit_price,
    requested_date: dt.date,
    promised_date: dt.date | None = None,
    status: str = PurchaseOrderLine.Status.OPEN,
) -> PurchaseOrderLine:
    """An unsaved line; a promised date sent with the order is the supplier's confirmation."""
    return PurchaseOrderLine(
        line_number=line_number,
        part=part,
        quantity=quantity,
        unit_price=unit_price,
        requested_date=requested_date,
        promised_date=promised_date or requested_date,
        expected_date=promised_date or requested_date,
        acknowledged_at=timezone.now() if promised_date else None,
        status=status,
    )


@transaction.atomic
def purchase_orders_create(
    *, orders: list[tuple[PurchaseOrder, list[PurchaseOrderLine]]], batch_size: int = 2000
) -> list[PurchaseOrder]:
    """Create orders with their lines in bulk, all or nothing. Inputs are validated by callers."""
    created = PurchaseOrder.objects.bulk_create([po for po, _ in orders], batch_size=batch_size)
    lines = []
    for po, po_lines in orders:
        for line in po_lines:
            line.purchase_order = po
            lines.append(line)
    PurchaseOrderLine.objects.bulk_create(lines, batch_size=batch_size)
    kpi_refresh_queue(supplier_ids=[po.supplier_id for po in created])
    return created


def purchase_order_create(
    *,
    number: str,
    supplier,
    order_date: dt.date,
    currency: str,
    lines: list[PurchaseOrderLine],
    created_by=None,
) -> PurchaseOrder:
    po = PurchaseOrder(
        number=number,
        supplier=supplier,
        order_date=order_date,
        currency=currency,
        created_by=created_by,
    )
    po.full_clean()
    if not lines:
        raise ValidationError({"lines": "An order needs at least one line."})
    numbers = [line.line_number for line in lines]
    if len(numbers) != len(set(numbers)):
        raise ValidationError({"lines": "Line numbers must be unique within the order."})
    for line in lines:
        line.full_clean(exclude=["purchase_order"], validate_constraints=False)
    purchase_orders_create(orders=[(po, lines)])
    return po


@transaction.atomic
def purchase_order_line_acknowledge(
    *,
    line: PurchaseOrderLine,
    promised_date: dt.date,
    reason: str = "",
    comment: str = "",
    user=None,
) -> PurchaseOrderLine:
    """The first confirmation sets the promised date for good; later ones are revisions."""
    line = PurchaseOrderLine.objects.select_for_update().get(pk=line.pk)
    if line.status == PurchaseOrderLine.Status.CANCELLED:
        raise ValidationError({"line": "A cancelled line cannot be acknowledged."})
    if line.acknowledged_at is None:
        line.promised_date = promised_date
        line.expected_date = promised_date
        line.acknowledged_at = timezone.now()
        line.save(update_fields=["promised_date", "expected_date", "acknowledged_at"])
        kpi_refresh_queue(supplier_ids=[line.purchase_order.supplier_id])
        return line
    if reason not in PromiseRevision.Reason.values:
        choices = ", ".join(PromiseRevision.Reason.values)
        raise ValidationError({"reason": f"A revised date needs a reason code: one of {choices}."})
    PromiseRevision.objects.create(
        line=line,
        previous_date=line.expected_date,
        new_date=promised_date,
        reason=reason,
        comment=comment,
        created_by=user,
    )
    line.expected_date = promised_date
    line.save(update_fields=["expected_date"])
    return line


@transaction.atomic
def receipts_create(*, receipts: list[Receipt], batch_size: int = 2000) -> list[Receipt]:
    """Record goods receipts in bulk, all or nothing. Inputs are validated by callers."""
    created = Receipt.objects.bulk_create(receipts, batch_size=batch_size)
    line_ids = {r.line_id for r in created}
    supplier_ids = PurchaseOrderLine.objects.filter(pk__in=line_ids).values_list(
        "purchase_order__supplier_id", flat=True
    )
    kpi_refresh_queue(supplier_ids=supplier_ids)
    return created


@transaction.atomic
def inspections_create(
    *, inspections: list[Inspection], batch_size: int = 2000
) -> list[Inspection]:
    """Record inspections in bulk, all or nothing. Inputs are validated by callers."""
    created = Inspection.objects.bulk_create(inspections, batch_size=batch_size)
    receipt_ids = {i.receipt_id for i in created}
    supplier_ids = Receipt.objects.filter(pk__in=receipt_ids).values_list(
        "line__purchase_order__supplier_id", flat=True
    )
    kpi_refresh_queue(supplier_ids=supplier_ids)
    return created


@transaction.atomic
def fx_rates_upsert(*, rates: list[FxRate]) -> None:
    FxRate.objects.bulk_create(
        rates,
        update_conflicts=True,
        unique_fields=["currency", "date"],
        update_fields=["rate"],
        batch_size=2000,
    )
