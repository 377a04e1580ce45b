"""Imports (and large exports) as background jobs with progress, kept as the history.

A page saves the upload as a `FileJob` and queues `imports.run_job`; the worker claims the
job (a conditional update, so two workers never run it twice), runs the all-or-nothing
import with a progress callback and stores the outcome and the row-by-row report. The
request itself never reads the file, so a 100,000-row file never meets a web timeout.
"""

import logging
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, QueryDict
from django.urls import resolve, reverse
from django.utils import timezone
from rest_framework.generics import GenericAPIView

from accounts.selectors import scope_for_user
from core import task_names
from core.exports import export_file, export_list_view
from core.tasks import task_queue_on_commit
from imports.kinds import ImportResult
from imports.models import FileJob
from imports.services import SystemActor, import_file_run

logger = logging.getLogger(__name__)
MAX_STORED_ERRORS = 2_000  # the report keeps the first ones; the count keeps them all


def import_job_create(
    *, kind: str, content: bytes, filename: str, user, dry_run: bool = False
) -> FileJob:
    """Keep the upload and queue its import; the job page follows its progress."""
    job = FileJob.objects.create(
        direction=FileJob.Direction.IMPORT,
        kind=kind,
        fmt=Path(filename).suffix.lstrip(".").lower()[:4],
        filename=Path(filename).name[:255],
        user=user if getattr(user, "pk", None) else None,
        dry_run=dry_run,
        stage="Waiting for a worker",
    )
    job.file.save(f"import-{job.pk}.{job.fmt or 'csv'}", ContentFile(content), save=False)
    job.save(update_fields=["file"])
    task_queue_on_commit(task_names.IMPORT_RUN_JOB, job.pk)
    return job


def _claim(job_id: int) -> bool:
    claimed = FileJob.objects.filter(pk=job_id, state=FileJob.State.QUEUED).update(
        state=FileJob.State.RUNNING, started_at=timezone.now(), stage="Starting", progress_pct=1
    )
    return claimed == 1


def _report(job: FileJob, result: ImportResult) -> None:
    job.rows = max(job.rows, result.rows, result.created)
    job.written = result.created
    job.error_count = len(result.errors)
    job.errors = [
        {"row": e.row, "column": e.column, "message": e.message}
        for e in result.errors[:MAX_STORED_ERRORS]
    ]
    if result.errors:
        job.state, job.outcome = FileJob.State.FAILED, "Nothing was imported."
        return
    # A clean import keeps its warnings (rows accepted but flagged, e.g. over-deliveries).
    job.errors = [
        {"row": w.row, "column": w.column, "message": w.message, "warning": True}
        for w in result.warnings[:MAX_STORED_ERRORS]
    ]
    flagged = f" {len(result.warnings)} flagged for a look." if result.warnings else ""
    if job.dry_run:
        job.state, job.outcome = FileJob.State.SUCCEEDED, "Every row is good; nothing imported."
    else:
        job.state, job.outcome = FileJob.State.SUCCEEDED, f"Imported {result.created} rows."
    job.outcome += flagged


def import_job_record(*, kind: str, filename: str, user, dry_run: bool, result) -> FileJob:
    """An import run outside the pages (`manage.py import_data`), kept in the same history."""
    now = timezone.now()
    job = FileJob(
        direction=FileJob.Direction.IMPORT,
        kind=kind,
        fmt=Path(filename).suffix.lstrip(".").lower()[:4],
        filename=Path(filename).name[:255],
        user=user if getattr(user, "pk", None) else None,
        dry_run=dry_run,
        stage="Finished",
        progress_pct=100,
        started_at=now,
        finished_at=now,
    )
    _report(job, result)
    job.save()
    return job


def import_job_run(*, job_id: int) -> FileJob | None:
    """Run a queued import or export once; a job already claimed or gone is left alone."""
    if not _claim(job_id):
        return None
    job = FileJob.objects.select_related("user").get(pk=job_id)

    def progress(stage: str, pct: int, rows: int) -> None:
        job.stage, job.progress_pct, job.rows = stage, pct, rows
        FileJob.objects.filter(pk=job.pk).update(stage=stage, progress_pct=pct, rows=rows)

    try:
        if job.direction == FileJob.Direction.EXPORT:
            export_job_run(job=job)
        else:
            _import(job, progress)
    except Exception as exc:  # recorded on the job, so the page says it ended
        logger.exception("File job %s failed", job_id)
        job.state, job.outcome = FileJob.State.FAILED, f"The job stopped: {exc}"[:500]
    job.stage, job.progress_pct, job.finished_at = "Finished", 100, timezone.now()
    job.save()
    return job


def _import(job: FileJob, progress) -> None:
    with job.file.open("rb") as handle:
        content = handle.read()
    result = import_file_run(
        kind=job.kind,
        content=content,
        filename=job.filename,
        user=job.user or SystemActor(),
        dry_run=job.dry_run,
        progress=progress,
    )
    _report(job, result)


def file_jobs_for_user(*, user, direction: str | None = None) -> QuerySet[FileJob]:
    """The jobs a user may read: every import for buyers, admins and viewers (the import
    history; contacts none), and a user's own exports (each holds what its user may read)."""
    imports = scope_for_user(FileJob.objects.filter(direction=FileJob.Direction.IMPORT), user)
    own_exports = Q(direction=FileJob.Direction.EXPORT, user_id=user.pk)
    jobs = FileJob.objects.select_related("user").filter(
        Q(pk__in=imports.values("pk")) | own_exports
    )
    return jobs.filter(direction=direction) if direction else jobs


def file_job_for_user(*, user, job_id: int) -> FileJob:
    job = file_jobs_for_user(user=user).filter(pk=job_id).first()
    if job is None:
        raise Http404("No such job.")
    return job


def export_registry() -> dict[str, tuple[type, str]]:
    """Every /api/v1/ list of rows can be exported: resource prefix → (viewset, basename).

    Read off the URL resolver (the API root lists every resource), so this page app
    never imports the project's router from above it.
    """
    root = resolve(reverse("api-root")).func.initkwargs["api_root_dict"]
    registry = {}
    for prefix, list_name in root.items():
        view = resolve(reverse(list_name)).func
        # Only lists of rows export: not a POST-only action (allocations) or a single figure.
        if view.actions.get("get") == "list" and issubclass(view.cls, GenericAPIView):
            registry[prefix] = (view.cls, view.initkwargs["basename"])
    return registry


def export_job_create(*, user, resource: str, fmt: str, query: str) -> FileJob:
    """Queue a large export; the job's page shows its progress and then the download."""
    day = timezone.localdate().isoformat()
    job = FileJob.objects.create(
        direction=FileJob.Direction.EXPORT,
        kind=resource,
        fmt=fmt,
        filename=f"{resource}-{day}.{fmt}",
        user=user,
        query=query[:2000],
        stage="Waiting for a worker",
    )
    task_queue_on_commit(task_names.IMPORT_RUN_JOB, job.pk)
    return job


def _request_as(user, query: str) -> HttpRequest:
    """The export's list read as its requester would read it from a page."""
    request = HttpRequest()
    request.method = "GET"
    request.GET = QueryDict(query)
    site = urlsplit(settings.SITE_URL)
    request.META = {"SERVER_NAME": site.hostname or "localhost", "SERVER_PORT": site.port or 80}
    request.user = user
    request._dont_enforce_csrf_checks = True
    return request


def export_job_run(*, job: FileJob) -> None:
    viewset, basename = export_registry()[job.kind]
    view = export_list_view(
        request=_request_as(job.user, job.query), viewset=viewset, basename=basename
    )

    def progress(done: int, total: int) -> None:
        pct = 5 + int(90 * done / max(total, 1))
        FileJob.objects.filter(pk=job.pk).update(stage="Writing rows", progress_pct=pct, rows=total)

    content = export_file(view=view, fmt=job.fmt, progress=progress)
    job.file.save(f"export-{job.pk}.{job.fmt}", ContentFile(content), save=False)
    job.rows = view.filter_queryset(view.get_queryset()).count()
    job.state, job.outcome = FileJob.State.SUCCEEDED, "Your file is ready."
