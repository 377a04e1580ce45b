"""Invoice writes: submit (checked, then matched), the engine's re-match, a buyer's
decision, and the ERP's payment (docs/invoices.md). Every entry point calls these."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core import task_names
from core.iso_codes import CURRENCY_CODES
from core.tasks import task_queue_safely
from invoicing.matching import invoices_compare
from invoicing.models import MATCH_OK, Invoice, InvoiceLine
from purchasing.models import PurchaseOrderLine

PAYMENT_DAYS = 30  # due date when the invoice names none
MATCHABLE = (Invoice.Status.SUBMITTED, Invoice.Status.EXCEPTION)
DECIDABLE = (Invoice.Status.SUBMITTED, Invoice.Status.EXCEPTION)
MATCH_FIELDS = [
    "match",
    "ordered_quantity",
    "received_quantity",
    "invoiced_before",
    "expected_price",
]


@dataclass(frozen=True)
class BilledLine:
    """One line of an invoice as submitted: an order line, how many, at what price."""

    line: PurchaseOrderLine
    quantity: Decimal
    unit_price: Decimal


def invoice_lines_check(*, supplier, lines: list[BilledLine]) -> dict[int, dict[str, list[str]]]:
    """Line errors by index: the supplier's own, not cancelled, once per invoice, positive."""
    errors: dict[int, dict[str, list[str]]] = {}
    seen: dict[int, int] = {}
    for index, billed in enumerate(lines):
        line, problems = billed.line, {}
        name = f"{line.purchase_order.number}/{line.line_number}"
        if line.purchase_order.supplier_id != supplier.pk:
            problems["line"] = [f"{name} is not an order line of {supplier.code}."]
        elif line.status == PurchaseOrderLine.Status.CANCELLED:
            problems["line"] = [f"{name} is cancelled; it cannot be invoiced."]
        elif line.pk in seen:
            problems["line"] = [f"{name} appears twice (lines {seen[line.pk]} and {index})."]
        seen.setdefault(line.pk, index)
        if billed.quantity is None or billed.quantity <= 0:
            problems["quantity"] = ["Must be more than zero."]
        if billed.unit_price is None or billed.unit_price < 0:
            problems["unit_price"] = ["Must not be negative."]
        if problems:
            errors[index] = problems
    return errors


def _header_errors(*, supplier, number, invoice_date, due_date, currency, corrects, charges):
    errors = {}
    if not number:
        errors["number"] = ["This field is required."]
    elif Invoice.objects.filter(supplier=supplier, number=number).exists():
        errors["number"] = [f"{supplier.code} already sent invoice {number}."]
    if currency not in CURRENCY_CODES:
        errors["currency"] = [f"'{str(currency)[:8]}' is not an ISO 4217 currency code."]
    if due_date is not None and due_date < invoice_date:
        errors["due_date"] = ["The due date cannot be before the invoice date."]
    if corrects is not None and (
        corrects.supplier_id != supplier.pk or corrects.status != Invoice.Status.REJECTED
    ):
        errors["corrects"] = ["Only a rejected invoice of the same supplier can be corrected."]
    for name, value in charges.items():
        if value is not None and value < 0:
            errors[name] = ["Must not be negative."]
    return errors


@transaction.atomic
def invoice_submit(
    *,
    supplier,
    number: str,
    invoice_date: dt.date,
    currency: str,
    lines: list[BilledLine],
    freight=Decimal(0),
    other_charges=Decimal(0),
    due_date: dt.date | None = None,
    corrects: Invoice | None = None,
    actor=None,
    match: bool = True,
) -> Invoice:
    """Record a supplier invoice and match it at once: nothing is written if any check
    fails (a ValidationError with field errors; `lines` errors name the line)."""
    currency = (currency or "").upper()
    if corrects is not None:  # its state as stored, not as the caller last saw it
        corrects = Invoice.objects.filter(pk=corrects.pk).first()
    freight, other_charges = freight or Decimal(0), other_charges or Decimal(0)
    errors = _header_errors(
        supplier=supplier,
        number=number,
        invoice_date=invoice_date,
        due_date=due_date,
        currency=currency,
        corrects=corrects,
        charges={"freight": freight, "other_charges": other_charges},
    )
    line_errors = _billed_lines_errors(supplier=supplier, lines=lines)
    if line_errors:
        errors["lines"] = line_errors
    if errors:
        raise ValidationError(errors)
    invoice = Invoice(
        supplier=supplier,
        number=number,
        invoice_date=invoice_date,
        due_date=due_date or invoice_date + dt.timedelta(days=PAYMENT_DAYS),
        currency=currency,
        freight=freight,
        other_charges=other_charges,
        total_amount=_total(lines, freight, other_charges),
        corrects=corrects,
        submitted_by=actor,
    )
    invoice.full_clean(exclude=["supplier", "corrects", "submitted_by"])
    invoice.save()
    InvoiceLine.objects.bulk_create(
        InvoiceLine(invoice=invoice, line=b.line, quantity=b.quantity, unit_price=b.unit_price)
        for b in lines
    )
    if match:
        invoices_match(invoice_ids=[invoice.pk])
        invoice.refresh_from_db()
    return invoice


def _billed_lines_errors(*, supplier, lines: list[BilledLine]) -> list[str]:
    """The `lines` errors of a submission, each naming its line."""
    line_errors = invoice_lines_check(supplier=supplier, lines=lines)
    if not lines:
        return ["An invoice bills at least one order line."]
    return [
        f"Line {index}: {message}"
        for index, fields in line_errors.items()
        for messages in fields.values()
        for message in messages
    ]


def _total(lines: list[BilledLine], freight: Decimal, other_charges: Decimal) -> Decimal:
    """What an invoice bills: its lines plus freight and other charges."""
    lines_amount = sum((b.quantity * b.unit_price for b in lines), Decimal(0))
    return (lines_amount + freight + other_charges).quantize(Decimal("0.0001"))


def _matchable(invoice_ids: Iterable[int]):
    return (
        Invoice.objects.filter(pk__in=list(invoice_ids), status__in=MATCHABLE)
        .select_for_update(of=("self",))
        .prefetch_related("lines__line__purchase_order")
        .order_by("pk")
    )


@transaction.atomic
def invoices_match(*, invoice_ids: Iterable[int]) -> dict[str, int]:
    """Match invoices that wait for a decision (submitted or exception): every line matches
    → approved by the engine alone; else an exception for a buyer. Decided invoices are
    left alone, so running it twice on the same facts changes nothing."""
    invoice_ids = list(invoice_ids)
    if not invoice_ids:
        return {"approved": 0, "exception": 0}
    invoices = list(_matchable(invoice_ids))
    lines = invoices_compare(invoices)
    InvoiceLine.objects.bulk_update(lines, MATCH_FIELDS)
    now, counts = timezone.now(), {"approved": 0, "exception": 0}
    for invoice in invoices:
        invoice.matched_at = now
        if all(ln.match == MATCH_OK for ln in invoice.lines.all()):
            invoice.status = Invoice.Status.APPROVED
            invoice.approved_by_engine = True
            invoice.decided_at = now
            counts["approved"] += 1
        else:
            invoice.status = Invoice.Status.EXCEPTION
            invoice.exception_raised_at = invoice.exception_raised_at or now
            counts["exception"] += 1
    Invoice.objects.bulk_update(
        invoices,
        ["status", "matched_at", "approved_by_engine", "decided_at", "exception_raised_at"],
    )
    if counts["exception"]:
        # A mismatch is an alert for the buyers at once, not at the next scheduled scan.
        transaction.on_commit(
            lambda: task_queue_safely(task_names.ALERTS_SCAN, timezone.now().isoformat())
        )
    return counts


def invoices_rematch_lines(*, line_ids: Iterable[int]) -> dict[str, int]:
    """Goods arrived on these order lines: match again the invoices billing them that still
    wait (an invoice that ran ahead of its goods matches once they come)."""
    waiting = (
        InvoiceLine.objects.filter(line_id__in=list(line_ids), invoice__status__in=MATCHABLE)
        .values_list("invoice_id", flat=True)
        .distinct()
    )
    return invoices_match(invoice_ids=list(set(waiting)))


def invoices_match_waiting() -> dict[str, int]:
    """The scheduled catch-up: every invoice still submitted or in exception."""
    ids = Invoice.objects.filter(status__in=MATCHABLE).values_list("pk", flat=True)
    return invoices_match(invoice_ids=list(ids))


def _decide(*, invoice: Invoice, user, reason: str, status: str) -> Invoice:
    reason = (reason or "").strip()
    locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if locked.status not in DECIDABLE:
        raise ValidationError(
            {"status": f"Invoice {locked.number} is {locked.get_status_display().lower()}."}
        )
    if not reason:
        raise ValidationError({"reason": "Give the reason; the supplier sees it."})
    locked.status = status
    locked.decided_by = user
    locked.decided_at = timezone.now()
    locked.reason = reason[:2000]
    locked.approved_by_engine = False
    locked.save(
        update_fields=["status", "decided_by", "decided_at", "reason", "approved_by_engine"]
    )
    return locked


@transaction.atomic
def invoice_approve(*, invoice: Invoice, user, reason: str) -> Invoice:
    """A buyer approves an invoice the engine could not (a reason is required)."""
    return _decide(invoice=invoice, user=user, reason=reason, status=Invoice.Status.APPROVED)


@transaction.atomic
def invoice_reject(*, invoice: Invoice, user, reason: str) -> Invoice:
    """A buyer rejects an invoice; the supplier sees the reason and may send a correction.
    What it billed is free again, so later invoices waiting on its lines are matched again."""
    rejected = _decide(invoice=invoice, user=user, reason=reason, status=Invoice.Status.REJECTED)
    invoices_rematch_lines(line_ids=list(rejected.lines.values_list("line_id", flat=True)))
    return rejected


@transaction.atomic
def invoices_mark_paid(*, payments: list[tuple[Invoice, dt.date | None, str]]) -> list[Invoice]:
    """The ERP paid these approved invoices (all or nothing): (invoice, paid on, reference)."""
    errors = {}
    today = timezone.localdate()
    for index, (invoice, paid_at, _) in enumerate(payments):
        if invoice.status != Invoice.Status.APPROVED:
            label = invoice.get_status_display().lower()
            errors[index] = f"Invoice {invoice.number} is {label}; only approved ones are paid."
        elif paid_at is not None and paid_at > today:
            errors[index] = "The payment date cannot be in the future."
    if errors:
        raise ValidationError(
            {"status": [f"item {index}: {message}" for index, message in errors.items()]}
        )
    for invoice, paid_at, reference in payments:
        invoice.status = Invoice.Status.PAID
        invoice.paid_at = paid_at or today
        invoice.payment_reference = (reference or "")[:60]
    Invoice.objects.bulk_update(
        [p[0] for p in payments], ["status", "paid_at", "payment_reference"]
    )
    return [p[0] for p in payments]


def invoice_mark_paid(
    *, invoice: Invoice, paid_at: dt.date | None = None, reference: str = ""
) -> Invoice:
    return invoices_mark_paid(payments=[(invoice, paid_at, reference)])[0]
