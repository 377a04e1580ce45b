"""Engine reads: which sources are usable, share history, the exceptions queue, automation rate."""

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.selectors import scope_for_user
from invoicing.selectors import invoice_decision_counts
from planning.selectors import auto_released_count
from rules.models import AllocationChange, AllocationException, RuleFiring
from suppliers.models import Supplier


def expired_certificate_supplier_ids(
    *, supplier_ids: Iterable[int] | None = None, as_of: dt.date
) -> set[int]:
    """Suppliers with a required certificate that has expired (`Supplier.objects`)."""
    rows = Supplier.objects.all()
    if supplier_ids is not None:
        rows = rows.filter(pk__in=list(supplier_ids))
    return set(rows.with_expired_certificate(as_of).values_list("pk", flat=True))


def usable_supplier_ids(*, supplier_ids: Iterable[int], as_of: dt.date | None = None) -> set[int]:
    """Suppliers whose sources may receive share: `Supplier.objects.usable`."""
    rows = Supplier.objects.filter(pk__in=list(supplier_ids))
    return set(rows.usable(as_of).values_list("pk", flat=True))


def unusable_reason(*, status: str, certificate_expired: bool) -> str | None:
    if status != Supplier.Status.APPROVED:
        label = Supplier.Status(status).label.lower() if status in Supplier.Status else status
        return f"supplier is {label}, not approved"
    if certificate_expired:
        return "a required certificate has expired"
    return None


def part_share_history(*, user, part_id: int) -> QuerySet[AllocationChange]:
    """Share changes of one part, newest first (empty for supplier contacts)."""
    return scope_for_user(
        AllocationChange.objects.filter(part_id=part_id).select_related("rule", "actor", "part"),
        user,
    ).order_by("-created_at", "-id")


def allocation_change_list(*, user) -> QuerySet[AllocationChange]:
    return scope_for_user(
        AllocationChange.objects.select_related("rule", "actor", "part"), user
    ).order_by("-created_at", "-id")


def exception_list(*, user) -> QuerySet[AllocationException]:
    """The exceptions queue, oldest first."""
    return scope_for_user(
        AllocationException.objects.select_related("part", "supplier", "rule", "decided_by"),
        user,
    ).order_by("created_at", "id")


def _month_bounds(period: str) -> tuple[dt.datetime, dt.datetime]:
    year, month = (int(x) for x in period.split("-"))
    start = dt.date(year, month, 1)
    end = dt.date(year + (month == 12), month % 12 + 1, 1)
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(end, dt.time.min, tzinfo=tz),
    )


def automation_rate(*, period: str | None = None) -> dict:
    """The automation rate of docs/rules.md over one month (`YYYY-MM`, default this
    month): decisions the engine applied alone (share shifts, price tiers, invoices
    approved) / (those + exceptions raised, invoice mismatches included). None without
    decisions."""
    period = period or timezone.localdate().strftime("%Y-%m")
    start, end = _month_bounds(period)
    applied = RuleFiring.objects.filter(
        fired_at__gte=start,
        fired_at__lt=end,
        outcome__in=[RuleFiring.Outcome.APPLIED, RuleFiring.Outcome.PRICE_TIER],
    ).count()
    counts = AllocationException.objects.filter(
        created_at__gte=start, created_at__lt=end
    ).aggregate(
        raised=Count("pk"), open=Count("pk", filter=Q(state=AllocationException.State.OPEN))
    )
    # Supplier invoices: approved by the engine alone, or a mismatch for a buyer.
    invoices = invoice_decision_counts(start=start, end=end)
    # Orders the planning engine released alone are decisions applied alone too.
    planning_released = auto_released_count(start=start, end=end)
    applied += invoices["applied"] + planning_released
    raised, still_open = (
        counts["raised"] + invoices["exceptions"],
        counts["open"] + invoices["open"],
    )
    decisions = applied + raised
    return {
        "period": period,
        "applied": applied,
        "planning_released": planning_released,
        "exceptions": raised,
        "exceptions_open": still_open,
        "automation_rate_pct": round(100 * applied / decisions, 2) if decisions else None,
    }
