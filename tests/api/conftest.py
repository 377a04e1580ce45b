"""A small world for API tests: two suppliers sharing a part, each with an order."""

import datetime as dt
from decimal import Decimal

import pytest
from rest_framework.authtoken.models import Token

from inventory.models import InventoryReject
from parts.models import InspectionCharacteristic
from tests.factories import (
    ApprovedSourceFactory,
    ContractFactory,
    FxRateFactory,
    InspectionFactory,
    InventoryPositionFactory,
    PartFactory,
    PurchaseOrderFactory,
    PurchaseOrderLineFactory,
    ReceiptFactory,
    SiteFactory,
)


@pytest.fixture
def world(supplier_a, supplier_b):
    """ACME and BOLT both supply P-1; P-2 only ACME, P-3 only BOLT; P-4 has no source.

    Each supplier has a contract, an order with two lines (PO-A1, PO-B1), a receipt with an
    inspection (GR-A1, GR-B1) and a ship notice. ACME also has PO-A2 (nothing received yet)
    and GR-A2 (not inspected).
    """
    from purchasing.models import ShipNotice, ShipNoticeLine

    shared = PartFactory(number="P-1", name="Shared bracket")
    only_a = PartFactory(number="P-2", name="Acme housing")
    only_b = PartFactory(number="P-3", name="Bolt shaft")
    PartFactory(number="P-4", name="Unsourced part")
    InspectionCharacteristic.objects.create(part=shared, code="DIM", description="Dimensions")
    InspectionCharacteristic.objects.create(part=shared, code="SURF", description="Surface")
    source_a = ApprovedSourceFactory(
        part=shared, supplier=supplier_a, target_share_pct=Decimal("60"), unit_price=Decimal("9")
    )
    source_b = ApprovedSourceFactory(
        part=shared, supplier=supplier_b, target_share_pct=Decimal("40"), unit_price=Decimal("11")
    )
    ApprovedSourceFactory(part=only_a, supplier=supplier_a, target_share_pct=Decimal("100"))
    ApprovedSourceFactory(part=only_b, supplier=supplier_b, target_share_pct=Decimal("100"))
    contract_a = ContractFactory(supplier=supplier_a, reference="C-ACME")
    contract_b = ContractFactory(supplier=supplier_b, reference="C-BOLT")
    po_a = PurchaseOrderFactory(number="PO-A1", supplier=supplier_a)
    po_b = PurchaseOrderFactory(number="PO-B1", supplier=supplier_b, currency="USD")
    line_a1 = PurchaseOrderLineFactory(purchase_order=po_a, line_number=1, part=shared)
    line_a2 = PurchaseOrderLineFactory(purchase_order=po_a, line_number=2, part=only_a)
    line_b1 = PurchaseOrderLineFactory(purchase_order=po_b, line_number=1, part=shared)
    PurchaseOrderLineFactory(purchase_order=po_b, line_number=2, part=only_b)
    po_a2 = PurchaseOrderFactory(number="PO-A2", supplier=supplier_a)
    line_a3 = PurchaseOrderLineFactory(purchase_order=po_a2, line_number=1, part=only_a)
    receipt_a = ReceiptFactory(number="GR-A1", line=line_a1)
    ReceiptFactory(number="GR-A2", line=line_a2, quantity=Decimal("20"))
    receipt_b = ReceiptFactory(number="GR-B1", line=line_b1, cost_currency="USD")
    inspection_a = InspectionFactory(receipt=receipt_a)
    inspection_b = InspectionFactory(receipt=receipt_b)
    notice_a = ShipNotice.objects.create(
        supplier=supplier_a, number="ASN-1", ship_date=dt.date(2026, 2, 1), eta=dt.date(2026, 2, 8)
    )
    ShipNoticeLine.objects.create(ship_notice=notice_a, line=line_a2, quantity=Decimal("50"))
    notice_b = ShipNotice.objects.create(
        supplier=supplier_b, number="ASN-1", ship_date=dt.date(2026, 2, 2), eta=dt.date(2026, 2, 9)
    )
    ShipNoticeLine.objects.create(ship_notice=notice_b, line=line_b1, quantity=Decimal("10"))
    fx = FxRateFactory(currency="USD", date=dt.date(2026, 1, 1), rate=Decimal("0.9"))
    stock = InventoryPositionFactory(part=shared, site="PLANT-1")
    SiteFactory(code="PLANT-2")
    InventoryReject.objects.create(
        topic="dualsource/stock/PLANT-1/P-NOPE",
        payload='{"on_hand": 5}',
        reason="No part P-NOPE.",
        received_at=dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC),
    )
    return {
        "parts": (shared, only_a, only_b),
        "sources": (source_a, source_b),
        "contracts": (contract_a, contract_b),
        "orders": (po_a, po_b, po_a2),
        "lines": (line_a1, line_a2, line_b1, line_a3),
        "receipts": (receipt_a, receipt_b),
        "inspections": (inspection_a, inspection_b),
        "notices": (notice_a, notice_b),
        "fx": fx,
        "stock": stock,
    }


@pytest.fixture
def token_for():
    """`Authorization: Token <key>` headers for a user, as an ERP would send them."""

    def make(user):
        token, _ = Token.objects.get_or_create(user=user)
        return {"HTTP_AUTHORIZATION": f"Token {token.key}"}

    return make
