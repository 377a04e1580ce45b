"""Import page (buyers), import templates, and CSV/Excel exports of every API list."""

import csv
import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import resolve, reverse
from rest_framework.generics import GenericAPIView

from accounts.roles import EDITOR_ROLES, Role, user_role
from core.exports import XLSX_MEDIA_TYPE, Column, export_viewset_response, xlsx_bytes
from imports.forms import ImportForm
from imports.services import KINDS, import_file_run, import_template_rows


def _export_registry() -> dict[str, tuple[type, str]]:
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
    resources = sorted(_export_registry())
    if role == Role.SUPPLIER:
        return [r for r in resources if r in CONTACT_EXPORTS]
    return resources


def _require_editor(request) -> None:
    if user_role(request.user) not in EDITOR_ROLES:
        raise PermissionDenied("Only buyers and admins import data.")


@login_required
def import_home(request):
    _require_editor(request)
    result = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            result = import_file_run(
                kind=form.cleaned_data["kind"],
                content=upload.read(),
                filename=upload.name,
                user=request.user,
                dry_run=form.cleaned_data["dry_run"],
            )
    else:
        form = ImportForm()
    status = 400 if result is not None and not result.ok else 200
    context = {
        "form": form,
        "result": result,
        "kinds": KINDS.values(),
        "resources": exportable_resources(request.user),
    }
    return render(request, "imports/import.html", context, status=status)


@login_required
def import_template(request, kind: str, fmt: str):
    """An empty file with the right header row for an import kind."""
    _require_editor(request)
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


@login_required
def export_home(request):
    """Every list the user may read, as a file: viewers all lists, contacts their own data."""
    resources = exportable_resources(request.user)
    if not resources:
        raise PermissionDenied("Your account has no role yet.")
    return render(request, "imports/export.html", {"resources": resources})


@login_required
def export_resource(request, resource: str, fmt: str):
    """The whole list of a resource as CSV or Excel, scoped and filtered like the API list.

    `/exports/receipts.csv?supplier=ACME&receipt_date_after=2026-01-01` holds the rows of
    `/api/v1/receipts/` with the same filters, every page at once.
    """
    registry = _export_registry()
    if resource not in registry:
        raise Http404("No such list.")
    viewset, basename = registry[resource]
    return export_viewset_response(request=request, viewset=viewset, basename=basename, fmt=fmt)
