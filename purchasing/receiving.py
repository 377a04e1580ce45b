"""Writes for goods receipts and incoming inspections, checked as whole batches.

A receipt above the ordered quantity is accepted (the goods are in) and flags the line
when it passes the contract's over-delivery tolerance (docs/orders.md).
"""

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from core.services import BatchValidationError, raise_first_error
from parts.models import InspectionCharacteristic
from purchasing.kpi_cells import cell, kpi_cells_of
from purchasing.models import Inspection, PurchaseOrderLine, Receipt
from purchasing.outbox import kpi_cells_mark


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
        }
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
