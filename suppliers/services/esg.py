"""The stored current ESG score of each supplier (`SupplierEsgScore`)."""

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

from core import task_names
from core.tasks import task_queue_on_commit
from suppliers.models import Supplier, SupplierEsgScore
from suppliers.selectors import esg_scores


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
    task_queue_on_commit(task_names.KPI_RESCORE)  # scorecards sit above: by name
