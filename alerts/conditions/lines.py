"""Open purchase-order lines: past due and not acknowledged."""

import datetime as dt

from django.db.models import (
    F,
    Q,
)

from alerts.conditions.base import (
    ACKNOWLEDGE_WITHIN_DAYS,
    BASE,
    PAST_DUE_CRITICAL_DAYS,
    SEVEN_DAYS_PAST,
    Condition,
    qty,
    received_per_line,
)
from parts.models import Part
from purchasing.models import PurchaseOrder, PurchaseOrderLine


def line_conditions(*, now: dt.datetime, today: dt.date) -> list[Condition]:
    """`line_past_due` and `line_not_acknowledged`: open lines not fully received.

    Three indexed queries (lines, then their orders and parts by id) rather than one join,
    so PostgreSQL never scans every order to find a few thousand open lines."""
    unconfirmed_by = today - dt.timedelta(days=ACKNOWLEDGE_WITHIN_DAYS)
    found = []
    for row in _lines_with_orders_and_parts(_open_lines(today=today)):
        found.extend(_line_row_conditions(row, today=today, unconfirmed_by=unconfirmed_by))
    return found


def _open_lines(*, today: dt.date) -> list[tuple]:
    """Open lines not fully received that are past their promised date or unconfirmed."""
    return list(
        PurchaseOrderLine.objects.filter(status=PurchaseOrderLine.Status.OPEN)
        .filter(Q(promised_date__lt=today) | Q(acknowledged_at__isnull=True))
        .annotate(received=received_per_line())
        .filter(received__lt=F("quantity"))
        .order_by()
        .values_list(
            "pk",
            "line_number",
            "purchase_order_id",
            "part_id",
            "quantity",
            "received",
            "promised_date",
            "acknowledged_at",
        )
    )


def _lines_with_orders_and_parts(lines: list[tuple]) -> list[tuple]:
    """Each line row joined in Python to its order (number, supplier, date) and part number:
    two queries by id, whatever the number of lines."""
    orders = {
        pk: (number, supplier_id, order_date)
        for pk, number, supplier_id, order_date in PurchaseOrder.objects.filter(
            pk__in={row[2] for row in lines}
        )
        .order_by()
        .values_list("pk", "number", "supplier_id", "order_date")
    }
    parts = dict(
        Part.objects.filter(pk__in={row[3] for row in lines}).order_by().values_list("pk", "number")
    )
    return [
        (
            line_id,
            line_number,
            po_id,
            *orders[po_id][:2],
            orders[po_id][2],
            part_id,
            parts[part_id],
            quantity,
            received,
            promised,
            acknowledged_at,
        )
        for line_id, line_number, po_id, part_id, quantity, received, promised, acknowledged_at in (
            lines
        )
    ]


def _line_row_conditions(row: tuple, *, today: dt.date, unconfirmed_by: dt.date) -> list[Condition]:
    """The conditions that hold for one joined line row (no query)."""
    (
        line_id,
        line_number,
        po_id,
        po_number,
        supplier_id,
        order_date,
        part_id,
        part_number,
        quantity,
        received,
        promised,
        acknowledged_at,
    ) = row
    refs = {
        "supplier_id": supplier_id,
        "part_id": part_id,
        "purchase_order_id": po_id,
        "line_id": line_id,
    }
    name = f"{po_number}/{line_number} ({part_number})"
    found = []
    if promised < today:
        late = (today - promised).days
        found.append(
            Condition(
                kind="line_past_due",
                key=f"line_past_due:{line_id}",
                variant=(SEVEN_DAYS_PAST if late >= PAST_DUE_CRITICAL_DAYS else BASE),
                message=f"{name}: {qty(quantity - received)} of {qty(quantity)} still "
                f"open, {late} day{'s' if late != 1 else ''} past the promised date "
                f"{promised:%Y-%m-%d}.",
                **refs,
            )
        )
    if acknowledged_at is None and order_date <= unconfirmed_by:
        found.append(
            Condition(
                kind="line_not_acknowledged",
                key=f"line_not_acknowledged:{line_id}",
                message=f"{name}: not confirmed by the supplier since the order of "
                f"{order_date:%Y-%m-%d}.",
                **refs,
            )
        )
    return found
