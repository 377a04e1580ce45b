"""Invoice reads: scoped lists, what a supplier may still bill, a PO's billing per line,
the exceptions among invoices, and the figures the automation rate adds up."""

import datetime as dt
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from accounts.selectors import scope_for_user
from invoicing.models import Invoice, InvoiceLine
from purchasing.models import PurchaseOrder, PurchaseOrderLine, Receipt

_QTY = DecimalField(max_digits=16, decimal_places=3)
BILLED = (
    Invoice.Status.SUBMITTED,
    Invoice.Status.EXCEPTION,
    Invoice.Status.APPROVED,
    Invoice.Status.PAID,
)


def invoice_list(*, user) -> QuerySet[Invoice]:
    return scope_for_user(
        Invoice.objects.select_related("supplier", "decided_by", "corrects"), user
    ).order_by("-invoice_date", "-id")


def invoice_detail_list(*, user) -> QuerySet[Invoice]:
    """Invoices with their lines, order lines and parts loaded (detail pages, API)."""
    lines = InvoiceLine.objects.select_related("line__purchase_order", "line__part")
    return invoice_list(user=user).prefetch_related(Prefetch("lines", queryset=lines))


def invoice_exception_queue(*, user) -> QuerySet[Invoice]:
    """Invoices waiting for a buyer's decision, oldest exception first (internal roles)."""
    return (
        invoice_detail_list(user=user)
        .filter(status=Invoice.Status.EXCEPTION)
        .order_by("exception_raised_at", "id")
    )


def _sum_of(queryset, field: str):
    return Coalesce(
        Subquery(
            queryset.values("line_id").annotate(total=Sum(field)).values("total")[:1],
            output_field=_QTY,
        ),
        Value(Decimal(0)),
        output_field=_QTY,
    )


def order_lines_billing(queryset: QuerySet[PurchaseOrderLine]) -> QuerySet[PurchaseOrderLine]:
    """Order lines with `received`, `invoiced` (not rejected) and `paid` quantities."""
    billed = InvoiceLine.objects.filter(line_id=OuterRef("pk"))
    return queryset.annotate(
        received=_sum_of(Receipt.objects.filter(line_id=OuterRef("pk")), "quantity"),
        invoiced=_sum_of(billed.filter(invoice__status__in=BILLED), "quantity"),
        paid=_sum_of(billed.filter(invoice__status=Invoice.Status.PAID), "quantity"),
    )


def purchase_order_billing(*, purchase_order: PurchaseOrder) -> QuerySet[PurchaseOrderLine]:
    """Each line of an order: ordered, received, invoiced and paid (one query)."""
    return order_lines_billing(purchase_order.lines.select_related("part").order_by("line_number"))


def order_lines_billable(*, user, supplier_id: int) -> list[PurchaseOrderLine]:
    """The supplier's order lines with goods received and not yet billed, oldest first; each
    carries `received`, `invoiced` and `billable` (received − invoiced)."""
    lines = order_lines_billing(
        scope_for_user(
            PurchaseOrderLine.objects.filter(purchase_order__supplier_id=supplier_id)
            .exclude(status=PurchaseOrderLine.Status.CANCELLED)
            .select_related("purchase_order", "part"),
            user,
        )
    ).order_by("purchase_order__order_date", "purchase_order__number", "line_number")
    found = []
    for line in lines.filter(received__gt=0):
        line.billable = line.received - line.invoiced
        if line.billable > 0:
            found.append(line)
    return found


def invoice_decision_counts(*, start: dt.datetime, end: dt.datetime) -> dict[str, int]:
    """Invoice decisions in [start, end) for the automation rate: invoices the engine
    approved alone, and exceptions raised for a buyer (those the engine later approved once
    the goods came count as the engine's, not as exceptions)."""
    applied = Q(approved_by_engine=True, decided_at__gte=start, decided_at__lt=end)
    raised = Q(
        approved_by_engine=False, exception_raised_at__gte=start, exception_raised_at__lt=end
    )
    counts = Invoice.objects.filter(applied | raised).aggregate(
        applied=Count("pk", filter=applied),
        exceptions=Count("pk", filter=raised),
        open=Count("pk", filter=raised & Q(status=Invoice.Status.EXCEPTION)),
    )
    return {name: counts[name] or 0 for name in ("applied", "exceptions", "open")}
