"""Slots for work other apps are still building (rules, alerts, messaging).

Each slot is one function and one template include under `workspace/slots/`. Until its
app lands, the function returns an empty slot and the include shows a clear empty state;
wiring it is a one-line change here (call the app's selector), nothing in the views.
"""

from dataclasses import dataclass, field

from accounts.roles import INTERNAL_ROLES, user_role
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
    # Wire to: alerts.selectors.alerts_for_user(user) grouped by severity.
    return Slot(template="workspace/slots/alerts.html")


def automation_rate(*, user) -> Slot:
    # Wire to: the rules app's automation-rate selector (share moves without a human).
    return Slot(template="workspace/slots/automation.html")


def supplier_messages(*, user, supplier_id: int) -> Slot:
    # Wire to: messaging's threads of this supplier.
    return Slot(template="workspace/slots/messages.html")


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
