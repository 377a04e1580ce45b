"""Reading CSV and Excel files into rows of text, and rows into API-shaped records."""

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from core.exports import unneutralised
from imports.kinds import ImportKind, ImportResult, RowError

MAX_ROWS = 100_000
LIST_COLUMNS = {"defect_codes"}


class ImportFileError(Exception):
    """The file cannot be read at all (wrong type, encoding, not a workbook)."""


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


def records_read(
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
        for name, cell in zip(header, row, strict=False):
            value = unneutralised(cell)  # a cell this portal exported as text ('=…)
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
