"""Writes for orders, acknowledgements, receipts and inspections.

Every write that changes a KPI input goes through here, so the scorecard
refresh is queued in one place (on commit, once per transaction).
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

# FX rates, ship notices and the KPI-refresh outbox live in their own modules; callers
# import them here.
from purchasing.fx import (  # noqa: F401
    fx_rate_delete,
    fx_rate_update,
    fx_rates_kpi_refresh,
    fx_rates_upsert,
    fx_rates_validate,
)
from purchasing.kpi_cells import cell, kpi_cells_of
from purchasing.models import (
    PromiseRevision,
    PurchaseOrder,
    PurchaseOrderLine,
)
from purchasing.ordering import (  # noqa: F401
    acknowledgement_time_check,
    line_date_errors,
    order_line_errors,
    order_number_next,
    spot_buy_mark,
    supplier_order_error,
)
from purchasing.outbox import (  # noqa: F401
    alert_scan_request,
    kpi_cells_mark,
    kpi_inputs_changed,
    kpi_refresh_deferred,
    kpi_refresh_queue,
    line_rescore_request,
)
from purchasing.receiving import (  # noqa: F401
    inspection_create,
    inspection_delete,
    inspection_update,
    inspections_create,
    inspections_validate,
    over_delivery_mark,
    receipt_create,
    receipt_delete,
    receipt_update,
    receipts_create,
    receipts_over_delivery,
    receipts_validate,
)
from purchasing.shipping import (  # noqa: F401
    ship_notice_create,
    ship_notice_delivery_confirm,
    ship_notice_update,
    ship_notices_mark_received,
    transit_event_record,
)
from suppliers.models import Supplier

# A supplier in one of these states takes no new orders (docs/orders.md); only approved
# suppliers do (`supplier_order_error`).
NO_NEW_ORDERS = frozenset(set(Supplier.Status) - {Supplier.Status.APPROVED})


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
    kpi_cells_mark(
        cells={cell(ln.purchase_order.supplier_id, ln.promised_date) for ln in lines},
        line_ids=[ln.pk for ln in lines],
    )
    return created


@transaction.atomic
def purchase_order_create(
    *,
    number: str,
    supplier,
    order_date: dt.date,
    currency: str,
    lines: list[PurchaseOrderLine],
    site=None,
    created_by=None,
    actor=None,
    allow_spot_buy: bool = True,
) -> PurchaseOrder:
    """Place an order with its lines, all checks first, nothing written unless all pass.

    Only approved suppliers take new orders; no line is dated before the order; an empty
    number comes from the day's gapless sequence. A line whose part has no approved source
    at the supplier is a spot buy: flagged, and refused unless `allow_spot_buy` (the buyer's
    form asks first; an ERP's order is a fact).
    """
    errors: dict[str, list[str] | str] = {}
    if (problem := supplier_order_error(supplier)) is not None:
        errors["supplier"] = problem
    if not lines:
        errors["lines"] = "An order needs at least one line."
    numbers = [line.line_number for line in lines]
    if len(numbers) != len(set(numbers)):
        errors["lines"] = "Line numbers must be unique within the order."
    if order_date is not None:
        errors.update(order_line_errors(order_date=order_date, lines=lines))
    if errors:
        raise ValidationError(errors)
    if created_by is None and getattr(actor, "pk", None) is not None:
        created_by = actor
    po = PurchaseOrder(
        number=number or order_number_next(day=order_date),
        supplier=supplier,
        order_date=order_date,
        currency=currency,
        created_by=created_by,
    )
    if site is not None:  # else the main site (the field's default)
        po.site = site
    po.full_clean()
    for line in lines:
        line.full_clean(exclude=["purchase_order"], validate_constraints=False)
    spot = spot_buy_mark(supplier_id=supplier.pk, lines=lines)
    if spot and not allow_spot_buy:
        parts = ", ".join(sorted({line.part.number for line in spot}))
        raise ValidationError(
            {
                "confirm_spot_buy": f"{supplier.code} is not an approved source of {parts}; "
                "confirm this spot buy to place the order."
            }
        )
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
    acknowledged_at: dt.datetime | dt.date | None = None,
) -> PurchaseOrderLine:
    """The first confirmation sets the promised date for good; later ones are revisions.

    No date before the order date; `acknowledged_at` (the supplier's own time, for ERPs
    sending history) is not in the future and not before the order date.
    """
    line = (
        PurchaseOrderLine.objects.select_for_update()
        .select_related("purchase_order")
        .get(pk=line.pk)
    )
    order_date = line.purchase_order.order_date
    touched = {cell(line.purchase_order.supplier_id, line.promised_date)}
    if line.status == PurchaseOrderLine.Status.CANCELLED:
        raise ValidationError({"line": "A cancelled line cannot be acknowledged."})
    if promised_date < order_date:
        raise ValidationError(
            {"promised_date": f"{promised_date} is before the order date {order_date}."}
        )
    moment = acknowledgement_time_check(acknowledged_at=acknowledged_at, order_date=order_date)
    if line.acknowledged_at is None:
        line.promised_date = promised_date
        line.expected_date = promised_date
        line.acknowledged_at = moment
        line.save(update_fields=["promised_date", "expected_date", "acknowledged_at"])
        kpi_cells_mark(
            cells=touched | {cell(line.purchase_order.supplier_id, promised_date)},
            line_ids=[line.pk],
        )
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
    kpi_cells_mark(cells=touched, line_ids=[line.pk])
    return line


LINE_EDITABLE_FIELDS = ("part", "quantity", "unit_price", "requested_date", "status")


def _line_change(line: PurchaseOrderLine, data: dict, promised: dt.date | None) -> None:
    """Apply one line's changes in memory; a confirmed promised date never moves."""
    number = line.line_number
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


@transaction.atomic
def purchase_order_update(
    *,
    purchase_order: PurchaseOrder,
    order_date: dt.date | None = None,
    currency: str | None = None,
    lines: list[dict] | None = None,
    site=None,
) -> PurchaseOrder:
    """Change an order's header and upsert its lines by line number (lines not sent stay).

    Until the supplier confirms, a line's promised date follows its requested date, and a
    promised date sent here counts as the confirmation. A confirmed promised date is the
    OTD baseline and never moves: later changes go through `purchase_order_line_acknowledge`.
    """
    po = purchase_order
    touched = kpi_cells_of(order_ids=[po.pk])
    redated = order_date is not None and order_date != po.order_date
    if order_date is not None:
        po.order_date = order_date
    if currency is not None:
        po.currency = currency
    if site is not None:
        po.site = site
    po.full_clean()
    po.save()
    existing = {
        line.line_number: line
        for line in PurchaseOrderLine.objects.select_for_update().filter(purchase_order=po)
    }
    added, changed = [], []
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
        _line_change(line, data, promised)
        changed.append(line)
    checked = list(existing.values()) + added if redated else changed + added
    if errors := order_line_errors(order_date=po.order_date, lines=checked):
        raise ValidationError(errors)
    spot_buy_mark(supplier_id=po.supplier_id, lines=changed + added)
    for line in changed:
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
def purchase_order_line_delete(*, line: PurchaseOrderLine, actor=None) -> None:
    """Delete a line entered by mistake; refused (ProtectedError) once received."""
    supplier_id = line.purchase_order.supplier_id
    line.delete()
    kpi_refresh_queue(supplier_ids=[supplier_id])
