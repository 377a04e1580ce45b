"""CSV and Excel imports: the whole file is validated first, then written in one transaction.

Rows are validated by the same serializers as the API (`/api/v1/`), so the rules live in
one place. If any row is bad nothing is written and the report lists every problem by
row number (the spreadsheet row: the header is row 1), column and message. A good file
is written through the services in one transaction and queues one KPI refresh.
"""

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Sum
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from accounts.roles import Role
from core.api import batch_flat_errors, flat_errors
from parts.models import ApprovedSource
from purchasing.services import kpi_refresh_deferred, kpi_refresh_queue

MAX_ROWS = 100_000
LIST_COLUMNS = {"defect_codes"}


class SystemActor:
    """The operator of a management command: sees everything, is recorded as nobody."""

    is_authenticated = True
    is_active = True
    is_anonymous = False
    is_superuser = True
    pk = id = None
    username = "system"
    _dualsource_role = Role.ADMIN


class ImportFileError(Exception):
    """The file cannot be read at all (wrong type, encoding, not a workbook)."""


@dataclass(frozen=True)
class RowError:
    row: int | None  # spreadsheet row (header = 1); None for the file as a whole
    column: str | None
    message: str


@dataclass
class ImportResult:
    kind: str
    rows: int = 0
    created: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class ImportKind:
    name: str
    label: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    # Columns our own exports write that an import does not need: accepted and ignored,
    # so an exported file can be edited and imported again.
    ignored: tuple[str, ...] = ()
    help: str = ""

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


KINDS: dict[str, ImportKind] = {
    kind.name: kind
    for kind in [
        ImportKind(
            "suppliers",
            "Suppliers",
            required=("code", "name", "country", "currency"),
            optional=("region", "status", "owner"),
            ignored=("primary_contact", "created_at", "updated_at"),
            help="One row per supplier; country and currency as ISO codes (DE, EUR).",
        ),
        ImportKind(
            "parts",
            "Parts",
            required=("number", "name"),
            optional=(
                "unit",
                "category",
                "specification_reference",
                "specification_revision",
                "is_critical",
            ),
            ignored=("checklist",),
            help="One row per part; unit is one of ea, kg, m, l, set.",
        ),
        ImportKind(
            "sources",
            "Approved sources",
            required=(
                "part",
                "supplier",
                "target_share_pct",
                "unit_price",
                "currency",
                "lead_time_days",
            ),
            optional=("min_share_pct", "max_share_pct", "monthly_capacity", "moq", "is_active"),
            ignored=("id",),
            help="One row per part and supplier; the active shares of a part may not exceed 100.",
        ),
        ImportKind(
            "purchase_orders",
            "Purchase orders",
            required=(
                "number",
                "supplier",
                "order_date",
                "line",
                "part",
                "quantity",
                "unit_price",
                "requested_date",
            ),
            optional=("currency", "promised_date", "status"),
            ignored=(
                "order_status",
                "created_by",
                "created_at",
                "expected_date",
                "acknowledged_at",
            ),
            help="One row per order line; the order columns repeat on each of its lines. "
            "A promised date counts as the supplier's confirmation.",
        ),
        ImportKind(
            "receipts",
            "Goods receipts",
            required=("number", "purchase_order", "line", "receipt_date", "quantity"),
            optional=("freight", "duty", "other_costs", "cost_currency"),
            ignored=("id", "part", "supplier", "created_at"),
            help="One row per goods receipt against a PO line; costs default to 0 and their "
            "currency to the order's.",
        ),
        ImportKind(
            "inspections",
            "Inspections",
            required=("receipt", "inspection_date", "inspected_quantity"),
            optional=("defective_quantity", "defect_codes", "disposition"),
            ignored=("id", "purchase_order", "line", "part", "supplier", "created_at"),
            help="One row per inspection of a receipt; separate several defect codes with ';'.",
        ),
        ImportKind(
            "inventory_positions",
            "Stock readings",
            required=("part", "site", "on_hand", "read_at"),
            optional=("safety_stock", "reorder_point", "source"),
            ignored=("id",),
            help="One row per reading; read_at as an ISO date and time.",
        ),
    ]
}


# ---------------------------------------------------------------------------------------
# Reading files
# ---------------------------------------------------------------------------------------


def _header_name(value) -> str:
    return str(value or "").strip().lower().replace(" ", "_").replace("-", "_")


def _cell_text(value) -> str:
    """A spreadsheet cell as the text the API would receive."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def _read_csv(content: bytes) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"The file is not UTF-8 text (byte {exc.start} cannot be read). In Excel, save it "
            "as 'CSV UTF-8', or upload the .xlsx workbook."
        ) from None
    first_line = text.split("\n", 1)[0]
    # Excel writes ';' where the decimal separator is a comma; pick what the header uses.
    delimiter = max([",", ";", "\t"], key=first_line.count)
    try:
        return [
            [cell.strip() for cell in row]
            for row in csv.reader(io.StringIO(text), delimiter=delimiter)
        ]
    except csv.Error as exc:
        raise ImportFileError(f"The CSV file cannot be read: {exc}.") from None


def _read_xlsx(content: bytes) -> list[list[str]]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(f"The file is not a readable Excel workbook ({exc}).") from None
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True):
            rows.append([_cell_text(v) for v in values])
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise ImportFileError(f"The Excel workbook cannot be read ({exc}).") from None
    finally:
        workbook.close()


def import_file_read(*, content: bytes, filename: str) -> list[list[str]]:
    """The rows of a .csv or .xlsx file as lists of text (the first row is the header)."""
    suffix = Path(filename or "").suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(content)
    if suffix in (".csv", ".txt"):
        return _read_csv(content)
    raise ImportFileError("Upload a .csv or .xlsx file.")


# ---------------------------------------------------------------------------------------
# Validating and writing
# ---------------------------------------------------------------------------------------


def _records(
    kind: ImportKind, rows: list[list[str]], result: ImportResult
) -> list[tuple[int, dict]]:
    """(row number, API-shaped dict) per data row; header problems go to the report."""
    if not rows or not any(rows[0]):
        result.errors.append(
            RowError(1, None, "The file is empty: the first row must name the columns.")
        )
        return []
    header = [_header_name(h) for h in rows[0]]
    known = set(kind.columns) | set(kind.ignored)
    for name in header:
        if name and name not in known:
            result.errors.append(
                RowError(1, name, f"Unknown column. Expected: {', '.join(kind.columns)}.")
            )
    for name in kind.required:
        if name not in header:
            result.errors.append(RowError(1, name, "This column is missing."))
    duplicates = sorted({h for h in header if h and header.count(h) > 1})
    for name in duplicates:
        result.errors.append(RowError(1, name, "This column appears more than once."))
    if len(rows) - 1 > MAX_ROWS:
        result.errors.append(RowError(None, None, f"At most {MAX_ROWS} rows per file."))
    if result.errors:
        return []
    records = []
    for offset, row in enumerate(rows[1:], start=2):
        if not any(row):
            continue  # blank lines at the end of a sheet are not data
        record = {}
        for name, value in zip(header, row, strict=False):
            if name not in kind.columns or value == "":
                continue  # an empty cell means "not given": the API default applies
            if name in LIST_COLUMNS:
                record[name] = [c.strip() for c in value.replace(",", ";").split(";") if c.strip()]
            else:
                record[name] = value
        if len(row) > len(header) and any(row[len(header) :]):
            result.errors.append(RowError(offset, None, "This row has more cells than the header."))
        records.append((offset, record))
    if not records:
        result.errors.append(RowError(None, None, "The file has a header but no data rows."))
    result.rows = len(records)
    return records


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


def _one_by_one(
    serializer_class, key: str | None, extra_checks: Callable | None = None
) -> Callable:
    """Master data: each row through the API serializer, plus duplicates within the file."""

    def run(records, context, result, *, dry_run):
        serializers_ = []
        first_row: dict[str, int] = {}
        for row, record in records:
            value = record.get(key) if key else None
            if value is not None and value in first_row:
                result.errors.append(
                    RowError(row, key, f"{value} appears again (first in row {first_row[value]}).")
                )
            elif value is not None:
                first_row[value] = row
            serializer = serializer_class(data=record, context=context)
            if not serializer.is_valid():
                _report(result, row, serializer.errors)
            serializers_.append((row, serializer))
        if extra_checks is not None and not result.errors:
            extra_checks(serializers_, result)
        if result.errors or dry_run:
            return None

        def write():
            for _, serializer in serializers_:
                serializer.save()

        return write

    return run


def _source_share_checks(serializers_, result: ImportResult) -> None:
    """Shares of a part over the whole file (each row alone was checked against the DB)."""
    seen: dict[tuple[int, int], int] = {}
    file_share: dict[int, list] = {}
    for row, serializer in serializers_:
        data = serializer.validated_data
        pair = (data["part"].pk, data["supplier"].pk)
        if pair in seen:
            result.errors.append(
                RowError(
                    row, "supplier", f"This part and supplier are already in row {seen[pair]}."
                )
            )
        seen[pair] = row
        if data.get("is_active", True):
            file_share.setdefault(data["part"].pk, []).append((row, data))
    for part_id, entries in file_share.items():
        in_file = {d["supplier"].pk for _, d in entries}
        taken = (
            ApprovedSource.objects.filter(part_id=part_id, is_active=True)
            .exclude(supplier_id__in=in_file)
            .aggregate(total=Sum("target_share_pct"))["total"]
            or 0
        )
        total = taken + sum(d["target_share_pct"] for _, d in entries)
        if total > 100:
            row, data = entries[-1]
            result.errors.append(
                RowError(
                    row,
                    "target_share_pct",
                    f"The active sources of {data['part'].number} would take {total}%, "
                    "more than 100%.",
                )
            )


def _purchase_orders(records, context, result, *, dry_run):
    """Rows are order lines; rows with the same order number form one order."""
    from purchasing.api.orders import PurchaseOrderSerializer

    header_fields = ("supplier", "order_date", "currency")
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


def _runners() -> dict[str, Callable]:
    from inventory.api import InventoryPositionSerializer
    from parts.api import PartSerializer, SourceSerializer
    from purchasing.api.receipts import InspectionSerializer, ReceiptSerializer
    from suppliers.api import SupplierSerializer

    return {
        "suppliers": _one_by_one(SupplierSerializer, "code"),
        "parts": _one_by_one(PartSerializer, "number"),
        "sources": _one_by_one(SourceSerializer, None, _source_share_checks),
        "purchase_orders": _purchase_orders,
        "receipts": _bulk(ReceiptSerializer),
        "inspections": _bulk(InspectionSerializer),
        "inventory_positions": _bulk(InventoryPositionSerializer),
    }


def import_file_run(
    *, kind: str, content: bytes, filename: str, user, dry_run: bool = False
) -> ImportResult:
    """Validate a whole file and, if every row is good (and not a dry run), write it all."""
    if kind not in KINDS:
        raise ValueError(f"Unknown import kind {kind!r}; use one of {', '.join(KINDS)}.")
    result = ImportResult(kind=kind, dry_run=dry_run)
    try:
        rows = import_file_read(content=content, filename=filename)
    except ImportFileError as exc:
        result.errors.append(RowError(None, None, str(exc)))
        return result
    records = _records(KINDS[kind], rows, result)
    if result.errors:
        return result
    context = {"user": user}
    write = _runners()[kind](records, context, result, dry_run=dry_run)
    if write is None:
        return result
    try:
        with transaction.atomic():
            # Every service call below would queue a KPI refresh: collect, then queue once.
            with kpi_refresh_deferred() as supplier_ids:
                write()
            kpi_refresh_queue(supplier_ids=supplier_ids)
    except (IntegrityError, DjangoValidationError, DatabaseError) as exc:
        # Another user wrote a clashing key between validation and writing.
        messages = exc.messages if isinstance(exc, DjangoValidationError) else [str(exc).strip()]
        result.errors.append(
            RowError(None, None, f"Nothing was imported: {'; '.join(messages)[:500]}")
        )
        return result
    result.created = len(records)
    return result


def import_template_rows(*, kind: str) -> list[list[str]]:
    """The header row of an empty import file for a kind."""
    return [list(KINDS[kind].columns)]
