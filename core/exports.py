"""CSV and Excel exports of any API list, with the list's scoping and filters.

An export reuses the resource's viewset: its scoped queryset (`scope_for_user`), its
FilterSet and its serializer, so a file holds exactly what the list shows, unpaginated.
One nested list (the lines of an order or ship notice) becomes one row per item, the
parent's columns repeated, which is also the layout the importer reads back.
"""

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import BaseRenderer

from core.chunks import chunked

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXCEL_MAX_ROWS = 1_048_575  # one row is the header
# Up to this many objects an export is built in memory; beyond, CSV is streamed.
IN_MEMORY_LIMIT = 20_000
CHUNK_SIZE = 2_000
LIST_SEPARATOR = "; "


@dataclass(frozen=True)
class Column:
    name: str  # header in the file
    key: str  # key in the serialized item
    kind: str  # text, decimal, integer, date, datetime, boolean, list
    nested: bool = False  # taken from the exploded nested item


def _kind(field) -> str:
    if isinstance(field, serializers.DecimalField):
        return "decimal"
    if isinstance(field, serializers.IntegerField):
        return "integer"
    if isinstance(field, serializers.DateTimeField):
        return "datetime"
    if isinstance(field, serializers.DateField):
        return "date"
    if isinstance(field, serializers.BooleanField):
        return "boolean"
    if isinstance(field, serializers.ListField | serializers.ListSerializer):
        return "list"
    return "text"


def _readable(serializer) -> list[tuple[str, object]]:
    return [(name, f) for name, f in serializer.fields.items() if not f.write_only]


def export_columns(serializer, *, explode: str | None, exclude: Iterable[str] = ()):
    """The file's columns; `explode` names the nested list that becomes one row per item."""
    exclude = set(exclude)
    columns = []
    nested_serializer = None
    for name, field in _readable(serializer):
        if name in exclude:
            continue
        if name == explode and isinstance(field, serializers.ListSerializer):
            nested_serializer = field.child
            continue
        columns.append(Column(name, name, _kind(field)))
    if nested_serializer is not None:
        taken = {c.name for c in columns}
        for name, field in _readable(nested_serializer):
            header = f"{explode}.{name}" if name in taken else name
            columns.append(Column(header, name, _kind(field), nested=True))
    return columns


def _explode_field(view) -> str | None:
    explicit = getattr(view, "export_explode", None)
    if explicit is not None:
        return explicit
    return "lines" if "lines" in view.get_serializer().fields else None


# A spreadsheet reads a cell starting with one of these as a formula (CSV injection): such
# text is written with a leading apostrophe, which shows it as plain text. Numbers keep
# their minus sign (a typed number is never a formula). The importer drops the apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMERIC_KINDS = frozenset({"decimal", "integer"})


def neutralised(text: str) -> str:
    """Text a spreadsheet shows as text, never evaluates (`=HYPERLINK(…)` → `'=HYPERLINK(…)`)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def unneutralised(text: str) -> str:
    """The original text of a neutralised cell, for a file exported here and imported back."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def _is_number(value) -> bool:
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return True
    try:
        Decimal(str(value))
    except (InvalidOperation, ValueError):
        return False
    return True


def _safe_text(value, kind: str = "text") -> str:
    """A cell's text for a file: formulas neutralised, except in a number column's numbers."""
    text = _cell_text(value)
    if kind in NUMERIC_KINDS and _is_number(value):
        return text
    return neutralised(text)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return LIST_SEPARATOR.join(_list_item_text(v) for v in value)
    if isinstance(value, dict):
        # A JSON object (shares before and after a change): JSON, not Python's repr.
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _list_item_text(value) -> str:
    if isinstance(value, dict):
        # A nested object in a list (a checklist item): its first value names it.
        return str(next(iter(value.values()), ""))
    return str(value)


def _excel_text(value) -> str:
    # Excel files cannot hold control characters; a stray one would break the whole file.
    return ILLEGAL_CHARACTERS_RE.sub("", _safe_text(value))


def _cell_native(value, kind: str):
    """A serialized value as a typed Excel cell (numbers stay numbers, dates dates)."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and kind not in ("decimal", "date", "datetime"):
        return _excel_text(value)
    try:
        if kind == "decimal":
            return Decimal(str(value))
        if kind == "date":
            return dt.date.fromisoformat(str(value))
        if kind == "datetime":
            moment = dt.datetime.fromisoformat(str(value))
            if timezone.is_aware(moment):
                moment = timezone.make_naive(moment)  # Excel has no time zones
            return moment
    except (ValueError, InvalidOperation):
        return _excel_text(value)
    if kind == "list" or isinstance(value, list | dict | str):
        return _excel_text(value)
    return value


def rows_of(item: dict, columns: list[Column], explode: str | None) -> Iterator[list]:
    """One serialized object as file rows of raw values (several when a list is exploded)."""
    nested_items = (item.get(explode) or [None]) if explode else [None]
    for nested in nested_items:
        yield [(nested or {}).get(col.key) if col.nested else item.get(col.key) for col in columns]


def export_rows(view) -> tuple[list[Column], Iterator[list], int]:
    """The columns, a lazy row iterator and the object count of a list view's export."""
    queryset = view.filter_queryset(view.get_queryset())
    serializer_class = view.get_serializer_class()
    context = view.get_serializer_context()
    explode = _explode_field(view)
    columns = export_columns(
        serializer_class(context=context),
        explode=explode,
        exclude=getattr(view, "export_exclude", ()),
    )
    count = queryset.count()

    def rows():
        for chunk in chunked(queryset, CHUNK_SIZE):
            for item in serializer_class(chunk, many=True, context=context).data:
                yield from rows_of(item, columns, explode)

    return columns, rows(), count


def _filename(view, fmt: str) -> str:
    name = getattr(view, "basename", None) or view.get_queryset().model._meta.model_name
    return f"{name}-{timezone.localdate().isoformat()}.{fmt}"


class _Echo:
    def write(self, value):
        return value


def csv_lines(columns: list[Column], rows: Iterable[list]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    kinds = [c.kind for c in columns]
    yield "\ufeff"  # a byte-order mark, so Excel opens UTF-8 correctly
    yield writer.writerow([_safe_text(c.name) for c in columns])
    for row in rows:
        yield writer.writerow([_safe_text(v, k) for v, k in zip(row, kinds, strict=True)])


def xlsx_bytes(columns: list[Column], rows: Iterable[list], *, title: str = "Export") -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([_excel_text(c.name) for c in columns])
    kinds = [c.kind for c in columns]
    for row in rows:
        sheet.append([_cell_native(v, k) for v, k in zip(row, kinds, strict=True)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# An Excel file of more objects than this is built by a worker (it takes seconds); the page
# follows its progress and offers the download (the `background` hook of the export).
BACKGROUND_ROWS = 5_000


def export_response(*, view, fmt: str, background=None):
    """The whole filtered, scoped list of a DRF list view as a CSV or Excel download.

    `background(count)`, when given, answers instead for an Excel file too large to build
    within a request (it queues the same export as a job)."""
    columns, rows, count = export_rows(view)
    filename = _filename(view, fmt)
    disposition = f'attachment; filename="{filename}"'
    if fmt == "xlsx":
        if count > EXCEL_MAX_ROWS:
            raise ValidationError(
                {"format": f"{count} rows do not fit in Excel; filter the list or use CSV."}
            )
        if background is not None and count > BACKGROUND_ROWS:
            return background(count)
        title = getattr(view, "basename", None) or "Export"
        response = HttpResponse(
            xlsx_bytes(columns, rows, title=title), content_type=XLSX_MEDIA_TYPE
        )
    elif count <= IN_MEMORY_LIMIT:
        response = HttpResponse(
            "".join(csv_lines(columns, rows)), content_type="text/csv; charset=utf-8"
        )
    else:
        response = StreamingHttpResponse(
            csv_lines(columns, rows), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = disposition
    return response


def export_list_view(*, request, viewset, basename: str):
    """A DRF list viewset set up for a Django request: authenticated, permitted, scoped.
    Raises what DRF would answer with (not authenticated, permission denied)."""
    view = viewset(action_map={"get": "list"}, basename=basename, detail=False, format_kwarg=None)
    view.args, view.kwargs = (), {}
    drf_request = view.initialize_request(request)
    view.request = drf_request
    view.headers = view.default_response_headers
    view.initial(drf_request)
    return view


def export_file(*, view, fmt: str, progress=None) -> bytes:
    """A list view's whole export as file content; `progress(done, total)` every chunk."""
    columns, rows, count = export_rows(view)

    def counted(rows):
        for done, row in enumerate(rows, start=1):
            if progress is not None and done % CHUNK_SIZE == 0:
                progress(done, count)
            yield row

    if fmt == "xlsx":
        title = getattr(view, "basename", None) or "Export"
        return xlsx_bytes(columns, counted(rows), title=title)
    return "".join(csv_lines(columns, counted(rows))).encode("utf-8")


def export_viewset_response(*, request, viewset, basename: str, fmt: str, background=None):
    """Run a DRF list viewset's authentication, permissions, scoping and filters for a
    Django request, and answer with the export instead of a page of JSON."""
    view = viewset(action_map={"get": "list"}, basename=basename, detail=False, format_kwarg=None)
    view.args, view.kwargs = (), {}
    drf_request = view.initialize_request(request)
    view.request = drf_request
    view.headers = view.default_response_headers
    try:
        view.initial(drf_request)
        response = export_response(view=view, fmt=fmt, background=background)
    except Exception as exc:  # noqa: BLE001 - DRF turns API errors into responses
        response = view.handle_exception(exc)
    return view.finalize_response(drf_request, response)


def _error_rows(data) -> tuple[list[Column], list[list]]:
    columns = [Column("field", "field", "text"), Column("message", "message", "text")]
    if isinstance(data, dict):
        rows = [[key, _cell_text(value)] for key, value in data.items()]
    else:
        rows = [["", _cell_text(data)]]
    return columns, rows


class CsvRenderer(BaseRenderer):
    """Selected by `?format=csv` on a list. Lists are written by `export_response`;
    this renders what else may come back (an error) as a small table."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        columns, rows = _error_rows(data)
        return "".join(csv_lines(columns, rows)).encode("utf-8")


class XlsxRenderer(BaseRenderer):
    media_type = XLSX_MEDIA_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        columns, rows = _error_rows(data)
        return xlsx_bytes(columns, rows, title="Errors")
