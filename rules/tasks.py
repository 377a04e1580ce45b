"""Engine tasks: ids in, one service call, a JSON summary out (retried on transient errors)."""

import logging

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from core.tasks import task_queue_safely
from rules.services import rules_evaluate

logger = logging.getLogger(__name__)


@shared_task(
    name="rules.evaluate",
    soft_time_limit=10 * 60,
    time_limit=12 * 60,
    autoretry_for=(OperationalError,),
    retry_backoff=2,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=5,
)
def rules_evaluate_task(supplier_ids: list[int] | None = None) -> dict:
    """Evaluate the contract rules of these suppliers (None: every supplier).

    Queued by name after each scorecard refresh with the suppliers it refreshed, and daily
    from the beat schedule. Idempotent: the same facts twice change nothing.
    """
    result = rules_evaluate(supplier_ids=supplier_ids)
    logger.info(
        "Rules evaluated: %d rules, %d applied, %d exceptions in %.3f s",
        result.rules,
        result.applied,
        result.exceptions,
        result.seconds,
    )
    if result.applied or result.exceptions or result.notified:
        # New firings and exceptions become alerts at once, not at the next scheduled scan.
        task_queue_safely("alerts.scan", timezone.now().isoformat())
    return result.as_dict()
