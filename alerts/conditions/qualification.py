"""Approved suppliers due for re-qualification (docs/qualification.md)."""

import datetime as dt

from alerts.conditions.base import Condition
from suppliers.models import Supplier
from suppliers.selectors import requalification_due_dates

REQUALIFICATION_WARNING_DAYS = 30
OVERDUE = "overdue"


def requalification_conditions(*, now: dt.datetime, today: dt.date) -> list[Condition]:
    """`requalification_due`: 30 days before an approved supplier's latest passed
    assessment (or its creation, when brought over without one) is older than the
    re-qualification interval (warning); critical once it is. Two queries."""
    horizon = today + dt.timedelta(days=REQUALIFICATION_WARNING_DAYS)
    due = {pk: row for pk, row in requalification_due_dates().items() if row[0] <= horizon}
    codes = dict(Supplier.objects.filter(pk__in=list(due)).values_list("pk", "code"))
    found = []
    for supplier_id, (due_on, on_file) in sorted(due.items()):
        overdue = due_on <= today
        basis = "" if on_file else " (no assessment on file)"
        verb = "was due" if overdue else "is due"
        found.append(
            Condition(
                kind="requalification_due",
                # One alert per due date: a new assessment moves the date and opens a new one.
                key=f"requalification_due:{supplier_id}:{due_on:%Y-%m-%d}",
                message=f"{codes[supplier_id]}: re-qualification {verb} on "
                f"{due_on:%Y-%m-%d}{basis}.",
                variant=OVERDUE if overdue else "base",
                supplier_id=supplier_id,
            )
        )
    return found
