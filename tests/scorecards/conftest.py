"""Builders for KPI scenarios: order lines, receipts and inspections in a few words."""

import datetime as dt
from decimal import Decimal

import pytest

from scorecards.models import PartScorecard, SupplierScorecard
from scorecards.services import scorecard_recompute
from tests.factories import (
    InspectionFactory,
    PartFactory,
    PurchaseOrderFactory,
    PurchaseOrderLineFactory,
    ReceiptFactory,
)

AS_OF = dt.date(2026, 3, 31)


class Kpi:
    """Build facts for one scenario, recompute, and read the resulting rows."""

    def __init__(self, default_supplier):
        self.default_supplier = default_supplier
        self.part = PartFactory(number="P-KPI")

    def line(
        self,
        *,
        promised: dt.date = dt.date(2026, 2, 10),
        quantity="100",
        supplier=None,
        part=None,
        order_date: dt.date = dt.date(2026, 1, 5),
        unit_price="10",
        currency="EUR",
        status="open",
    ):
        po = PurchaseOrderFactory(
            supplier=supplier or self.default_supplier, order_date=order_date, currency=currency
        )
        return PurchaseOrderLineFactory(
            purchase_order=po,
            part=part or self.part,
            quantity=Decimal(quantity),
            unit_price=Decimal(unit_price),
            requested_date=promised,
            promised_date=promised,
            expected_date=promised,
            status=status,
        )

    def receive(
        self, line, day: dt.date, quantity, *, freight="0", duty="0", other="0", cost_currency="EUR"
    ):
        return ReceiptFactory(
            line=line,
            receipt_date=day,
            quantity=Decimal(quantity),
            freight=Decimal(freight),
            duty=Decimal(duty),
            other_costs=Decimal(other),
            cost_currency=cost_currency,
        )

    def inspect(self, receipt, inspected, defective, *, day: dt.date | None = None):
        return InspectionFactory(
            receipt=receipt,
            inspection_date=day or receipt.receipt_date,
            inspected_quantity=Decimal(inspected),
            defective_quantity=Decimal(defective),
        )

    def recompute(self, as_of: dt.date = AS_OF, **kwargs):
        return scorecard_recompute(as_of=as_of, **kwargs)

    def card(self, period: str = "2026-02", supplier=None) -> SupplierScorecard:
        return SupplierScorecard.objects.get(
            supplier=supplier or self.default_supplier, period=period
        )

    def part_card(self, period: str = "2026-02", supplier=None, part=None) -> PartScorecard:
        return PartScorecard.objects.get(
            supplier=supplier or self.default_supplier, part=part or self.part, period=period
        )


@pytest.fixture
def kpi(supplier_a):
    return Kpi(supplier_a)
