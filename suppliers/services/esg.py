"""The stored current ESG score of each supplier (`SupplierEsgScore`)."""

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from core.tasks import task_queue_safely
from suppliers.models import Supplier, SupplierEsgScore
from suppliers.selectors import esg_scores

RESCORE_TASK = "scorecards.rescore_all"  # by name: the scorecards app sits above this one


def esg_scores_store(
    *, supplier_ids: Iterable[int] | None = None, as_of: dt.date | None = None
) -> int:
    """Recompute and store the ESG score of these suppliers (all: None); a few queries and
    one bulk upsert. Returns the number of suppliers written."""
    as_of = as_of or timezone.localdate()
    ids = list(
        Supplier.objects.values_list("pk", flat=True) if supplier_ids is None else supplier_ids
    )
    scores = esg_scores(supplier_ids=ids, as_of=as_of)
    rows = [
        SupplierEsgScore(
            supplier_id=pk,
            esg_score=scores[pk].score if pk in scores else None,
            as_of=as_of,
        )
        for pk in ids
    ]
    SupplierEsgScore.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["supplier"],
        update_fields=["esg_score", "as_of", "computed_at"],
        batch_size=2000,
    )
    return len(rows)


def esg_score_changed(*, supplier_id: int) -> None:
    """A supplier's answers or labour certificates changed: store its score, and re-score
    the composites (an ESG weight above zero makes it count)."""
    esg_scores_store(supplier_ids=[supplier_id])
    transaction.on_commit(lambda: task_queue_safely(RESCORE_TASK))
