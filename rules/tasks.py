"""Engine tasks: ids in, one service call, a JSON summary out (retried on transient errors)."""

import logging

from celery import shared_task
from django.db import OperationalError

from core import task_names
from rules.services import rules_evaluate

logger = logging.getLogger(__name__)


@shared_task(
    name=task_names.RULES_EVALUATE,
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

    The engine pipeline runs this as its second step (engine/pipeline.py); this task runs
    it alone, for operators. Idempotent: the same facts twice change nothing.
    """
    result = rules_evaluate(supplier_ids=supplier_ids)
    logger.info(
        "Rules evaluated: %d rules, %d applied, %d exceptions in %.3f s",
        result.rules,
        result.applied,
        result.exceptions,
        result.seconds,
    )
    return result.as_dict()
