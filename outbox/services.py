"""Writes to the outbox, always in the caller's transaction (a rolled-back change leaves
no request behind). Ids are sorted, so concurrent writers take row locks in one order."""

import datetime as dt
from collections.abc import Iterable

from outbox.models import PendingCell, PendingRefresh, PendingRescore


def cells_mark(*, cells: Iterable[tuple[int, dt.date]]) -> list[tuple[int, dt.date]]:
    """Record that these (supplier, first day of month) cells changed."""
    marked = sorted({(int(s), m.replace(day=1)) for s, m in cells})
    PendingCell.objects.bulk_create(
        [PendingCell(supplier_id=s, month=m) for s, m in marked],
        ignore_conflicts=True,
        batch_size=1000,
    )
    return marked


def suppliers_mark(*, supplier_ids: Iterable[int]) -> list[int]:
    """Record that these suppliers' whole history is to be refreshed."""
    ids = sorted({int(i) for i in supplier_ids})
    PendingRefresh.objects.bulk_create(
        [PendingRefresh(supplier_id=i) for i in ids], ignore_conflicts=True
    )
    return ids


def rescore_mark() -> None:
    """Record that the scores (not the KPI figures) are to be recomputed."""
    PendingRescore.objects.create()


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first day of every month from `first`'s to `last`'s, both included."""
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months
