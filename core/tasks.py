"""Queue a task by its name, so a lower layer never imports the app that runs it."""

import logging

from celery import current_app
from django.db import OperationalError, transaction

logger = logging.getLogger(__name__)

# Tasks retry transient database errors (a lock timeout, a dropped connection) with
# jittered backoff; every task is idempotent, so a retry repeats nothing.
DATABASE_RETRY = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": 2,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": 5,
}


def task_queue(name: str, *args) -> None:
    """Queue the task registered as `name` (eager mode and test doubles still apply).

    A process that has not imported the task (a script outside Django) falls back to
    `send_task`, which any worker that knows the name will run.
    """
    task = current_app.tasks.get(name)
    if task is None:
        # A web process imports task modules only when something imports them: load the
        # apps' `tasks` modules (Celery's autodiscovery) so eager mode and retries apply.
        current_app.loader.import_default_modules()
        task = current_app.tasks.get(name)
    if task is not None:
        task.delay(*args)
    else:
        current_app.send_task(name, args=args)


def task_queue_on_commit(name: str, *args) -> None:
    """Queue the task once the current transaction commits (see `task_queue_safely`)."""
    transaction.on_commit(lambda: task_queue_safely(name, *args))


def task_queue_safely(name: str, *args) -> bool:
    """Queue the task; a broker that is down is logged, never raised into the request that
    already saved its work (outbox rows and the scheduled runs catch up once it is back)."""
    try:
        task_queue(name, *args)
    except Exception:  # any broker or connection error: the work is saved, only late
        logger.warning(
            "Could not queue %s%r; the scheduled run will catch up", name, args, exc_info=True
        )
        return False
    return True
