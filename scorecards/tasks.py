"""Scorecard tasks: ids in, one service call, a JSON summary out. The engine pipeline
(engine/pipeline.py) runs the same services as its first step; these tasks run one step
alone, for operators.

All are idempotent: a recompute rebuilds the same rows from the same facts, so a retry
or a duplicate delivery only costs time (concurrent runs queue on a database lock).
Only transient database errors (lock timeouts, dropped connections, serialisation
failures) are retried.
"""

import logging

from celery import shared_task

from core import task_names
from core.tasks import DATABASE_RETRY
from scorecards.refresh import scorecard_refresh_nightly, scorecard_refresh_pending
from scorecards.services import scorecard_recompute, scorecard_scores_refresh

logger = logging.getLogger(__name__)


# Frequent (one per posting transaction): the summary is logged, not kept as a result.
@shared_task(
    name=task_names.KPI_REFRESH,
    soft_time_limit=120,
    time_limit=180,
    ignore_result=True,
    **DATABASE_RETRY,
)
def scorecards_refresh_suppliers(supplier_ids: list[int]) -> dict:
    """Refresh the KPI cells whose receipts, inspections, lines or rates changed.

    Refreshes every cell waiting when it runs (see `PendingCell`): the posting that
    queued this task named `supplier_ids`, but an earlier task may already have taken
    their cells, together with others; then there is nothing left to do.
    """
    result = scorecard_refresh_pending()
    if result is None:
        return {"suppliers": 0, "requested": len(supplier_ids)}
    logger.info(
        "Scorecards refreshed for %d suppliers in %.3f s", result.supplier_count, result.seconds
    )
    return result.as_dict()


@shared_task(
    name=task_names.KPI_REFRESH_NIGHTLY,
    soft_time_limit=50 * 60,
    time_limit=55 * 60,
    **DATABASE_RETRY,
)
def scorecards_refresh_nightly() -> dict:
    """Nightly: the marked cells, and the months and rolling window today's as-of date
    moves, for every supplier."""
    result = scorecard_refresh_nightly()
    logger.info("Nightly scorecard refresh finished in %.3f s", result.seconds)
    return result.as_dict()


@shared_task(
    name=task_names.KPI_RECOMPUTE_ALL, soft_time_limit=50 * 60, time_limit=55 * 60, **DATABASE_RETRY
)
def scorecards_recompute_all() -> dict:
    """Weekly safety net: every supplier and period rebuilt from the facts."""
    result = scorecard_recompute()
    logger.info("Full scorecard rebuild finished in %.3f s", result.seconds)
    return result.as_dict()


@shared_task(
    name=task_names.KPI_RECOMPUTE_SUPPLIERS,
    soft_time_limit=10 * 60,
    time_limit=12 * 60,
    **DATABASE_RETRY,
)
def scorecards_recompute_suppliers(supplier_ids: list[int]) -> dict:
    """Exactly these suppliers, every period: e.g. after a contract's tolerances changed."""
    return scorecard_recompute(supplier_ids=supplier_ids).as_dict()


@shared_task(
    name=task_names.KPI_RESCORE, soft_time_limit=10 * 60, time_limit=12 * 60, **DATABASE_RETRY
)
def scorecards_rescore_all() -> dict:
    """After a template or assignment changed: composite scores and grades, not KPIs."""
    return {"rows_rescored": scorecard_scores_refresh()}
