"""The one pagination of lists: the API's (REST_FRAMEWORK DEFAULT_PAGINATION_CLASS) and the
HTML pages' (`page_of` and `page_context`, 50 rows a page, `?page=`).

Kept apart from `core.api`: DRF imports the pagination class while `rest_framework.generics`
itself is loading, so this module may import nothing that imports generics back.
"""

from django.core.paginator import Page, Paginator
from django.http import HttpResponse
from django.shortcuts import render
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


def page_context(request, rows, *, query=None) -> dict:
    """`page` and `query` for a list template: the page, and the list's query string (its
    filters, `query` when the view adds defaults to them) for the links to its other pages."""
    query = (request.GET if query is None else query).copy()
    query.pop("page", None)
    return {"page": page_of(request, rows), "query": query.urlencode()}


def filtered_list_page(request, template: str, *, filter_class, rows, **context) -> HttpResponse:
    """A list page: `rows` narrowed by the filters of the query string, one page shown."""
    filterset = filter_class(request.GET, queryset=rows, request=request)
    context = {"filter": filterset, **page_context(request, filterset.qs), **context}
    return render(request, template, context)
