"""A small order history for prediction tests, written in bulk (facts only)."""

import datetime as dt
import itertools
from decimal import Decimal

from purchasing.models import PurchaseOrder, PurchaseOrderLine, Receipt

_numbers = itertools.count(1)


def line_add(
    *,
    supplier,
    part,
    ordered: dt.date,
    promised: dt.date,
    quantity: int = 100,
    received: dt.date | None = None,
    received_quantity: int | None = None,
    acknowledged: bool = True,
    status: str = PurchaseOrderLine.Status.OPEN,
) -> PurchaseOrderLine:
    """One order with one line; a receipt on `received` (the whole quantity by default)."""
    n = next(_numbers)
    order = PurchaseOrder.objects.create(
        number=f"T-{n:06d}", supplier=supplier, order_date=ordered, currency="EUR"
    )
    acknowledged_at = None
    if acknowledged:
        acknowledged_at = dt.datetime.combine(ordered, dt.time(12), tzinfo=dt.UTC)
    line = PurchaseOrderLine.objects.create(
        purchase_order=order,
        line_number=10,
        part=part,
        quantity=Decimal(quantity),
        unit_price=Decimal("1"),
        requested_date=promised,
        promised_date=promised,
        expected_date=promised,
        acknowledged_at=acknowledged_at,
        status=status,
    )
    if received is not None:
        receipt_add(line=line, day=received, quantity=received_quantity or quantity)
    return line


def receipt_add(*, line, day: dt.date, quantity) -> Receipt:
    return Receipt.objects.create(
        number=f"GR-T{next(_numbers):07d}",
        line=line,
        receipt_date=day,
        quantity=Decimal(quantity),
        cost_currency="EUR",
    )
