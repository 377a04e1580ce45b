"""The outbox "KPI inputs changed" (`PendingRefresh`): every write to a KPI input records
its suppliers here in its own transaction, and the scorecards task that consumes the rows
is queued by name on commit (purchasing sits below scorecards and never imports it)."""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction

from core.tasks import task_queue
from purchasing.models import PendingRefresh

# Set while a bulk load runs inside `kpi_refresh_deferred()`: suppliers collected, none queued.
# The scorecards task that consumes the outbox (scorecards.tasks.scorecards_refresh_suppliers).
KPI_REFRESH_TASK = "scorecards.refresh_suppliers"

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
    # Queued by name: purchasing sits below scorecards and never imports it.
    transaction.on_commit(lambda: task_queue(KPI_REFRESH_TASK, ids))


def kpi_inputs_changed(*, supplier_ids: Iterable[int]) -> None:
    """Record in the outbox that these suppliers' KPI inputs changed, in the caller's
    transaction (a rolled-back change leaves no request behind). Sorted, so concurrent
    requests for the same suppliers take their row locks in one order."""
    ids = sorted({int(i) for i in supplier_ids})
    PendingRefresh.objects.bulk_create(
        [PendingRefresh(supplier_id=i) for i in ids], ignore_conflicts=True
    )
