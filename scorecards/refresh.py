"""The incremental KPI refreshes: after postings, and nightly.

Both consume the dirty-cell outbox (`scorecards.outbox`) and rebuild exactly the marked
(supplier, period) cells with one set-based recompute over all the suppliers involved
(`scorecard_recompute(cells=…)`), never a supplier's whole history unless it was asked
for. A full rebuild (`scorecard_recompute()` with no scope: weekly, and
`recompute_kpis --full`) stays the safety net and resets the bookmarks.

The nightly run also moves the as-of date: it rebuilds, for every supplier, the months
from the previous run's as-of date to today's (the lines whose promised date has just
passed, and a month that just closed) and the rolling window. After any sequence of
changes its figures equal those of a full rebuild (tests/scorecards/test_incremental.py).
"""

import datetime as dt
import logging

from django.db import DatabaseError, transaction
from django.utils import timezone

from scorecards import kpis, outbox, services
from suppliers.models import Supplier

logger = logging.getLogger(__name__)


def scorecard_refresh_pending(*, as_of: dt.date | None = None) -> services.RecomputeResult | None:
    """Refresh every cell waiting for it, plus the rolling window of their suppliers; None
    when there is none (an earlier task already took them).

    The claim commits on its own before the recompute, so postings for the same suppliers
    never wait for a recompute to finish; if the recompute fails, the claimed marks are
    requested again and the error propagates (the task retries).
    """
    as_of = as_of or timezone.localdate()
    marks = outbox.marks_claim(as_of=as_of)
    if not marks:
        return None
    cells = _cells(marks, supplier_ids=set())
    return _recompute(marks, cells=cells, as_of=as_of)


def scorecard_rescore_pending() -> int | None:
    """Re-score every supplier row when a template or assignment change waits in the
    outbox (None: none waits)."""
    if not outbox.rescore_waiting():
        return None
    return services.scorecard_scores_refresh()


def scorecard_refresh_nightly(*, as_of: dt.date | None = None) -> services.RecomputeResult:
    """The nightly run: the marked cells, and for every supplier the months the as-of date
    moved through since the last run, and the rolling window. A full rebuild when no run
    ever set the as-of bookmark."""
    as_of = as_of or timezone.localdate()
    previous = outbox.as_of_get()
    if previous is None:
        return services.scorecard_recompute(as_of=as_of)
    marks = outbox.marks_claim(as_of=as_of)
    supplier_ids = set(Supplier.objects.values_list("pk", flat=True))
    cells = _cells(marks, supplier_ids=supplier_ids)
    moved = outbox.months_between(min(previous, as_of), max(previous, as_of))
    cells |= {(s, month) for s in supplier_ids for month in moved}

    def bookmark() -> None:
        outbox.as_of_set(as_of)
        if outbox.scores_claim():
            services.scorecard_scores_refresh()

    return _recompute(marks, cells=cells, as_of=as_of, then=bookmark)


def _cells(marks: outbox.Marks, *, supplier_ids: set[int]) -> set[tuple[int, str]]:
    """The marked cells, every month of the whole-history suppliers, and the rolling
    window of all of them and of `supplier_ids`."""
    cells = set(marks.cells)
    if marks.supplier_ids:
        months = outbox.months_with_facts()
        cells |= {(s, month) for s in marks.supplier_ids for month in months}
    suppliers = supplier_ids | marks.supplier_ids | {s for s, _ in marks.cells}
    return cells | {(s, kpis.ROLLING_PERIOD) for s in suppliers}


def _recompute(marks, *, cells, as_of, then=None) -> services.RecomputeResult:
    try:
        with transaction.atomic():
            result = services.scorecard_recompute(cells=cells, as_of=as_of)
            if then is not None:
                then()
        return result
    except Exception:
        try:
            outbox.marks_restore(marks)
        except DatabaseError:
            logger.exception("Could not re-request %d KPI cells", len(marks.cells))
        raise
