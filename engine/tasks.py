"""The engine's tasks: the pipeline of `engine/pipeline.py`, in its three modes.

Idempotent by construction: the refresh claims the waiting cells (a second run finds
none), the rules keep cooldowns, the scan keeps one alert per dedupe key and a delivery
row per alert and recipient. Only transient database errors are retried.
"""

import datetime as dt

from celery import shared_task

from core import task_names
from core.tasks import DATABASE_RETRY
from engine.pipeline import NIGHTLY, POSTING, REBUILD, pipeline_run
from outbox.selectors import outbox_waiting


@shared_task(
    name=task_names.PIPELINE,
    soft_time_limit=10 * 60,
    time_limit=12 * 60,
    ignore_result=True,
    **DATABASE_RETRY,
)
def engine_run(
    supplier_ids: list[int] | None = None,
    requested_at: str | None = None,
    if_waiting: bool = False,
) -> dict:
    """After a posting (which names its suppliers; the refresh takes every waiting cell
    anyway) and every 15 minutes from the beat; every two minutes `if_waiting`: only when
    something waits in the outbox (marked while the broker was down)."""
    if if_waiting and not outbox_waiting():
        return {"skipped": "nothing waits"}
    requested = dt.datetime.fromisoformat(requested_at) if requested_at else None
    run = pipeline_run(mode=POSTING, requested_at=requested)
    return {"requested": supplier_ids, "steps": run.summary, "seconds": run.seconds}


@shared_task(
    name=task_names.PIPELINE_NIGHTLY, soft_time_limit=50 * 60, time_limit=55 * 60, **DATABASE_RETRY
)
def engine_nightly() -> dict:
    run = pipeline_run(mode=NIGHTLY)
    return {"steps": run.summary, "seconds": run.seconds}


@shared_task(
    name=task_names.PIPELINE_REBUILD, soft_time_limit=50 * 60, time_limit=55 * 60, **DATABASE_RETRY
)
def engine_rebuild() -> dict:
    run = pipeline_run(mode=REBUILD)
    return {"steps": run.summary, "seconds": run.seconds}
