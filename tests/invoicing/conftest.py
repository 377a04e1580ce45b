import datetime as dt
from decimal import Decimal

import pytest

from invoicing.services import BilledLine, invoice_submit
from tests.factories import (
    ApprovedSourceFactory,
    PartFactory,
    PurchaseOrderFactory,
    PurchaseOrderLineFactory,
    ReceiptFactory,
)

INVOICE_DATE = dt.date(2026, 3, 2)


@pytest.fixture
def part(db):
    return PartFactory(number="P-100", name="Housing")


@pytest.fixture
def order_a(supplier_a, part):
    ApprovedSourceFactory(part=part, supplier=supplier_a, unit_price=Decimal("10"))
    return PurchaseOrderFactory(number="PO-A1", supplier=supplier_a, currency="EUR")


@pytest.fixture
def line_a(order_a, part):
    """100 ordered at 10.00 EUR; 60 received."""
    line = PurchaseOrderLineFactory(
        purchase_order=order_a, line_number=1, part=part, quantity=Decimal("100")
    )
    ReceiptFactory(number="GR-A1", line=line, quantity=Decimal("60"))
    return line


@pytest.fixture
def order_b(supplier_b, part):
    order = PurchaseOrderFactory(number="PO-B1", supplier=supplier_b, currency="EUR")
    line = PurchaseOrderLineFactory(purchase_order=order, line_number=1, part=part)
    ReceiptFactory(number="GR-B1", line=line, quantity=Decimal("100"))
    return order


@pytest.fixture
def submit(supplier_a):
    def make(lines, *, number="INV-1", supplier=None, currency="EUR", day=INVOICE_DATE, **kw):
        return invoice_submit(
            supplier=supplier or supplier_a,
            number=number,
            invoice_date=day,
            currency=currency,
            lines=[BilledLine(line, Decimal(str(q)), Decimal(str(p))) for line, q, p in lines],
            **kw,
        )

    return make
