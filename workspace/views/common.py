"""What workspace lists share: their CSV and Excel exports."""

from collections.abc import Iterable

from django.http import HttpResponse

from core.exports import XLSX_MEDIA_TYPE, Column, csv_lines, xlsx_bytes

EXPORT_FORMATS = ("csv", "xlsx")


def export_format(request) -> str | None:
    fmt = request.GET.get("format")
    return fmt if fmt in EXPORT_FORMATS else None


def export(
    *,
    fmt: str,
    name: str,
    columns: list[tuple[str, str]],
    rows: Iterable[dict],
) -> HttpResponse:
    """A list exactly as shown (its filters, its order, every page) as CSV or Excel.

    columns: (header, kind) pairs; rows: dicts keyed by header."""
    cols = [Column(header, header, kind) for header, kind in columns]
    values = ([row.get(c.name) for c in cols] for row in rows)
    if fmt == "xlsx":
        response = HttpResponse(xlsx_bytes(cols, values, title=name), content_type=XLSX_MEDIA_TYPE)
    else:
        response = HttpResponse("".join(csv_lines(cols, values)), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
