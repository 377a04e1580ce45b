"""Supplier status: the gates every path goes through (API, forms, admin, imports, engine)
and the audit of each change (docs/qualification.md, "Status gates")."""

from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.roles import EDITOR_ROLES, Role, user_role
from suppliers.gates import supplier_gate
from suppliers.models import Supplier, SupplierStatusChange

Status = Supplier.Status


def _person(actor):
    return actor if getattr(actor, "pk", None) is not None else None


def supplier_status_check(
    *, supplier: Supplier, status: str, actor=None, reason: str = "", as_of=None
) -> SupplierStatusChange | None:
    """Refuse (ValidationError on `status`, naming what is missing) or return the unsaved
    audit row of an allowed change. No change: None."""
    if status == supplier.status:
        return None
    if status not in Status.values:
        raise ValidationError({"status": f"'{str(status)[:20]}' is not a supplier status."})
    actor = _person(actor)
    if not supplier.can_transition_to(status):
        raise ValidationError(
            {"status": f"A supplier cannot go from {supplier.status} to {status}."}
        )
    if actor is not None and user_role(actor) not in EDITOR_ROLES:
        raise ValidationError({"status": "Only a buyer or an admin changes a supplier's status."})
    if status == Status.DISQUALIFIED and not (reason or "").strip():
        raise ValidationError({"reason": "Say why the supplier is disqualified."})
    gate = supplier_gate(supplier, to=status, actor=actor, as_of=as_of or timezone.localdate())
    if not gate.open:
        raise ValidationError(
            {"status": f"{supplier.code} cannot become {status}: needs " + "; ".join(gate.missing)}
        )
    return SupplierStatusChange(
        supplier=supplier,
        from_status=supplier.status,
        to_status=status,
        actor=actor,
        reason=(reason or "").strip(),
        assessment=gate.assessment,
    )


def supplier_create_status_check(*, status: str, actor=None) -> None:
    """A new supplier starts as a prospect; an admin (or a trusted internal caller such as
    the demo) may create one in any status, as brought over from another system."""
    if status in ("", None, Status.PROSPECT):
        return
    if status not in Status.values:
        raise ValidationError({"status": f"'{str(status)[:20]}' is not a supplier status."})
    actor = _person(actor)
    if actor is not None and user_role(actor) != Role.ADMIN:
        raise ValidationError(
            {
                "status": "A new supplier starts as a prospect; only an admin brings one over "
                f"from another system as {status}."
            }
        )


def supplier_created_audit(*, suppliers: list[Supplier], actor=None) -> None:
    """One audit row per new supplier; one created beyond prospect is marked imported."""
    actor = _person(actor)
    rows = []
    for supplier in suppliers:
        reason = "created"
        if supplier.status != Status.PROSPECT:
            reason = f"created as {supplier.status} (brought over from another system)"
        rows.append(
            SupplierStatusChange(
                supplier=supplier,
                from_status="",
                to_status=supplier.status,
                actor=actor,
                reason=reason,
            )
        )
    SupplierStatusChange.objects.bulk_create(rows)
