"""What the engine apps (rules, alerts, messaging) contribute to the buyer's pages.

Each slot is one function here and one template include under `workspace/slots/`, fed by
that app's selector; the include shows a clear empty state when there is nothing yet.
"""

from dataclasses import dataclass, field

from django.db.models import Count

from accounts.roles import INTERNAL_ROLES, user_role
from alerts.models import Alert, Severity
from alerts.selectors import alerts_for_user
from messaging.selectors import threads_for_user
from parts.models import SourceChange
from planning.selectors import portfolio_savings
from rules.models import AllocationException
from rules.selectors import automation_rate as rules_automation_rate
from rules.selectors import exception_list
from rules.selectors import part_share_history as rules_part_share_history


@dataclass(frozen=True)
class Slot:
    template: str
    rows: list = field(default_factory=list)
    total: int = 0
    figures: dict = field(default_factory=dict)
    live: bool = False  # False: the app behind it is not installed yet


def exceptions_awaiting_review(*, user, limit: int = 5) -> Slot:
    """The oldest open exceptions (what a buyer must decide first) and how many wait."""
    waiting = exception_list(user=user).filter(state=AllocationException.State.OPEN)
    rows = list(waiting[:limit])
    total = len(rows) if len(rows) < limit else waiting.count()
    return Slot(template="workspace/slots/exceptions.html", rows=rows, total=total, live=True)


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
    """This month's automation rate (docs/rules.md): decisions the engine applied alone."""
    figures = rules_automation_rate()
    live = figures["automation_rate_pct"] is not None
    return Slot(template="workspace/slots/automation.html", figures=figures, live=live)


def planning_savings(*, user) -> Slot:
    """Planned parts: expected cost per period and the saving against both baselines."""
    figures = portfolio_savings(user=user)
    return Slot(
        template="workspace/slots/planning.html", figures=figures, live=bool(figures["parts"])
    )


def supplier_messages(*, user, supplier_id: int, limit: int = 5) -> Slot:
    """The supplier's latest message threads, with unread counts for this user."""
    threads = list(threads_for_user(user=user).filter(supplier_id=supplier_id)[:limit])
    return Slot(template="workspace/slots/messages.html", rows=threads, live=True)


def part_share_history(*, user, part_id: int, part_number: str, limit: int = 20) -> Slot:
    """The part's share history: the engine's and the exception reviews' allocation changes
    (which rule moved it, when, from what to what), and buyers' own edits of its sources."""
    if user_role(user) not in INTERNAL_ROLES:
        return Slot(template="workspace/slots/share_history.html")  # shares are internal
    decisions = list(rules_part_share_history(user=user, part_id=part_id)[:limit])
    edits = list(
        SourceChange.objects.filter(part_number=part_number)
        .select_related("actor")
        .order_by("-changed_at", "-id")[:limit]
    )
    return Slot(
        template="workspace/slots/share_history.html",
        rows=edits,
        figures={"decisions": decisions},
        live=bool(decisions or edits),
    )
