"""CSV and Excel imports: the whole file is validated first, then written in one transaction.

Rows are validated by the same serializers and services as the API (`/api/v1/`), so the
rules live in one place. If any row is bad nothing is written and the report lists every
problem by row number (the spreadsheet row: the header is row 1), column and message. A
good file is written through the services in one transaction and queues one KPI refresh.

`readers` turns a file into records, `kinds` names the columns of each kind, `runners`
validates and writes each kind in batches.
"""

from collections.abc import Callable

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, IntegrityError, transaction

from imports.kinds import KINDS, ImportKind, ImportResult, RowError
from imports.readers import ImportFileError, import_file_read, records_read
from imports.runners import runners
from purchasing.services import kpi_refresh_deferred, kpi_refresh_queue

__all__ = [
    "KINDS",
    "ImportFileError",
    "ImportKind",
    "ImportResult",
    "RowError",
    "SystemActor",
    "import_file_read",
    "import_file_run",
    "import_template_rows",
]


class SystemActor:
    """The operator of a management command: sees everything, is recorded as nobody."""

    is_authenticated = True
    is_active = True
    is_anonymous = False
    is_superuser = True
    pk = id = None
    username = "system"


def _no_progress(stage: str, pct: int, rows: int) -> None:
    return None


def import_file_run(
    *,
    kind: str,
    content: bytes,
    filename: str,
    user,
    dry_run: bool = False,
    progress: Callable[[str, int, int], None] = _no_progress,
) -> ImportResult:
    """Validate a whole file and, if every row is good (and not a dry run), write it all.

    `progress(stage, percent, rows)` is told as the run reads, checks and writes."""
    if kind not in KINDS:
        raise ValueError(f"Unknown import kind {kind!r}; use one of {', '.join(KINDS)}.")
    result = ImportResult(kind=kind, dry_run=dry_run)
    progress("Reading the file", 5, 0)
    try:
        rows = import_file_read(content=content, filename=filename)
    except ImportFileError as exc:
        result.errors.append(RowError(None, None, str(exc)))
        return result
    records = records_read(KINDS[kind], rows, result)
    if result.errors:
        return result
    progress("Checking every row", 30, len(records))
    context = {"user": user}
    write = runners()[kind](records, context, result, dry_run=dry_run)
    if write is None:
        return result
    progress("Writing", 70, len(records))
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
