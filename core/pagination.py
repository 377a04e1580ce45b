"""The one pagination of lists: the API's (REST_FRAMEWORK DEFAULT_PAGINATION_CLASS) and the
HTML pages' (`page_of`, 50 rows a page, `?page=`).

Kept apart from `core.api`: DRF imports the pagination class while `rest_framework.generics`
itself is loading, so this module may import nothing that imports generics back.
"""

from django.core.paginator import Page, Paginator
from rest_framework.pagination import PageNumberPagination

PAGE_SIZE = 50


class StandardPagination(PageNumberPagination):
    """`?page=` and `?page_size=` (up to 1000) on every list; PAGE_SIZE by default."""

    page_size_query_param = "page_size"
    max_page_size = 1000


def page_of(request, rows, size: int = PAGE_SIZE, *, count: int | None = None) -> Page:
    """The page `?page=` of a list (the last one past the end, the first on nonsense);
    `count`, when the size is already known, spares the COUNT(*)."""
    paginator = Paginator(rows, size)
    if count is not None:
        paginator.count = count  # a cached_property: set once, read by the paginator
    return paginator.get_page(request.GET.get("page"))


def query_without_page(query) -> str:
    """A list's query string (its filters) for the links to its other pages."""
    query = query.copy()
    query.pop("page", None)
    return query.urlencode()
