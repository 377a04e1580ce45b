"""Import page and history (buyers; viewers read the history), import templates, and
CSV/Excel exports of every list a user may read."""

import csv
import io

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render

from accounts.access import roles_only, signed_in
from accounts.roles import EDITOR_ROLES, INTERNAL_ROLES, Role, user_role
from core.exports import XLSX_MEDIA_TYPE, Column, export_viewset_response, xlsx_bytes
from core.pagination import page_of
from imports.forms import ImportForm
from imports.jobs import (
    export_job_create,
    export_registry,
    file_job_for_user,
    file_jobs_for_user,
    import_job_create,
)
from imports.models import FileJob
from imports.services import KINDS, import_template_rows

# The lists a supplier contact is offered: its own business as the portal shows it. Every
# export is scoped by the list's own queryset and serializer (a contact's sources carry no
# shares); this only keeps internal lists, empty for a contact, off its page.
CONTACT_EXPORTS = frozenset(
    {
        "purchase-orders",
        "sources",
        "ship-notices",
        "receipts",
        "inspections",
        "scorecards",
        "certificates",
        "threads",
        "messages",
        "alerts",
    }
)


def exportable_resources(user) -> list[str]:
    """The lists this user may download: every list for internal roles, a contact's own."""
    role = user_role(user)
    if role is None:
        return []
    resources = sorted(export_registry())
    if role == Role.SUPPLIER:
        return [r for r in resources if r in CONTACT_EXPORTS]
    return resources


importers_only = roles_only(EDITOR_ROLES, message="Only buyers and admins import data.")


@importers_only
def import_home(request):
    """Upload a file: it is kept and imported by a worker; the job page shows the progress."""
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            job = import_job_create(
                kind=form.cleaned_data["kind"],
                content=upload.read(),
                filename=upload.name,
                user=request.user,
                dry_run=form.cleaned_data["dry_run"],
            )
            return redirect("imports:job", job_id=job.pk)
    else:
        form = ImportForm()
    context = {
        "form": form,
        "kinds": KINDS.values(),
        "jobs": file_jobs_for_user(user=request.user, direction="import")[:10],
    }
    return render(request, "imports/import.html", context)


@roles_only(INTERNAL_ROLES, message="Only buyers, admins and viewers read the import history.")
def import_history(request):
    """Every import: who, when, what, the file, its rows and errors, and how it ended."""
    jobs = file_jobs_for_user(user=request.user, direction="import")
    page = page_of(request, jobs)
    return render(request, "imports/history.html", {"jobs": page})


@signed_in
def job_detail(request, job_id: int):
    """A job's progress and outcome; an export's page offers its file once built."""
    job = file_job_for_user(user=request.user, job_id=job_id)
    template = "imports/_job_progress.html" if request.htmx else "imports/job.html"
    return render(request, template, {"job": job})


@signed_in
def job_download(request, job_id: int):
    """The file of a job: a finished export, or the file an import was given."""
    job = file_job_for_user(user=request.user, job_id=job_id)
    if not job.file or (job.direction == FileJob.Direction.EXPORT and not job.finished):
        raise Http404("No file yet.")
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename)


@importers_only
def import_template(request, kind: str, fmt: str):
    """An empty file with the right header row for an import kind."""
    if kind not in KINDS:
        raise Http404("No such import.")
    rows = import_template_rows(kind=kind)
    if fmt == "xlsx":
        columns = [Column(name, name, "text") for name in rows[0]]
        response = HttpResponse(xlsx_bytes(columns, [], title=kind), content_type=XLSX_MEDIA_TYPE)
    else:
        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.{fmt}"'
    return response


@signed_in
def export_home(request):
    """Every list the user may read, as a file: viewers all lists, contacts their own data."""
    resources = exportable_resources(request.user)
    if not resources:
        raise PermissionDenied("Your account has no role yet.")
    return render(request, "imports/export.html", {"resources": resources})


@signed_in
def export_resource(request, resource: str, fmt: str):
    """The whole list of a resource as CSV or Excel, scoped and filtered like the API list.

    `/exports/receipts.csv?supplier=ACME&receipt_date_after=2026-01-01` holds the rows of
    `/api/v1/receipts/` with the same filters, every page at once.
    """
    registry = export_registry()
    if resource not in registry:
        raise Http404("No such list.")
    viewset, basename = registry[resource]

    def background(count: int):
        job = export_job_create(
            user=request.user, resource=resource, fmt=fmt, query=request.GET.urlencode()
        )
        return redirect("imports:job", job_id=job.pk)

    return export_viewset_response(
        request=request, viewset=viewset, basename=basename, fmt=fmt, background=background
    )
