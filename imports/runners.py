"""Validating and writing each kind of import: whole batches, never a query per row.

Master data (suppliers, parts, sources) is checked field by field with the API's
serializers (minus the per-row look-ups), then as one batch by the services' batch
validators (references and uniqueness with one query per model), and written with one bulk
service call. Orders go through the order serializer one order at a time; receipts,
inspections and stock readings through their bulk API serializers.
"""

from collections.abc import Callable

from django.contrib.auth import get_user_model
from rest_framework import serializers

from accounts.selectors import scope_for_user
from core.api import batch_flat_errors, flat_errors
from core.validators import natural_key_validator
from imports.kinds import ImportResult, RowError

# A runner takes (records, context, result, dry_run=) and returns the write to run in the
# import's transaction, or None when the file is refused (or only checked).
Runner = Callable


def _report(result: ImportResult, row: int | None, detail) -> None:
    for error in flat_errors(detail):
        column = error["field"]
        if column in (None, "non_field_errors"):
            column = None
        result.errors.append(RowError(row, column, error["message"]))


def _bulk(serializer_class) -> Callable:
    """Kinds with a bulk API (receipts, inspections, stock): one batch, errors by index."""

    def run(records, context, result, *, dry_run):
        serializer = serializer_class(data=[r for _, r in records], many=True, context=context)
        if not serializer.is_valid():
            for error in batch_flat_errors(serializer.errors):
                row = records[error["index"]][0] if error["index"] is not None else None
                column = error["field"] if error["field"] != "non_field_errors" else None
                result.errors.append(RowError(row, column, error["message"]))
            return None
        return None if dry_run else serializer.save

    return run


def _report_batch(result: ImportResult, rows: list[int], errors: dict) -> None:
    """Errors of a services batch validator (index → field → messages), by file row."""
    for index, fields in sorted(errors.items()):
        for field, messages in fields.items():
            column = None if field in ("__all__", "non_field_errors") else field
            for message in messages:
                result.errors.append(RowError(rows[index], column, message))


def _validated_rows(serializer_class, records, context, result, *, key=None):
    """(row, validated data) of every row that passes the field checks; a key seen again
    in the file is reported against its first row and left out of the batch."""
    first_row: dict[str, int] = {}
    good = []
    for row, record in records:
        value = record.get(key) if key else None
        if value is not None and value in first_row:
            result.errors.append(
                RowError(row, key, f"{value} appears again (first in row {first_row[value]}).")
            )
            continue
        if value is not None:
            first_row[value] = row
        serializer = serializer_class(data=record, context=context)
        if serializer.is_valid():
            good.append((row, dict(serializer.validated_data)))
        else:
            _report(result, row, serializer.errors)
    return good


def _actor(context):
    user = context.get("user")
    return user if getattr(user, "pk", None) else None


def _suppliers(records, context, result, *, dry_run):
    from suppliers.api import SupplierSerializer
    from suppliers.models import Supplier
    from suppliers.services import suppliers_create, suppliers_validate

    class SupplierRow(SupplierSerializer):
        # References as text, resolved for the whole file below.
        code = serializers.CharField(max_length=32, validators=[natural_key_validator])
        owner = serializers.CharField(max_length=150, required=False)

    good = _validated_rows(SupplierRow, records, context, result, key="code")
    names = {data["owner"] for _, data in good if data.get("owner")}
    owners = {u.username: u for u in get_user_model().objects.filter(username__in=names)}
    rows, suppliers = [], []
    for row, data in good:
        name = data.pop("owner", None)
        if name and name not in owners:
            result.errors.append(RowError(row, "owner", f"No user {name[:60]}."))
            continue
        rows.append(row)
        suppliers.append(Supplier(**data, owner=owners.get(name)))
    _report_batch(result, rows, suppliers_validate(suppliers=suppliers))
    if result.errors or dry_run:
        return None
    return lambda: suppliers_create(suppliers=suppliers, actor=_actor(context))


def _parts(records, context, result, *, dry_run):
    from core.units import DEFAULT_UNIT
    from parts.api import PartSerializer
    from parts.models import Part
    from parts.services import parts_create, parts_validate

    class PartRow(PartSerializer):
        number = serializers.CharField(max_length=40, validators=[natural_key_validator])

    good = _validated_rows(PartRow, records, context, result, key="number")
    rows = [row for row, _ in good]
    parts = []
    for _, data in good:
        data.pop("checklist", None)
        data.setdefault("unit", DEFAULT_UNIT)
        parts.append((Part(**data), []))
    _report_batch(result, rows, parts_validate(parts=parts))
    if result.errors or dry_run:
        return None
    return lambda: parts_create(parts=parts)


def _sources(records, context, result, *, dry_run):
    from parts.api import SourceSerializer
    from parts.models import ApprovedSource, Part
    from parts.services import approved_sources_create, sources_validate
    from suppliers.models import Supplier

    class SourceRow(SourceSerializer):
        part = serializers.CharField(max_length=40, help_text="Part number.")
        supplier = serializers.CharField(max_length=32, help_text="Supplier code.")

    good = _validated_rows(SourceRow, records, context, result)
    user = context.get("user")
    parts = {
        p.number: p
        for p in scope_for_user(Part.objects.filter(number__in={d["part"] for _, d in good}), user)
    }
    suppliers = {
        s.code: s
        for s in scope_for_user(
            Supplier.objects.filter(code__in={d["supplier"] for _, d in good}), user
        )
    }
    rows, sources = [], []
    seen: dict[tuple[str, str], int] = {}
    for row, data in good:
        part, supplier = parts.get(data["part"]), suppliers.get(data["supplier"])
        if part is None:
            result.errors.append(RowError(row, "part", f"No part with number '{data['part']}'."))
        if supplier is None:
            result.errors.append(
                RowError(row, "supplier", f"No supplier with code '{data['supplier']}'.")
            )
        if part is None or supplier is None:
            continue
        pair = (part.number, supplier.code)
        if pair in seen:
            result.errors.append(
                RowError(
                    row, "supplier", f"This part and supplier are already in row {seen[pair]}."
                )
            )
            continue
        seen[pair] = row
        rows.append(row)
        sources.append(ApprovedSource(**{**data, "part": part, "supplier": supplier}))
    _report_batch(result, rows, sources_validate(sources=sources))
    if result.errors or dry_run:
        return None
    return lambda: approved_sources_create(sources=sources, actor=_actor(context))


def _purchase_orders(records, context, result, *, dry_run):
    """Rows are order lines; rows with the same order number form one order."""
    from purchasing.api.orders import PurchaseOrderSerializer

    header_fields = ("supplier", "order_date", "currency", "site")
    line_fields = (
        "line",
        "part",
        "quantity",
        "unit_price",
        "requested_date",
        "promised_date",
        "status",
    )
    orders: dict[str, list[tuple[int, dict]]] = {}
    for row, record in records:
        if "number" not in record:
            result.errors.append(RowError(row, "number", "This field is required."))
            continue
        orders.setdefault(record["number"], []).append((row, record))
    serializers_ = []
    for number, group in orders.items():
        first_row, first = group[0]
        for row, record in group[1:]:
            for name in header_fields:
                if record.get(name) != first.get(name):
                    result.errors.append(
                        RowError(
                            row,
                            name,
                            f"Order {number} has {first.get(name) or 'nothing'} here in row "
                            f"{first_row}; every line of an order must agree.",
                        )
                    )
        payload = {"number": number, **{k: first[k] for k in header_fields if k in first}}
        payload["lines"] = [{k: r[k] for k in line_fields if k in r} for _, r in group]
        serializer = PurchaseOrderSerializer(data=payload, context=context)
        if not serializer.is_valid():
            for error in flat_errors(serializer.errors):
                path = (error["field"] or "").split(".")
                if path[0] == "lines" and len(path) >= 2 and path[1].isdigit():
                    row = group[int(path[1])][0]
                    column = path[2] if len(path) > 2 else "line"
                else:
                    row, column = first_row, (path[0] or None)
                    if column == "non_field_errors":
                        column = None
                result.errors.append(RowError(row, column, error["message"]))
        serializers_.append(serializer)
    if result.errors or dry_run:
        return None

    def write():
        for serializer in serializers_:
            serializer.save()

    return write


def runners() -> dict[str, Runner]:
    from inventory.api import InventoryPositionSerializer
    from purchasing.api.receipts import InspectionSerializer, ReceiptSerializer

    return {
        "suppliers": _suppliers,
        "parts": _parts,
        "sources": _sources,
        "purchase_orders": _purchase_orders,
        "receipts": _bulk(ReceiptSerializer),
        "inspections": _bulk(InspectionSerializer),
        "inventory_positions": _bulk(InventoryPositionSerializer),
    }
