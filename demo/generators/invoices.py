"""Demo supplier invoices in every state, built through the invoicing services: approved by
the engine, a mismatch waiting for a buyer, one a buyer approved with a reason, a rejected
one and its correction, a paid one, one not matched yet, and one that ran ahead of its
goods (plus one that did and matched once they came). The same every run."""

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model

from invoicing.selectors import order_lines_billing
from invoicing.services import (
    BilledLine,
    invoice_approve,
    invoice_mark_paid,
    invoice_reject,
    invoice_submit,
    invoices_rematch_lines,
)
from purchasing.models import PurchaseOrderLine
from purchasing.services import kpi_refresh_deferred, receipt_create
from suppliers.models import SupplierContact


def _lines(supplier, **filters):
    return list(
        order_lines_billing(
            PurchaseOrderLine.objects.filter(purchase_order__supplier=supplier)
            .exclude(status=PurchaseOrderLine.Status.CANCELLED)
            .select_related("purchase_order")
        )
        .filter(**filters)
        .order_by("purchase_order__order_date", "purchase_order__number", "line_number")
    )


def _submit(contact, number, today, billed, **extra):
    supplier = contact.supplier
    line = billed[0][0]
    return invoice_submit(
        supplier=supplier,
        number=f"{supplier.code}-{number}",
        invoice_date=today - dt.timedelta(days=extra.pop("days_ago", 3)),
        currency=line.purchase_order.currency,
        lines=[BilledLine(ln, Decimal(q), Decimal(p)) for ln, q, p in billed],
        actor=contact.user,
        **extra,
    )


def invoices_seed(*, today: dt.date) -> str:
    """Invoices from the two demo contacts' suppliers; returns a one-line summary."""
    buyer = get_user_model().objects.filter(username="buyer").first()
    contacts = list(
        SupplierContact.objects.filter(user__username__in=["supplier1", "supplier2"])
        .select_related("supplier", "user")
        .order_by("user__username")
    )
    made = []
    for index, contact in enumerate(contacts):
        received = _lines(contact.supplier, received__gte=1, invoiced=0)[-8:]
        if len(received) < 5:
            continue
        full = [(ln, ln.received, ln.unit_price) for ln in received]
        made.append(_submit(contact, "INV-1", today, full[:1], days_ago=40))
        invoice_mark_paid(invoice=made[-1], paid_at=today - dt.timedelta(days=10))
        made.append(_submit(contact, "INV-2", today, full[1:2], days_ago=5))
        dearer = [(full[2][0], full[2][1], full[2][2] * Decimal("1.04"))]
        made.append(_submit(contact, "INV-3", today, dearer, days_ago=4))
        if index == 0:
            invoice_approve(invoice=made[-1], user=buyer, reason="Surcharge agreed for rush")
        wrong = [(full[3][0], full[3][1] + 5, full[3][2])]
        rejected = _submit(contact, "INV-4", today, wrong, days_ago=6)
        invoice_reject(invoice=rejected, user=buyer, reason="Billed 5 more than we received.")
        made += [rejected, _submit(contact, "INV-4C", today, full[3:4], corrects=rejected)]
        made.append(_submit(contact, "INV-5", today, full[4:5], days_ago=1, match=False))
        made += _ahead_of_goods(contact, today)
    states = {}
    for invoice in made:
        invoice.refresh_from_db()
        states[invoice.status] = states.get(invoice.status, 0) + 1
    return ", ".join(f"{count} {status}" for status, count in sorted(states.items()))


def _ahead_of_goods(contact, today) -> list:
    """An invoice for goods not received yet (an exception until they come), and one whose
    goods then arrived: the re-match approves it by itself."""
    waiting = _lines(contact.supplier, received=0, status=PurchaseOrderLine.Status.OPEN)[:2]
    made = []
    for number, line in zip(("INV-6", "INV-7"), waiting, strict=False):
        made.append(_submit(contact, number, today, [(line, line.quantity, line.unit_price)]))
    if len(waiting) == 2:
        line = waiting[1]
        with kpi_refresh_deferred():  # the demo recomputes every KPI once at the end
            receipt_create(
                number=f"GR-{contact.supplier.code}-INV7",
                line=line,
                receipt_date=today - dt.timedelta(days=1),
                quantity=line.quantity,
            )
        invoices_rematch_lines(line_ids=[line.pk])
    return made
