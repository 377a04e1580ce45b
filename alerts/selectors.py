"""Reads for alerts. Every list a person sees starts at `alerts_for_user`."""

from django.db.models import Count, QuerySet

from accounts.roles import INTERNAL_ROLES, user_role
from accounts.selectors import scope_for_user
from alerts.kinds import CONTACT_KINDS
from alerts.models import Alert


def alerts_for_user(
    *,
    user,
    kind: str | None = None,
    severity: str | None = None,
    state: str | None = None,
    supplier_id: int | None = None,
) -> QuerySet[Alert]:
    """The alerts a user may see: everything for internal roles; for a supplier contact,
    only its own supplier's late and unconfirmed lines (nothing that names another source)."""
    alerts = scope_for_user(Alert.objects.all(), user)
    if user_role(user) not in INTERNAL_ROLES:
        alerts = alerts.filter(kind__in=CONTACT_KINDS)
    if kind:
        alerts = alerts.filter(kind=kind)
    if severity:
        alerts = alerts.filter(severity=severity)
    if state:
        alerts = alerts.filter(state=state)
    if supplier_id:
        alerts = alerts.filter(supplier_id=supplier_id)
    return alerts.select_related(
        "supplier", "part", "purchase_order", "line", "acknowledged_by", "resolved_by"
    )


def alert_counts_open(*, user) -> dict[str, int]:
    """Open alerts per severity, for a badge or a portal home."""
    counts = {"critical": 0, "warning": 0, "info": 0}
    rows = (
        alerts_for_user(user=user, state=Alert.State.OPEN)
        .order_by()
        .values("severity")
        .annotate(n=Count("id"))
        .values_list("severity", "n")
    )
    counts.update(dict(rows))
    return counts
