"""The planning run as a task of its own, for operators (docs/planning.md). The daily run
is a step of the engine's nightly pipeline (engine/pipeline.py), which calls the same
`planning_run`."""

import dataclasses
import logging

from celery import shared_task
from django.db import OperationalError

from core.task_names import PLANNING_RUN
from planning.services import planning_run

logger = logging.getLogger(__name__)


@shared_task(
    name=PLANNING_RUN,
    soft_time_limit=30 * 60,
    time_limit=35 * 60,
    autoretry_for=(OperationalError,),
    retry_backoff=2,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=3,
)
def planning_run_task() -> dict:
    """Plan every planned part × site; idempotent for the same facts."""
    result = planning_run()
    logger.info("Planning run: %s", result)
    return dataclasses.asdict(result)
