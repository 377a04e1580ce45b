"""The API's one pagination (REST_FRAMEWORK DEFAULT_PAGINATION_CLASS).

Kept apart from `core.api`: DRF imports the pagination class while `rest_framework.generics`
itself is loading, so this module may import nothing that imports generics back.
"""

from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    """`?page=` and `?page_size=` (up to 1000) on every list; PAGE_SIZE by default."""

    page_size_query_param = "page_size"
    max_page_size = 1000
