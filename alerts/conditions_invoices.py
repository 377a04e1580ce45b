"""Alert conditions about supplier invoices (docs/invoices.md): an invoice the three-way
match did not approve waits for a buyer. One query; internal (contacts never see it)."""

from alerts.conditions import Condition
from alerts.models import Kind
from invoicing.models import Invoice


def invoice_mismatch_conditions() -> list[Condition]:
    """One condition per invoice in exception; it clears when a buyer decides or the
    re-match approves it."""
    rows = (
        Invoice.objects.filter(status=Invoice.Status.EXCEPTION)
        .order_by("pk")
        .values_list("pk", "number", "supplier_id", "supplier__code")
    )
    return [
        Condition(
            kind=Kind.INVOICE_MISMATCH,
            key=f"invoice_mismatch:{pk}",
            message=f"Invoice {number} from {code} does not match its order and receipts; "
            "a buyer approves or rejects it.",
            supplier_id=supplier_id,
        )
        for pk, number, supplier_id, code in rows
    ]
