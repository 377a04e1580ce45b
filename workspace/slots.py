"""Slots for work other apps are still building (rules, alerts, messaging).

Each slot is one function and one template include under `workspace/slots/`. Until its
app lands, the function returns an empty slot and the include shows a clear empty state;
wiring it is a one-line change here (call the app's selector), nothing in the views.
"""

from dataclasses import dataclass, field

from django.db.models import Count

from accounts.roles import INTERNAL_ROLES, user_role
from alerts.models import Alert, Severity
from alerts.selectors import alerts_for_user
from messaging.selectors import threads_for_user
from parts.models import SourceChange


@dataclass(frozen=True)
class Slot:
    template: str
    rows: list = field(default_factory=list)
    total: int = 0
    figures: dict = field(default_factory=dict)
    live: bool = False  # False: the app behind it is not installed yet


def exceptions_awaiting_review(*, user) -> Slot:
    # Wire to: rules.selectors (AllocationException, state "open") when rules lands.
    return Slot(template="workspace/slots/exceptions.html")


def open_alerts_by_severity(*, user, supplier_id: int | None = None) -> Slot:
    """Open and acknowledged alerts counted by severity, in one grouped query."""
    alerts = alerts_for_user(user=user, supplier_id=supplier_id).exclude(state=Alert.State.RESOLVED)
    counts = dict(
        alerts.order_by()
        .values_list("severity")
        .annotate(n=Count("id"))
        .values_list("severity", "n")
    )
    ordered = {s: counts[s] for s in reversed(Severity.values) if counts.get(s)}  # critical first
    return Slot(
        template="workspace/slots/alerts.html",
        figures=ordered,
        total=sum(ordered.values()),
        live=True,
    )


def automation_rate(*, user) -> Slot:
    # Wire to: the rules app's automation-rate selector (share moves without a human).
    return Slot(template="workspace/slots/automation.html")


def supplier_messages(*, user, supplier_id: int, limit: int = 5) -> Slot:
    """The supplier's latest message threads, with unread counts for this user."""
    threads = list(threads_for_user(user=user).filter(supplier_id=supplier_id)[:limit])
    return Slot(template="workspace/slots/messages.html", rows=threads, live=True)


def part_share_history(*, user, part_number: str, limit: int = 20) -> Slot:
    """Buyers' own changes to the part's sources (audited by parts.services) until the
    rules app's allocation changes join them.

    Wire to: rules.selectors.part_share_history(part_id=...) (AllocationChange rows),
    merged with these by date."""
    if user_role(user) not in INTERNAL_ROLES:
        return Slot(template="workspace/slots/share_history.html")  # shares are internal
    changes = list(
        SourceChange.objects.filter(part_number=part_number)
        .select_related("actor")
        .order_by("-changed_at", "-id")[:limit]
    )
    return Slot(template="workspace/slots/share_history.html", rows=changes, live=bool(changes))
