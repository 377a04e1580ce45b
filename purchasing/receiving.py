"""Writes for goods receipts and incoming inspections, checked as whole batches.

A receipt above the ordered quantity is accepted (the goods are in) and flags the line
when it passes the contract's over-delivery tolerance (docs/orders.md).
"""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import DecimalField, Sum, Value
from django.db.models.functions import Coalesce

from contracts.models import Contract
from core.services import BatchValidationError, raise_first_error
from parts.models import InspectionCharacteristic
from purchasing.kpi_cells import cell, kpi_cells_of
from purchasing.models import Inspection, PurchaseOrderLine, Receipt
from purchasing.outbox import kpi_cells_mark
from purchasing.shipping import ship_notices_mark_received

ZERO = Decimal("0")


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
    ship_notices_mark_received(notice_ids={r.ship_notice_id for r in created if r.ship_notice_id})
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
    over_delivery_mark(line_ids=lines)
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


@transaction.atomic
def receipt_update(*, receipt: Receipt, **fields) -> Receipt:
    """Correct a receipt (date, quantity, costs, line); the KPIs are refreshed."""
    touched = kpi_cells_of(receipt_ids=[receipt.pk])
    before = receipt.line_id
    for name, value in fields.items():
        setattr(receipt, name, value)
    raise_first_error(receipts_validate(receipts=[receipt]))
    receipt.save()
    kpi_cells_mark(cells=touched | kpi_cells_of(receipt_ids=[receipt.pk]))
    over_delivery_mark(line_ids={before, receipt.line_id})
    return receipt


@transaction.atomic
def receipt_delete(*, receipt: Receipt) -> None:
    """Delete a receipt booked by mistake; refused (ProtectedError) once it was inspected."""
    touched = kpi_cells_of(receipt_ids=[receipt.pk])
    line_id = receipt.line_id
    receipt.delete()
    kpi_cells_mark(cells=touched)
    over_delivery_mark(line_ids=[line_id])


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


# --- over-delivery (docs/orders.md) -------------------------------------------------------

DEFAULT_OVER_DELIVERY_TOLERANCE_PCT = Decimal("10")


def _tolerances(lines) -> dict[int, Decimal]:
    """Line id → the over-delivery tolerance (%) of the supplier's contract in force on the
    order date (else its latest contract, else 10 %); one query."""
    lines = list(lines)
    contracts = Contract.objects.filter(
        supplier_id__in={line.purchase_order.supplier_id for line in lines}
    ).order_by("supplier_id", "-valid_from")
    by_supplier: dict[int, list[Contract]] = {}
    for contract in contracts:
        by_supplier.setdefault(contract.supplier_id, []).append(contract)
    found = {}
    for line in lines:
        order = line.purchase_order
        candidates = by_supplier.get(order.supplier_id, [])
        in_force = [
            c
            for c in candidates
            if c.valid_from <= order.order_date
            and (c.valid_to is None or order.order_date <= c.valid_to)
        ]
        chosen = (in_force or candidates or [None])[0]
        found[line.pk] = (
            chosen.over_delivery_tolerance_pct if chosen else DEFAULT_OVER_DELIVERY_TOLERANCE_PCT
        )
    return found


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _limit(line, tolerance: Decimal) -> Decimal:
    return line.quantity * (1 + tolerance / 100)


def receipts_over_delivery(*, receipts: list[tuple[int, Decimal]]) -> dict[int, str]:
    """Index → warning for each receipt (line id, quantity) of a batch that takes its line
    above the ordered quantity by more than the tolerance, counting what is already
    received and the batch's earlier receipts. Three queries."""
    line_ids = {line_id for line_id, _ in receipts if line_id}
    lines = PurchaseOrderLine.objects.filter(pk__in=line_ids).select_related("purchase_order")
    lines = {line.pk: line for line in lines}
    received = dict(
        Receipt.objects.filter(line_id__in=line_ids)
        .values("line_id")
        .annotate(total=Sum("quantity"))
        .values_list("line_id", "total")
    )
    tolerances = _tolerances(lines.values())
    warnings = {}
    for index, (line_id, quantity) in enumerate(receipts):
        line = lines.get(line_id)
        if line is None or quantity is None:
            continue
        received[line_id] = received.get(line_id, ZERO) + quantity
        if received[line_id] > _limit(line, tolerances[line_id]):
            warnings[index] = (
                f"Over-delivery: {line} would have {_plain(received[line_id])} received of "
                f"{_plain(line.quantity)} ordered, above the {_plain(tolerances[line_id])} % "
                "tolerance. "
                "The receipt is accepted and the line flagged."
            )
    return warnings


def over_delivery_mark(*, line_ids) -> None:
    """Set or clear `is_over_delivered` on the lines from what they have received."""
    lines = list(
        PurchaseOrderLine.objects.filter(pk__in=set(line_ids))
        .select_related("purchase_order")
        .annotate(
            received=Coalesce(Sum("receipts__quantity"), Value(ZERO, output_field=DecimalField()))
        )
    )
    tolerances = _tolerances(lines)
    changed = []
    for line in lines:
        flag = line.received > _limit(line, tolerances[line.pk])
        if flag != line.is_over_delivered:
            line.is_over_delivered = flag
            changed.append(line)
    PurchaseOrderLine.objects.bulk_update(changed, ["is_over_delivered"])
