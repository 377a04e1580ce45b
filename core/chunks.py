"""The one way to take a long list in pieces: a queryset streamed, a list sliced."""

from collections.abc import Iterable, Iterator
from itertools import islice

from django.db.models import QuerySet


def chunked(rows: Iterable, size: int = 2000) -> Iterator[list]:
    """Lists of at most `size` items of `rows`, in order. A queryset is read `size` rows at
    a time from the database, so per-chunk enrichment stays a few queries and memory flat."""
    if size < 1:
        raise ValueError("A chunk holds at least one row.")
    if isinstance(rows, QuerySet):
        rows = rows.iterator(chunk_size=size)
    rows = iter(rows)
    while chunk := list(islice(rows, size)):
        yield chunk
