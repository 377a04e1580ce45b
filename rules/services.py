"""Engine writes (SPEC §4): rule evaluation, buyer decisions on exceptions, demand splits.

The evaluation itself lives in `rules.evaluation` (what it reads: `rules.facts`); the
order-allocation split in `rules.allocation`. Every entry point calls these functions.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from parts.models import ApprovedSource
from rules.allocation import demand_split, demand_split_order
from rules.evaluation import EvaluationResult, _shares, balances_rebase, rules_evaluate
from rules.models import AllocationChange, AllocationException
from rules.selectors import expired_certificate_supplier_ids
from suppliers.models import Supplier
from suppliers.services import supplier_change_status

Kind = AllocationException.Kind

__all__ = [
    "EvaluationResult",
    "balances_rebase",
    "demand_split",
    "demand_split_order",
    "exception_approve",
    "exception_reject",
    "rules_evaluate",
]


@transaction.atomic
def exception_approve(
    *, exception: AllocationException, user, comment: str = ""
) -> AllocationException:
    """Approve: a hold puts the supplier on hold; a share proposal is applied (widening a
    bound it breaks), with an allocation change in the buyer's name."""
    exception = AllocationException.objects.select_for_update().get(pk=exception.pk)
    _check_open(exception)
    if exception.kind == Kind.HOLD:
        supplier = Supplier.objects.select_for_update().get(pk=exception.supplier_id)
        if supplier.status != Supplier.Status.ON_HOLD:
            supplier_change_status(supplier=supplier, status=Supplier.Status.ON_HOLD)
    elif exception.proposed_shares:
        _apply_proposal(exception, user=user, comment=comment)
    return _decide_exception(
        exception, state=AllocationException.State.APPROVED, user=user, comment=comment
    )


@transaction.atomic
def exception_reject(
    *, exception: AllocationException, user, comment: str = ""
) -> AllocationException:
    """Reject: nothing changes; the decision is kept with who, when and why."""
    exception = AllocationException.objects.select_for_update().get(pk=exception.pk)
    _check_open(exception)
    return _decide_exception(
        exception, state=AllocationException.State.REJECTED, user=user, comment=comment
    )


def _check_open(exception: AllocationException) -> None:
    if exception.state != AllocationException.State.OPEN:
        raise ValidationError(
            {"state": f"This exception was already {exception.state}; it cannot be decided again."}
        )


def _decide_exception(exception, *, state, user, comment) -> AllocationException:
    exception.state = state
    exception.decided_by = user
    exception.decided_at = timezone.now()
    exception.comment = (comment or "").strip()[:2000]
    exception.save(update_fields=["state", "decided_by", "decided_at", "comment"])
    return exception


def _apply_proposal(exception: AllocationException, *, user, comment: str) -> None:
    sources = list(
        ApprovedSource.objects.select_for_update()
        .filter(part_id=exception.part_id, is_active=True)
        .select_related("supplier")
        .order_by("supplier__code")
    )
    before = _shares(sources)
    expected = exception.evidence.get("shares_before")
    if expected and expected != before:
        raise ValidationError(
            {
                "proposed_shares": "The part's shares changed since this was proposed; reject it "
                "and let the engine evaluate again."
            }
        )
    expired = expired_certificate_supplier_ids(
        supplier_ids=[s.supplier_id for s in sources], as_of=timezone.localdate()
    )
    proposal = {code: Decimal(v) for code, v in exception.proposed_shares.items()}
    for source in sources:
        new = proposal.get(source.supplier.code, source.target_share_pct)
        if new > source.target_share_pct and (
            source.supplier.status != Supplier.Status.APPROVED or source.supplier_id in expired
        ):
            raise ValidationError(
                {
                    "proposed_shares": f"{source.supplier.code} is no longer usable; "
                    "share cannot move to it."
                }
            )
        source.target_share_pct = new
        source.min_share_pct = min(source.min_share_pct, new)
        source.max_share_pct = max(source.max_share_pct, new)
    ApprovedSource.objects.bulk_update(
        sources, ["target_share_pct", "min_share_pct", "max_share_pct"]
    )
    note = f"; {comment.strip()}" if comment and comment.strip() else ""
    change = AllocationChange.objects.create(
        part_id=exception.part_id,
        shares_before=before,
        shares_after=_shares(sources),
        rule=exception.rule,
        metric_value=exception.evidence.get("value"),
        actor=user,
        reason=f"Approved exception #{exception.pk} ({exception.get_kind_display().lower()}){note}",
    )
    balances_rebase(part_ids=[exception.part_id], at=change.created_at)
