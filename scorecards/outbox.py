"""The KPI outbox (the `outbox` app), as the scorecard refreshes consume it.

Every change to a KPI input writes there, in the transaction of the change: `PendingCell`
(supplier, month) cells whose facts, FX rates or contract terms changed; `PendingRefresh`
suppliers whose whole history is to be redone (imports); `PendingRescore` a template or
assignment changed (scores only).

`marks_claim` takes every waiting mark at once and commits the claim, so postings never
wait for a recompute; `marks_restore` puts them back when the recompute fails.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max, Min

from outbox.models import PendingCell, PendingRefresh, PendingRescore
from purchasing.models import Inspection, PurchaseOrderLine, Receipt
from scorecards import kpis
from scorecards.models import RefreshState

AS_OF = "as_of"  # the as-of date (ordinal) every stored row was last brought to


@dataclass
class Marks:
    cells: set[tuple[int, str]] = field(default_factory=set)  # (supplier id, YYYY-MM)
    supplier_ids: set[int] = field(default_factory=set)  # whole history

    def __bool__(self) -> bool:
        return bool(self.cells or self.supplier_ids)


def marks_claim(*, as_of: dt.date) -> Marks:
    """Take every waiting mark (rows other claimers hold are skipped) and commit."""
    marks = Marks()
    with transaction.atomic():
        cells = list(
            PendingCell.objects.select_for_update(skip_locked=True).values_list(
                "pk", "supplier_id", "month"
            )
        )
        marks.cells = {(supplier_id, kpis.period_of(month)) for _, supplier_id, month in cells}
        _delete(PendingCell, [pk for pk, _, _ in cells])
        marks.supplier_ids = set(
            PendingRefresh.objects.select_for_update(skip_locked=True).values_list(
                "supplier_id", flat=True
            )
        )
        _delete(PendingRefresh, sorted(marks.supplier_ids))
    return marks


def marks_restore(marks: Marks) -> None:
    """Request the claimed marks again (a failed recompute)."""
    with transaction.atomic():
        PendingCell.objects.bulk_create(
            [
                PendingCell(supplier_id=s, month=kpis.month_bounds(p)[0])
                for s, p in sorted(marks.cells)
            ],
            ignore_conflicts=True,
            batch_size=1000,
        )
        PendingRefresh.objects.bulk_create(
            [PendingRefresh(supplier_id=s) for s in sorted(marks.supplier_ids)],
            ignore_conflicts=True,
        )


def marks_clear() -> None:
    """A full rebuild redoes everything: every mark committed before it is consumed."""
    PendingCell.objects.all().delete()
    PendingRefresh.objects.all().delete()


def months_with_facts() -> list[str]:
    """Every month from the first to the last date any fact is dated on."""
    bounds = [
        PurchaseOrderLine.objects.aggregate(a=Min("promised_date"), b=Max("promised_date")),
        Receipt.objects.aggregate(a=Min("receipt_date"), b=Max("receipt_date")),
        Inspection.objects.aggregate(a=Min("inspection_date"), b=Max("inspection_date")),
    ]
    days = [d for b in bounds for d in b.values() if d is not None]
    return months_between(min(days), max(days)) if days else []


def months_between(first: dt.date, last: dt.date) -> list[str]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(kpis.period_of(month))
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def as_of_get() -> dt.date | None:
    value = RefreshState.objects.filter(name=AS_OF).values_list("value", flat=True).first()
    return dt.date.fromordinal(value) if value else None


def as_of_set(as_of: dt.date) -> None:
    _state_set(AS_OF, as_of.toordinal())


def rescore_waiting() -> bool:
    return PendingRescore.objects.exists()


def scores_claim() -> bool:
    """Whether a re-score was waiting; clears the requests (in the caller's transaction)."""
    deleted, _ = PendingRescore.objects.all().delete()
    return deleted > 0


def _state_set(name: str, value: int) -> None:
    RefreshState.objects.update_or_create(name=name, defaults={"value": value})


def _delete(model, pks: list[int]) -> None:
    for i in range(0, len(pks), 500):
        model.objects.filter(pk__in=pks[i : i + 500]).delete()
