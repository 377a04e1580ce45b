"""Prediction tasks: train weekly, score daily, re-score the lines a posting touched.

Idempotent: scoring writes each open line's current risk (an upsert), training adds one
model version. Only transient database errors are retried.
"""

import logging

from celery import shared_task
from django.utils import timezone

from core import task_names
from core.tasks import DATABASE_RETRY, task_queue_safely
from prediction.services import lateness_train, lines_score

logger = logging.getLogger(__name__)


def _scan_alerts() -> None:
    # Risks moved: `line_at_risk` is re-evaluated (alerts sit above prediction: by name).
    task_queue_safely(task_names.ALERTS_SCAN, timezone.now().isoformat())


@shared_task(
    name=task_names.LATENESS_TRAIN, soft_time_limit=3000, time_limit=3300, **DATABASE_RETRY
)
def prediction_train() -> dict:
    """Backtest, fit, store a new model version and re-score every open line."""
    model = lateness_train()
    _scan_alerts()
    return {"version": model.version, "in_use": model.in_use, "auc": model.auc}


@shared_task(
    name=task_names.LATENESS_SCORE, soft_time_limit=1200, time_limit=1500, **DATABASE_RETRY
)
def prediction_score() -> dict:
    """Re-score every open line with the model (or baseline) in use."""
    result = lines_score()
    _scan_alerts()
    return {"scored": result.scored, "removed": result.removed, "source": result.source}


@shared_task(
    name=task_names.LINE_RESCORE,
    soft_time_limit=120,
    time_limit=180,
    ignore_result=True,
    **DATABASE_RETRY,
)
def prediction_score_lines(line_ids: list[int]) -> dict:
    """Re-score the lines whose facts changed (a posting queued them by name)."""
    result = lines_score(line_ids=line_ids)
    logger.info("Re-scored %d lines in %.3f s", result.scored, result.seconds)
    return {"scored": result.scored, "removed": result.removed}
