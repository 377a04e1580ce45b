"""Thin tasks: ids in, one service call; a claimed notification is never sent twice."""

from celery import shared_task

from core import task_names
from messaging.services import (
    message_digests_send,
    message_notifications_send,
    message_notifications_send_stale,
)

TRANSIENT = (ConnectionError, TimeoutError)


@shared_task(
    name=task_names.MESSAGE_NOTIFICATIONS,
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
    soft_time_limit=60,
    time_limit=90,
)
def messaging_send_message_notifications(message_id: int) -> int:
    return message_notifications_send(message_id=message_id)


@shared_task(name=task_names.MESSAGE_DIGESTS, soft_time_limit=600, time_limit=660)
def messaging_send_message_digests() -> int:
    return message_digests_send()


@shared_task(name=task_names.MESSAGE_STALE, soft_time_limit=300, time_limit=330)
def messaging_send_stale_notifications() -> int:
    return message_notifications_send_stale()
