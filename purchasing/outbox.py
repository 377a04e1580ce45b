"""Purchasing's side of the KPI outbox (the `outbox` app): every write to a fact records
the cells it touches there in its own transaction, and the engine pipeline that consumes
them (refresh → rules → alerts → emails, engine/pipeline.py) is queued by name once, on
commit (purchasing sits below the engine and never imports it)."""

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django.utils import timezone

from core import task_names
from core.tasks import task_queue_on_commit, task_queue_safely
from outbox import services as outbox_services

# Set while a bulk load runs inside `kpi_refresh_deferred()`: suppliers collected, none queued.

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

    # A broker that is down does not fail the posting: the outbox row waits for the
    # pipeline the beat runs every few minutes.
    transaction.on_commit(lambda: _pipeline_queue(ids))


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
    outbox_services.cells_mark(cells=marked)

    def after_commit() -> None:
        _pipeline_queue(supplier_ids)
        if rescore:
            task_queue_safely(task_names.LINE_RESCORE, rescore)

    transaction.on_commit(after_commit)


def alert_scan_request() -> None:
    """Ask for the engine pipeline (whose alert scan sees the change) once this transaction
    commits: line state changed, no KPI input."""
    if _kpi_refresh_deferred_ids.get() is not None:
        return  # bulk load: its caller scans once at the end
    transaction.on_commit(lambda: _pipeline_queue(None))


def line_rescore_request(*, line_ids: Iterable[int]) -> None:
    """Ask for these lines' late risk to be re-scored once this transaction commits (their
    acknowledgement, receipts, ship notices or transit changed). Queued by name: purchasing
    sits below prediction. Skipped in a bulk load, which scores once at the end."""
    ids = sorted({int(i) for i in line_ids})
    if not ids or _kpi_refresh_deferred_ids.get() is not None:
        return
    task_queue_on_commit(task_names.LINE_RESCORE, ids)


def _pipeline_queue(supplier_ids: list[int] | None) -> None:
    # The time is taken after the commit: a scan that started later saw this change, so
    # the pipeline's scan skips requests older than its last start (a burst costs one).
    task_queue_safely(task_names.PIPELINE, supplier_ids, timezone.now().isoformat())


def kpi_inputs_changed(*, supplier_ids: Iterable[int]) -> None:
    """Record in the outbox that these suppliers' KPI inputs changed, in the caller's
    transaction (a rolled-back change leaves no request behind). Sorted, so concurrent
    requests for the same suppliers take their row locks in one order."""
    outbox_services.suppliers_mark(supplier_ids=supplier_ids)
