"""What every workspace view shares: role gates, paging and list exports."""

from collections.abc import Iterable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse

from accounts.roles import EDITOR_ROLES, INTERNAL_ROLES, user_role
from core.exports import XLSX_MEDIA_TYPE, Column, csv_lines, xlsx_bytes

PAGE_SIZE = 50
READ_ONLY_MESSAGE = "Viewers read only: ask a buyer or an admin to make this change."
EXPORT_FORMATS = ("csv", "xlsx")


def internal_only(view):
    """Buyer pages: a supplier contact (or a role-less account) finds nothing here (404)."""

    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if user_role(request.user) not in INTERNAL_ROLES:
            raise Http404("No such page.")
        return view(request, *args, **kwargs)

    return wrapped


def editors_only(view):
    """Forms: buyers and admins. A viewer is told it may not change data (403); a supplier
    contact finds nothing here (404), as on every buyer page."""

    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        role = user_role(request.user)
        if role not in INTERNAL_ROLES:
            raise Http404("No such page.")
        if role not in EDITOR_ROLES:
            raise PermissionDenied(READ_ONLY_MESSAGE)
        return view(request, *args, **kwargs)

    return wrapped


def page_of(request, queryset, size: int = PAGE_SIZE, *, count: int | None = None):
    """One page of a list; `count`, when the size is already known, spares the COUNT(*)."""
    paginator = Paginator(queryset, size)
    if count is not None:
        paginator.count = count  # a cached_property: set once, read by the paginator
    return paginator.get_page(request.GET.get("page"))


def export_format(request) -> str | None:
    fmt = request.GET.get("format")
    return fmt if fmt in EXPORT_FORMATS else None


def export(
    *,
    fmt: str,
    name: str,
    columns: list[tuple[str, str]],
    rows: Iterable[dict],
) -> HttpResponse:
    """A list exactly as shown (its filters, its order, every page) as CSV or Excel.

    columns: (header, kind) pairs; rows: dicts keyed by header."""
    cols = [Column(header, header, kind) for header, kind in columns]
    values = ([row.get(c.name) for c in cols] for row in rows)
    if fmt == "xlsx":
        response = HttpResponse(xlsx_bytes(cols, values, title=name), content_type=XLSX_MEDIA_TYPE)
    else:
        response = HttpResponse("".join(csv_lines(cols, values)), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def chunked(queryset, size: int = 2000) -> Iterable[list]:
    """A queryset in pages of `size` rows, so per-page enrichment stays a few queries."""
    chunk = []
    for obj in queryset.iterator(chunk_size=size):
        chunk.append(obj)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
