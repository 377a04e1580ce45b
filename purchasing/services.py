"""Writes for orders, acknowledgements, receipts and inspections.

Every write that changes a KPI input goes through here, so the scorecard
refresh is queued in one place (on commit, once per transaction).
"""

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.services import BatchValidationError, raise_first_error
from parts.models import InspectionCharacteristic

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
    Inspection,
    PromiseRevision,
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
)
from purchasing.outbox import (  # noqa: F401
    KPI_REFRESH_TASK,
    alert_scan_request,
    kpi_cells_mark,
    kpi_inputs_changed,
    kpi_refresh_deferred,
    kpi_refresh_queue,
    line_rescore_request,
)
from purchasing.shipping import (  # noqa: F401
    ship_notice_create,
    ship_notice_update,
    transit_event_record,
)
from suppliers.models import Supplier

# A supplier in one of these states takes no new orders (SPEC §4 "hold").
NO_NEW_ORDERS = frozenset({Supplier.Status.ON_HOLD, Supplier.Status.DISQUALIFIED})


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


def purchase_order_create(
    *,
    number: str,
    supplier,
    order_date: dt.date,
    currency: str,
    lines: list[PurchaseOrderLine],
    created_by=None,
    actor=None,
) -> PurchaseOrder:
    """Place an order. A supplier on hold or disqualified takes no new orders (SPEC §4)."""
    if supplier.status in NO_NEW_ORDERS:
        raise ValidationError(
            {
                "supplier": f"{supplier.code} is {supplier.get_status_display().lower()}; "
                "it takes no new orders."
            }
        )
    if created_by is None and getattr(actor, "pk", None) is not None:
        created_by = actor
    po = PurchaseOrder(
        number=number,
        supplier=supplier,
        order_date=order_date,
        currency=currency,
        created_by=created_by,
    )
    po.full_clean()
    if supplier.status in (supplier.Status.ON_HOLD, supplier.Status.DISQUALIFIED):
        raise ValidationError(
            {
                "supplier": f"{supplier.code} is {supplier.get_status_display().lower()}; "
                "it takes no new orders."
            }
        )
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


def _add(errors: dict, index: int, field: str, message: str) -> None:
    errors.setdefault(index, {}).setdefault(field, []).append(message)


def receipts_validate(*, receipts: list[Receipt]) -> dict[int, dict[str, list[str]]]:
    """Check a batch of goods receipts (new or corrected) with two queries; errors by index.

    Numbers are unique, quantities above zero and costs not negative, the line is not
    cancelled; a missing cost currency becomes the order's.
    """
    errors: dict[int, dict[str, list[str]]] = {}
    own = {r.pk for r in receipts if r.pk is not None}
    taken = set(
        Receipt.objects.filter(number__in=[r.number for r in receipts])
        .exclude(pk__in=own)
        .values_list("number", flat=True)
    )
    lines = {
        line.pk: line
        for line in PurchaseOrderLine.objects.filter(
            pk__in={r.line_id for r in receipts if r.line_id}
        ).select_related("purchase_order")
    }
    first: dict[str, int] = {}
    for index, receipt in enumerate(receipts):
        if receipt.number in taken:
            _add(errors, index, "number", f"Receipt {receipt.number} already exists.")
        elif receipt.number in first:
            _add(
                errors,
                index,
                "number",
                f"Receipt {receipt.number} appears twice (items {first[receipt.number]} "
                f"and {index}).",
            )
        else:
            first[receipt.number] = index
        line = lines.get(receipt.line_id)
        if line is None:
            _add(errors, index, "line", "Name the order line received.")
        elif line.status == PurchaseOrderLine.Status.CANCELLED:
            _add(errors, index, "line", f"{line} is cancelled; nothing can be received on it.")
        elif not receipt.cost_currency:
            receipt.cost_currency = line.purchase_order.currency
        if receipt.quantity is None or receipt.quantity <= 0:
            _add(errors, index, "quantity", "Must be more than zero.")
        for field in ("freight", "duty", "other_costs"):
            if (getattr(receipt, field) or 0) < 0:
                _add(errors, index, field, "Must not be negative.")
        try:
            receipt.full_clean(
                exclude=["line", "ship_notice"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    _add(errors, index, field, message)
    return errors


@transaction.atomic
def receipts_create(
    *,
    receipts: list[Receipt],
    batch_size: int = 2000,
    supplier_ids: Iterable[int] | None = None,
    validate: bool = False,
) -> list[Receipt]:
    """Record goods receipts in bulk, all or nothing.

    With `validate=True` the batch is checked first (`receipts_validate`) and refused with
    a `BatchValidationError`; the bulk API validates the same rules while resolving its
    references. `supplier_ids`: the receipts' suppliers, when the caller already resolved
    them (the bulk API does), which saves a query per batch.
    """
    if validate:
        errors = receipts_validate(receipts=receipts)
        if errors:
            raise BatchValidationError(errors)
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
        },
        line_ids=lines,
    )
    return created


def receipt_create(
    *,
    number: str,
    line: PurchaseOrderLine,
    receipt_date: dt.date,
    quantity,
    actor=None,
    **fields,
) -> Receipt:
    """Book one goods receipt against an order line (costs default to 0 in the PO's currency)."""
    receipt = Receipt(
        number=number, line=line, receipt_date=receipt_date, quantity=quantity, **fields
    )
    raise_first_error(receipts_validate(receipts=[receipt]))
    return receipts_create(receipts=[receipt])[0]


def inspections_validate(*, inspections: list[Inspection]) -> dict[int, dict[str, list[str]]]:
    """Check a batch of inspections with two queries; errors by index: defective within
    inspected within received, not before the receipt, defect codes once each and from the
    part's checklist (when it has one)."""
    errors: dict[int, dict[str, list[str]]] = {}
    receipts = {
        r.pk: r
        for r in Receipt.objects.filter(
            pk__in={i.receipt_id for i in inspections if i.receipt_id}
        ).select_related("line__part")
    }
    checklists: dict[int, set[str]] = {}
    for part_id, code in InspectionCharacteristic.objects.filter(
        part_id__in={r.line.part_id for r in receipts.values()}
    ).values_list("part_id", "code"):
        checklists.setdefault(part_id, set()).add(code)
    for index, inspection in enumerate(inspections):
        inspected, defective = inspection.inspected_quantity, inspection.defective_quantity
        if inspected is None or inspected <= 0:
            _add(errors, index, "inspected_quantity", "Must be more than zero.")
        elif defective is not None and (defective < 0 or defective > inspected):
            _add(
                errors,
                index,
                "defective_quantity",
                f"Defective ({defective}) must lie between 0 and inspected ({inspected}).",
            )
        codes = list(inspection.defect_codes or [])
        if len(set(codes)) != len(codes):
            _add(errors, index, "defect_codes", "Each defect code may appear once.")
        receipt = receipts.get(inspection.receipt_id)
        if receipt is None:
            _add(errors, index, "receipt", "Name the goods receipt inspected.")
            continue
        if inspected is not None and inspected > receipt.quantity:
            _add(
                errors,
                index,
                "inspected_quantity",
                f"Only {receipt.quantity} were received on {receipt.number}.",
            )
        if inspection.inspection_date and inspection.inspection_date < receipt.receipt_date:
            _add(
                errors,
                index,
                "inspection_date",
                f"Goods cannot be inspected before they arrived ({receipt.receipt_date}).",
            )
        checklist = checklists.get(receipt.line.part_id)
        unknown = sorted(set(codes) - checklist) if checklist else []
        if unknown:
            _add(
                errors,
                index,
                "defect_codes",
                f"Not on the checklist of part {receipt.line.part.number}: "
                f"{', '.join(unknown)} (allowed: {', '.join(sorted(checklist))}).",
            )
    return errors


@transaction.atomic
def inspections_create(
    *,
    inspections: list[Inspection],
    batch_size: int = 2000,
    supplier_ids: Iterable[int] | None = None,
    validate: bool = False,
) -> list[Inspection]:
    """Record inspections in bulk, all or nothing; `validate` and `supplier_ids` as for
    `receipts_create`."""
    if validate:
        errors = inspections_validate(inspections=inspections)
        if errors:
            raise BatchValidationError(errors)
    created = Inspection.objects.bulk_create(inspections, batch_size=batch_size)
    suppliers = dict(
        Receipt.objects.filter(pk__in={i.receipt_id for i in created}).values_list(
            "pk", "line__purchase_order__supplier_id"
        )
    )
    kpi_cells_mark(cells={cell(suppliers[i.receipt_id], i.inspection_date) for i in created})
    return created


def inspection_create(
    *, receipt: Receipt, inspection_date: dt.date, inspected_quantity, actor=None, **fields
) -> Inspection:
    """Record one incoming inspection of a goods receipt."""
    inspection = Inspection(
        receipt=receipt,
        inspection_date=inspection_date,
        inspected_quantity=inspected_quantity,
        **fields,
    )
    raise_first_error(inspections_validate(inspections=[inspection]))
    return inspections_create(inspections=[inspection])[0]


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
def purchase_order_line_delete(*, line: PurchaseOrderLine, actor=None) -> None:
    """Delete a line entered by mistake; refused (ProtectedError) once received."""
    supplier_id = line.purchase_order.supplier_id
    line.delete()
    kpi_refresh_queue(supplier_ids=[supplier_id])


@transaction.atomic
def receipt_update(*, receipt: Receipt, **fields) -> Receipt:
    """Correct a receipt (date, quantity, costs, line); the KPIs are refreshed."""
    touched = kpi_cells_of(receipt_ids=[receipt.pk])
    for name, value in fields.items():
        setattr(receipt, name, value)
    raise_first_error(receipts_validate(receipts=[receipt]))
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
    raise_first_error(inspections_validate(inspections=[inspection]))
    inspection.save()
    kpi_cells_mark(cells=touched | kpi_cells_of(inspection_ids=[inspection.pk]))
    return inspection


@transaction.atomic
def inspection_delete(*, inspection: Inspection) -> None:
    touched = kpi_cells_of(inspection_ids=[inspection.pk])
    inspection.delete()
    kpi_cells_mark(cells=touched)
