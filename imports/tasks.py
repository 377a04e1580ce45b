"""Import jobs run on a worker: an id in, one service call (imports/jobs.py)."""

from celery import shared_task

from core import task_names
from imports.jobs import import_job_run


@shared_task(name=task_names.IMPORT_RUN_JOB, time_limit=60 * 60, soft_time_limit=55 * 60)
def run_job(job_id: int) -> dict:
    job = import_job_run(job_id=job_id)
    if job is None:
        return {"job": job_id, "state": "skipped"}
    return {"job": job_id, "state": job.state, "rows": job.rows, "errors": job.error_count}
