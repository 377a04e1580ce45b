"""Prediction tasks: train weekly, score daily, re-score the lines a posting touched.

Idempotent: scoring writes each open line's current risk (an upsert), training adds one
model version. Only transient database errors are retried.
"""

import logging

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from core.tasks import task_queue_safely
from prediction.services import lateness_train, lines_score

logger = logging.getLogger(__name__)

ALERT_SCAN_TASK = "alerts.scan"
_RETRY = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": 2,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": 5,
}


def _scan_alerts() -> None:
    # Risks moved: `line_at_risk` is re-evaluated (alerts sit above prediction: by name).
    task_queue_safely(ALERT_SCAN_TASK, timezone.now().isoformat())


@shared_task(name="prediction.train", soft_time_limit=3000, time_limit=3300, **_RETRY)
def prediction_train() -> dict:
    """Backtest, fit, store a new model version and re-score every open line."""
    model = lateness_train()
    _scan_alerts()
    return {"version": model.version, "in_use": model.in_use, "auc": model.auc}


@shared_task(name="prediction.score", soft_time_limit=1200, time_limit=1500, **_RETRY)
def prediction_score() -> dict:
    """Re-score every open line with the model (or baseline) in use."""
    result = lines_score()
    _scan_alerts()
    return {"scored": result.scored, "removed": result.removed, "source": result.source}


@shared_task(
    name="prediction.score_lines", soft_time_limit=120, time_limit=180, ignore_result=True, **_RETRY
)
def prediction_score_lines(line_ids: list[int]) -> dict:
    """Re-score the lines whose facts changed (a posting queued them by name)."""
    result = lines_score(line_ids=line_ids)
    logger.info("Re-scored %d lines in %.3f s", result.scored, result.seconds)
    return {"scored": result.scored, "removed": result.removed}
