"""The dirty-cell outbox, as the scorecard refreshes consume it.

Marks come from three places, all written in the transaction of the change they record:
* `purchasing.models.PendingCell`: (supplier, month) cells whose facts or FX rates
  changed, and `PendingRefresh`: suppliers whose whole history is to be redone (imports);
* `contracts.models.ContractChange`: the contracts audit trail, read here as the contracts
  outbox past a watermark (contracts sits below purchasing and scorecards and cannot
  write their tables): a contract's tolerances reach the months its validity covers,
  before and after the change;
* `RefreshState` "scores": a template or assignment changed (scores only).

`marks_claim` takes every waiting mark at once and commits the claim, so postings never
wait for a recompute; `marks_restore` puts them back when the recompute fails.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max, Min

from contracts.models import ContractChange
from purchasing.models import Inspection, PendingCell, PendingRefresh, PurchaseOrderLine, Receipt
from scorecards import kpis
from scorecards.models import RefreshState

CONTRACT_WATERMARK = "contract_change"  # the last ContractChange id consumed
AS_OF = "as_of"  # the as-of date (ordinal) every stored row was last brought to
SCORES = "scores"  # 1 while a re-score is waiting


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
        marks.cells |= _contract_cells_claim(as_of=as_of)
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
    last = ContractChange.objects.aggregate(last=Max("pk"))["last"] or 0
    _state_set(CONTRACT_WATERMARK, last)


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


def scores_mark() -> None:
    """A template or assignment changed: the scores (not the KPIs) wait for a re-score."""
    _state_set(SCORES, 1)


def scores_claim() -> bool:
    """Whether a re-score was waiting; clears the mark (in the caller's transaction)."""
    return RefreshState.objects.filter(name=SCORES, value=1).update(value=0) > 0


def _contract_cells_claim(*, as_of: dt.date) -> set[tuple[int, str]]:
    """The cells of the contract changes since the watermark, which moves past them: the
    months of the contract's validity before and after each change, up to the as-of
    month (later months are not due yet and are recomputed when the as-of date reaches
    them)."""
    state, _ = RefreshState.objects.select_for_update().get_or_create(name=CONTRACT_WATERMARK)
    changes = list(
        ContractChange.objects.filter(pk__gt=state.value)
        .order_by("pk")
        .values_list("pk", "object_type", "before", "after")
    )
    if not changes:
        return set()
    cells: set[tuple[int, str]] = set()
    for _, object_type, before, after in changes:
        if object_type != "contract":  # rules, tiers, commitments: no KPI input
            continue
        for snapshot in (before, after):
            if not snapshot or not snapshot.get("valid_from"):
                continue
            first = dt.date.fromisoformat(snapshot["valid_from"])
            last = min(dt.date.fromisoformat(snapshot.get("valid_to") or "9999-12-31"), as_of)
            supplier_id = int(snapshot["supplier_id"])
            cells.update((supplier_id, m) for m in months_between(first, last))
    state.value = changes[-1][0]
    state.save(update_fields=["value", "updated_at"])
    return cells


def _state_set(name: str, value: int) -> None:
    RefreshState.objects.update_or_create(name=name, defaults={"value": value})


def _delete(model, pks: list[int]) -> None:
    for i in range(0, len(pks), 500):
        model.objects.filter(pk__in=pks[i : i + 500]).delete()
