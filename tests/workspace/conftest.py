"""A small supply base with figures: two sources of one part, one single-sourced part."""

import datetime as dt
from decimal import Decimal

import pytest

from scorecards.services import scorecard_recompute
from tests.factories import (
    ApprovedSourceFactory,
    ContractFactory,
    InspectionFactory,
    PartFactory,
    PurchaseOrderLineFactory,
    ReceiptFactory,
    SupplierFactory,
)

AS_OF = dt.date(2026, 3, 31)


def deliveries(supplier, part, *, month: int, delays: list[int], defective: str = "0"):
    """One line per delay, received that many days after its promised date, inspected."""
    lines = []
    for index, delay in enumerate(delays):
        promised = dt.date(2026, month, 5 + index)
        line = PurchaseOrderLineFactory(
            purchase_order__supplier=supplier,
            purchase_order__order_date=promised - dt.timedelta(days=30),
            part=part,
            requested_date=promised,
        )
        receipt = ReceiptFactory(line=line, receipt_date=promised + dt.timedelta(days=delay))
        InspectionFactory(receipt=receipt, defective_quantity=Decimal(defective))
        lines.append(line)
    return lines


@pytest.fixture
def supply_base(supplier_a, supplier_b):
    """ACME delivers on time; BOLT late (2 days tolerance by contract). P-SOLO has one source."""
    shared = PartFactory(number="P-SHARED", name="Shared bracket")
    solo = PartFactory(number="P-SOLO", name="Solo housing")
    ApprovedSourceFactory(part=shared, supplier=supplier_a, target_share_pct=Decimal("70"))
    ApprovedSourceFactory(
        part=shared, supplier=supplier_b, target_share_pct=Decimal("30"), unit_price=Decimal("12.5")
    )
    ApprovedSourceFactory(part=solo, supplier=supplier_a, target_share_pct=Decimal("100"))
    ContractFactory(supplier=supplier_b, reference="C-BOLT", late_tolerance_days=2)
    for month in (2, 3):
        deliveries(supplier_a, shared, month=month, delays=[0, 0, -1, 0, 0, 0])
        deliveries(supplier_a, solo, month=month, delays=[0, 1], defective="2")
        deliveries(supplier_b, shared, month=month, delays=[1, 3, 7, 2], defective="5")
    # Due after the as-of date: counted nowhere yet; cancelled: counted nowhere ever.
    PurchaseOrderLineFactory(
        purchase_order__supplier=supplier_a, part=shared, requested_date=dt.date(2026, 4, 20)
    )
    cancelled = PurchaseOrderLineFactory(
        purchase_order__supplier=supplier_b,
        part=shared,
        requested_date=dt.date(2026, 3, 20),
        status="cancelled",
    )
    ReceiptFactory(line=cancelled)
    scorecard_recompute(as_of=AS_OF)
    return {"shared": shared, "solo": solo}


@pytest.fixture
def many_suppliers(supply_base):
    """Eighteen more suppliers with figures: page query counts must not grow with them."""
    part = supply_base["shared"]
    for _ in range(18):
        supplier = SupplierFactory()
        deliveries(supplier, part, month=3, delays=[0, 4])
    scorecard_recompute(as_of=AS_OF)
    return supply_base
