"""The outbox "KPI inputs changed" (`PendingRefresh`): every write to a KPI input records
its suppliers here in its own transaction, and the scorecards task that consumes the rows
is queued by name on commit (purchasing sits below scorecards and never imports it)."""

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django.utils import timezone

from core.tasks import task_queue_safely
from purchasing.models import PendingCell, PendingRefresh

# Set while a bulk load runs inside `kpi_refresh_deferred()`: suppliers collected, none queued.
# The scorecards task that consumes the outbox (scorecards.tasks.scorecards_refresh_suppliers).
KPI_REFRESH_TASK = "scorecards.refresh_suppliers"
# The alerts task that re-evaluates late, unconfirmed and delayed lines (alerts.tasks).
ALERT_SCAN_TASK = "alerts.scan"
# The prediction task that re-scores the late risk of lines whose facts changed.
LINE_RESCORE_TASK = "prediction.score_lines"

_kpi_refresh_deferred_ids: ContextVar[set[int] | None] = ContextVar(
    "kpi_refresh_deferred_ids", default=None
)


@contextmanager
def kpi_refresh_deferred() -> Iterator[set[int]]:
    """Collect the suppliers whose KPIs need a refresh instead of queueing a task per write.

    For bulk loads (demo data, large imports) that would otherwise queue one task per chunk:
    the caller gets the set of supplier ids and recomputes or queues once at the end.
    """
    collected: set[int] = set()
    token = _kpi_refresh_deferred_ids.set(collected)
    try:
        yield collected
    finally:
        _kpi_refresh_deferred_ids.reset(token)


def kpi_refresh_queue(*, supplier_ids: Iterable[int]) -> None:
    """Request the scorecard refresh of these suppliers, and queue the task that runs it
    once the transaction commits."""
    ids = sorted({int(i) for i in supplier_ids})
    if not ids:
        return
    deferred = _kpi_refresh_deferred_ids.get()
    if deferred is not None:
        deferred.update(ids)
        return
    kpi_inputs_changed(supplier_ids=ids)

    # Queued by name: purchasing sits below scorecards and never imports it. A broker that
    # is down does not fail the posting: the outbox row waits for the next refresh. Line
    # state changed too, so the alert scan is asked for in the same callback.
    def after_commit() -> None:
        task_queue_safely(KPI_REFRESH_TASK, ids)
        _alert_scan_queue()

    transaction.on_commit(after_commit)


def kpi_cells_mark(*, cells: Iterable[tuple[int, dt.date]], line_ids: Iterable[int] = ()) -> None:
    """Record in the outbox that these (supplier, month) KPI cells changed, in the caller's
    transaction, and queue the refresh once it commits (as `kpi_refresh_queue` does); the
    order lines whose facts changed (`line_ids`) get their late risk re-scored then too."""
    marked = sorted(set(cells))
    rescore = sorted({int(i) for i in line_ids})
    if not marked:
        return
    supplier_ids = sorted({supplier_id for supplier_id, _ in marked})
    deferred = _kpi_refresh_deferred_ids.get()
    if deferred is not None:
        deferred.update(supplier_ids)
        return
    PendingCell.objects.bulk_create(
        [PendingCell(supplier_id=s, month=m) for s, m in marked], ignore_conflicts=True
    )

    def after_commit() -> None:
        task_queue_safely(KPI_REFRESH_TASK, supplier_ids)
        _alert_scan_queue()
        if rescore:
            task_queue_safely(LINE_RESCORE_TASK, rescore)

    transaction.on_commit(after_commit)


def alert_scan_request() -> None:
    """Ask for an alert scan once this transaction commits (line state changed)."""
    if _kpi_refresh_deferred_ids.get() is not None:
        return  # bulk load: its caller scans once at the end
    transaction.on_commit(_alert_scan_queue)


def line_rescore_request(*, line_ids: Iterable[int]) -> None:
    """Ask for these lines' late risk to be re-scored once this transaction commits (their
    acknowledgement, receipts, ship notices or transit changed). Queued by name: purchasing
    sits below prediction. Skipped in a bulk load, which scores once at the end."""
    ids = sorted({int(i) for i in line_ids})
    if not ids or _kpi_refresh_deferred_ids.get() is not None:
        return
    transaction.on_commit(lambda: task_queue_safely(LINE_RESCORE_TASK, ids))


def _alert_scan_queue() -> None:
    # The time is taken after the commit: a scan that started later saw this change, so
    # the alerts task skips requests older than its last start (a burst costs one scan).
    task_queue_safely(ALERT_SCAN_TASK, timezone.now().isoformat())


def kpi_inputs_changed(*, supplier_ids: Iterable[int]) -> None:
    """Record in the outbox that these suppliers' KPI inputs changed, in the caller's
    transaction (a rolled-back change leaves no request behind). Sorted, so concurrent
    requests for the same suppliers take their row locks in one order."""
    ids = sorted({int(i) for i in supplier_ids})
    PendingRefresh.objects.bulk_create(
        [PendingRefresh(supplier_id=i) for i in ids], ignore_conflicts=True
    )
