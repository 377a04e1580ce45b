"""Alert conditions about supplier invoices (docs/invoices.md): an invoice the three-way
match did not approve waits for a buyer. One query; internal (contacts never see it)."""

import datetime as dt

from alerts.conditions.base import Condition
from invoicing.models import Invoice


def invoice_mismatch_conditions(*, now: dt.datetime, today: dt.date) -> list[Condition]:
    """One condition per invoice in exception; it clears when a buyer decides or the
    re-match approves it."""
    rows = (
        Invoice.objects.filter(status=Invoice.Status.EXCEPTION)
        .order_by("pk")
        .values_list("pk", "number", "supplier_id", "supplier__code")
    )
    return [
        Condition(
            kind="invoice_mismatch",
            key=f"invoice_mismatch:{pk}",
            message=f"Invoice {number} from {code} does not match its order and receipts; "
            "a buyer approves or rejects it.",
            supplier_id=supplier_id,
        )
        for pk, number, supplier_id, code in rows
    ]
