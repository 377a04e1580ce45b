"""Alert tasks: ids in, one service call, a JSON summary out.

`alerts.scan` is idempotent (dedupe keys, one scan at a time), `alerts.send_delivery`
claims its row before sending (a duplicate or redelivered task finds nothing pending), so
both may run with `acks_late`: a worker that dies mid-task has its task redelivered.
"""

import datetime as dt
import logging

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from alerts.delivery import (
    SEND_TIME_LIMIT_SECONDS,
    SendDeferred,
    digests_request,
    email_deliveries_sweep,
    email_delivery_send,
)
from alerts.services import alerts_scan
from core import task_names
from core.tasks import DATABASE_RETRY

logger = logging.getLogger(__name__)

_DB_RETRY = {**DATABASE_RETRY, "retry_backoff_max": 60}


@shared_task(
    name=task_names.ALERTS_SCAN,
    soft_time_limit=10 * 60,
    time_limit=12 * 60,
    acks_late=True,
    ignore_result=True,
    **_DB_RETRY,
)
def alerts_scan_task(requested_at: str | None = None) -> dict:
    """Scan every alert kind. `requested_at` (ISO time of the posting that asked): skipped
    when a scan has started since, so a burst of postings costs one scan."""
    requested = dt.datetime.fromisoformat(requested_at) if requested_at else None
    result = alerts_scan(requested_at=requested)
    if not result.skipped:
        logger.info("Alert scan: %s", result.as_dict())
    return result.as_dict()


@shared_task(
    name=task_names.ALERTS_SEND_DELIVERY,
    soft_time_limit=SEND_TIME_LIMIT_SECONDS - 30,
    time_limit=SEND_TIME_LIMIT_SECONDS,
    acks_late=True,
    ignore_result=True,
    autoretry_for=(SendDeferred, OperationalError),
    retry_backoff=30,
    retry_backoff_max=30 * 60,
    retry_jitter=True,
    max_retries=10,
)
def alerts_send_delivery_task(delivery_id: int) -> str:
    return email_delivery_send(delivery_id=delivery_id)


@shared_task(
    name=task_names.ALERTS_SEND_DIGESTS, soft_time_limit=10 * 60, time_limit=12 * 60, **_DB_RETRY
)
def alerts_send_digests_task(day: str | None = None) -> dict:
    """07:00 organisation time: create and queue today's digests."""
    when = dt.date.fromisoformat(day) if day else timezone.localdate()
    return {"day": when.isoformat(), "queued": len(digests_request(day=when))}


@shared_task(
    name=task_names.ALERTS_SWEEP_DELIVERIES, soft_time_limit=120, time_limit=180, **_DB_RETRY
)
def alerts_sweep_deliveries_task() -> dict:
    return email_deliveries_sweep()
