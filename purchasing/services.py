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

from core.tasks import task_queue
from purchasing.kpi_cells import Cell, cell, kpi_cells_of, kpi_cells_of_fx
from purchasing.models import (
    FxRate,
    Inspection,
    PendingCell,
    PendingRefresh,
    PromiseRevision,
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
    ShipNotice,
    ShipNoticeLine,
    TransitEvent,
)

# Set while a bulk load runs inside `kpi_refresh_deferred()`: suppliers collected, none queued.
# The scorecards task that consumes the outbox (scorecards.tasks.scorecards_refresh_suppliers).
KPI_REFRESH_TASK = "scorecards.refresh_suppliers"

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
    """Request the scorecard refresh of these suppliers, and queue the task that runs it
    once the transaction commits."""
    ids = sorted({int(i) for i in supplier_ids})
    if not ids:
        return
    deferred = _kpi_refresh_deferred_ids.get()
    if deferred is not None:
        deferred.update(ids)
        return
    kpi_inputs_changed(supplier_ids=ids)
    # Queued by name: purchasing sits below scorecards and never imports it.
    transaction.on_commit(lambda: task_queue(KPI_REFRESH_TASK, ids))


def kpi_inputs_changed(*, supplier_ids: Iterable[int]) -> None:
    """Record in the outbox that these suppliers' KPI inputs changed, in the caller's
    transaction (a rolled-back change leaves no request behind). Sorted, so concurrent
    requests for the same suppliers take their row locks in one order."""
    ids = sorted({int(i) for i in supplier_ids})
    PendingRefresh.objects.bulk_create(
        [PendingRefresh(supplier_id=i) for i in ids], ignore_conflicts=True
    )


def kpi_cells_mark(*, cells: Iterable[Cell]) -> None:
    """Record in the outbox that these (supplier, month) KPI cells changed, in the caller's
    transaction, and queue the refresh task once it commits (see `kpi_refresh_queue`)."""
    marked = sorted(set(cells))
    if not marked:
        return
    supplier_ids = sorted({supplier_id for supplier_id, _ in marked})
    deferred = _kpi_refresh_deferred_ids.get()
    if deferred is not None:
        deferred.update(supplier_ids)
        return
    PendingCell.objects.bulk_create(
        [PendingCell(supplier_id=s, month=m) for s, m in marked], ignore_conflicts=True
    )
    transaction.on_commit(lambda: task_queue(KPI_REFRESH_TASK, supplier_ids))


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
    kpi_cells_mark(cells={cell(ln.purchase_order.supplier_id, ln.promised_date) for ln in lines})
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
    touched = {cell(line.purchase_order.supplier_id, line.promised_date)}
    if line.status == PurchaseOrderLine.Status.CANCELLED:
        raise ValidationError({"line": "A cancelled line cannot be acknowledged."})
    if line.acknowledged_at is None:
        line.promised_date = promised_date
        line.expected_date = promised_date
        line.acknowledged_at = timezone.now()
        line.save(update_fields=["promised_date", "expected_date", "acknowledged_at"])
        kpi_cells_mark(cells=touched | {cell(line.purchase_order.supplier_id, promised_date)})
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
    kpi_cells_mark(cells=touched)
    return line


@transaction.atomic
def receipts_create(
    *,
    receipts: list[Receipt],
    batch_size: int = 2000,
    supplier_ids: Iterable[int] | None = None,
) -> list[Receipt]:
    """Record goods receipts in bulk, all or nothing. Inputs are validated by callers.

    `supplier_ids` is accepted from callers that resolved them; the KPI cells need each
    line's promised date as well, read in one query per batch.
    """
    created = Receipt.objects.bulk_create(receipts, batch_size=batch_size)
    lines = {
        pk: (supplier_id, promised)
        for pk, supplier_id, promised in PurchaseOrderLine.objects.filter(
            pk__in={r.line_id for r in created}
        ).values_list("pk", "purchase_order__supplier_id", "promised_date")
    }
    kpi_cells_mark(
        cells={
            c
            for r in created
            for c in (cell(lines[r.line_id][0], r.receipt_date), cell(*lines[r.line_id]))
        }
    )
    return created


@transaction.atomic
def inspections_create(
    *,
    inspections: list[Inspection],
    batch_size: int = 2000,
    supplier_ids: Iterable[int] | None = None,
) -> list[Inspection]:
    """Record inspections in bulk, all or nothing. Inputs are validated by callers.

    `supplier_ids`: as for `receipts_create`.
    """
    created = Inspection.objects.bulk_create(inspections, batch_size=batch_size)
    suppliers = dict(
        Receipt.objects.filter(pk__in={i.receipt_id for i in created}).values_list(
            "pk", "line__purchase_order__supplier_id"
        )
    )
    kpi_cells_mark(cells={cell(suppliers[i.receipt_id], i.inspection_date) for i in created})
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
    kpi_cells_mark(cells=kpi_cells_of_fx(rates=[(r.currency, r.date) for r in rates]))


@transaction.atomic
def fx_rate_save(*, rate: FxRate) -> FxRate:
    """Create or correct one rate (validated by the caller); the receipts it priced before
    and prices now are marked for the KPI refresh."""
    touched = list(FxRate.objects.filter(pk=rate.pk).values_list("currency", "date"))
    rate.save()
    kpi_cells_mark(cells=kpi_cells_of_fx(rates=[*touched, (rate.currency, rate.date)]))
    return rate


@transaction.atomic
def fx_rate_delete(*, rate: FxRate) -> None:
    """Delete a rate: the days it covered fall back to the rate before it."""
    touched = (rate.currency, rate.date)
    rate.delete()
    kpi_cells_mark(cells=kpi_cells_of_fx(rates=[touched]))


LINE_EDITABLE_FIELDS = ("part", "quantity", "unit_price", "requested_date", "status")


@transaction.atomic
def purchase_order_update(
    *,
    purchase_order: PurchaseOrder,
    order_date: dt.date | None = None,
    currency: str | None = None,
    lines: list[dict] | None = None,
) -> PurchaseOrder:
    """Change an order's header and upsert its lines by line number (lines not sent stay).

    Until the supplier confirms, a line's promised date follows its requested date, and a
    promised date sent here counts as the confirmation. A confirmed promised date is the
    OTD baseline and never moves: later changes go through `purchase_order_line_acknowledge`.
    """
    po = purchase_order
    touched = kpi_cells_of(order_ids=[po.pk])
    if order_date is not None:
        po.order_date = order_date
    if currency is not None:
        po.currency = currency
    po.full_clean()
    po.save()
    existing = {
        line.line_number: line
        for line in PurchaseOrderLine.objects.select_for_update().filter(purchase_order=po)
    }
    added = []
    for data in lines or []:
        data = dict(data)
        number = data.pop("line_number")
        promised = data.pop("promised_date", None)
        line = existing.get(number)
        if line is None:
            added.append(
                purchase_order_line_build(line_number=number, promised_date=promised, **data)
            )
            continue
        if line.acknowledged_at is not None and promised not in (None, line.promised_date):
            raise ValidationError(
                {
                    "lines": f"Line {number}: the promised date {line.promised_date} was "
                    "confirmed by the supplier and is the delivery baseline; send a revised "
                    "date through the line's acknowledge endpoint."
                }
            )
        if "part" in data and data["part"].pk != line.part_id and line.receipts.exists():
            raise ValidationError({"lines": f"Line {number} has receipts; its part cannot change."})
        for name in LINE_EDITABLE_FIELDS:
            if name in data:
                setattr(line, name, data[name])
        if line.acknowledged_at is None:
            line.promised_date = promised or line.requested_date
            line.expected_date = line.promised_date
            if promised is not None:
                line.acknowledged_at = timezone.now()
        line.save()
    for line in added:
        line.purchase_order = po
    PurchaseOrderLine.objects.bulk_create(added)
    kpi_cells_mark(cells=touched | kpi_cells_of(order_ids=[po.pk]))
    return po


@transaction.atomic
def purchase_order_delete(*, purchase_order: PurchaseOrder) -> None:
    """Delete an order and its lines; refused (ProtectedError) once shipped or received."""
    touched = kpi_cells_of(order_ids=[purchase_order.pk])
    purchase_order.delete()
    kpi_cells_mark(cells=touched)


@transaction.atomic
def receipt_update(*, receipt: Receipt, **fields) -> Receipt:
    """Correct a receipt (date, quantity, costs, line); the KPIs are refreshed."""
    touched = kpi_cells_of(receipt_ids=[receipt.pk])
    for name, value in fields.items():
        setattr(receipt, name, value)
    receipt.save()
    kpi_cells_mark(cells=touched | kpi_cells_of(receipt_ids=[receipt.pk]))
    return receipt


@transaction.atomic
def receipt_delete(*, receipt: Receipt) -> None:
    """Delete a receipt booked by mistake; refused (ProtectedError) once it was inspected."""
    touched = kpi_cells_of(receipt_ids=[receipt.pk])
    receipt.delete()
    kpi_cells_mark(cells=touched)


@transaction.atomic
def inspection_update(*, inspection: Inspection, **fields) -> Inspection:
    touched = kpi_cells_of(inspection_ids=[inspection.pk])
    for name, value in fields.items():
        setattr(inspection, name, value)
    inspection.save()
    kpi_cells_mark(cells=touched | kpi_cells_of(inspection_ids=[inspection.pk]))
    return inspection


@transaction.atomic
def inspection_delete(*, inspection: Inspection) -> None:
    touched = kpi_cells_of(inspection_ids=[inspection.pk])
    inspection.delete()
    kpi_cells_mark(cells=touched)


@transaction.atomic
def ship_notice_create(
    *,
    supplier,
    number: str,
    ship_date: dt.date,
    eta: dt.date,
    lines: list[tuple[PurchaseOrderLine, object]],
    carrier: str = "",
    tracking_number: str = "",
) -> ShipNotice:
    """Record an advance ship notice: which order lines ship, how many, and when they arrive."""
    notice = ShipNotice(
        supplier=supplier,
        number=number,
        ship_date=ship_date,
        eta=eta,
        carrier=carrier,
        tracking_number=tracking_number,
    )
    notice.full_clean()
    notice.save()
    ShipNoticeLine.objects.bulk_create(
        [ShipNoticeLine(ship_notice=notice, line=line, quantity=qty) for line, qty in lines]
    )
    return notice


@transaction.atomic
def ship_notice_update(
    *,
    ship_notice: ShipNotice,
    lines: list[tuple[PurchaseOrderLine, object]] | None = None,
    **fields,
) -> ShipNotice:
    """Correct a ship notice's header; lines sent replace the notice's lines."""
    for name, value in fields.items():
        setattr(ship_notice, name, value)
    ship_notice.full_clean()
    ship_notice.save()
    if lines is not None:
        ship_notice.lines.all().delete()
        ShipNoticeLine.objects.bulk_create(
            [ShipNoticeLine(ship_notice=ship_notice, line=ln, quantity=q) for ln, q in lines]
        )
    return ship_notice


@transaction.atomic
def transit_event_record(
    *,
    ship_notice: ShipNotice,
    occurred_at: dt.datetime,
    location: str = "",
    eta: dt.date | None = None,
    description: str = "",
    delivered: bool = False,
) -> TransitEvent:
    """Add a carrier's transit event; the latest event sets the notice's location and ETA."""
    notice = ShipNotice.objects.select_for_update().get(pk=ship_notice.pk)
    if eta is not None and eta < notice.ship_date:
        raise ValidationError(
            {"eta": f"The ETA cannot be before the ship date {notice.ship_date}."}
        )
    event = TransitEvent.objects.create(
        ship_notice=notice,
        occurred_at=occurred_at,
        location=location,
        eta=eta,
        description=description,
    )
    # Carriers send events out of order: only the newest one moves location and ETA.
    if notice.last_event_at is None or occurred_at >= notice.last_event_at:
        notice.last_event_at = occurred_at
        if location:
            notice.current_location = location
        if eta is not None:
            notice.eta = eta
    if delivered:
        notice.is_delivered = True
    notice.save(update_fields=["last_event_at", "current_location", "eta", "is_delivered"])
    return event
