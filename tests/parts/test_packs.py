"""Packaging: a source's pack size; the PO form, the demand split and ship notices count
whole packs and say when they rounded."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from parts.models import ApprovedSource
from parts.packs import pack_count, whole_packs
from purchasing.models import PurchaseOrderLine
from purchasing.services import ship_notice_create
from rules.services import demand_split
from tests.factories import (
    ApprovedSourceFactory,
    PartFactory,
    PurchaseOrderFactory,
    PurchaseOrderLineFactory,
)

pytestmark = pytest.mark.django_db


def test_whole_packs_round_up_and_a_pack_of_one_leaves_the_quantity():
    assert whole_packs(Decimal("130"), Decimal("50")) == Decimal("150")
    assert whole_packs(Decimal("150"), Decimal("50")) == Decimal("150")
    assert whole_packs(Decimal("2.5"), Decimal("1")) == Decimal("2.5")
    assert pack_count(Decimal("130"), Decimal("50")) == 3


def test_the_sources_api_reads_and_writes_the_pack_size(supplier_a, buyer, api_for):
    PartFactory(number="P-PACK")
    api = api_for(buyer)
    body = {"part": "P-PACK", "supplier": "ACME", "target_share_pct": "100",
            "unit_price": "2", "currency": "EUR", "lead_time_days": 10}  # fmt: skip
    created = api.post("/api/v1/sources/", body, format="json").json()
    assert Decimal(created["pack_size"]) == 1  # the default
    changed = api.patch(f"/api/v1/sources/{created['id']}/", {"pack_size": "25"}, format="json")
    assert Decimal(changed.json()["pack_size"]) == 25
    refused = api.patch(f"/api/v1/sources/{created['id']}/", {"pack_size": "0"}, format="json")
    assert refused.status_code == 400 and "pack_size" in refused.json()
    assert ApprovedSource.objects.get().pack_size == 25


def test_the_order_form_orders_whole_packs_and_says_so(supplier_a, buyer, client_for):
    part = PartFactory(number="P-PACK")
    ApprovedSourceFactory(part=part, supplier=supplier_a, pack_size=Decimal("50"))
    data = {"number": "PO-PACK", "supplier": "ACME", "order_date": "2026-04-01",
            "currency": "EUR", "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "1000",
            "lines-0-part": "P-PACK", "lines-0-quantity": "130", "lines-0-unit_price": "2",
            "lines-0-requested_date": "2026-05-01", "lines-0-status": "open"}  # fmt: skip
    client = client_for(buyer)
    response = client.post("/orders/new/", data, follow=True)
    line = PurchaseOrderLine.objects.get(purchase_order__number="PO-PACK")
    assert line.quantity == 150
    assert "Line 1: rounded up from 130 to 3 whole packs of 50." in response.content.decode()


def test_the_demand_split_orders_whole_packs_and_gives_the_reason(supplier_a, supplier_b):
    part = PartFactory(number="P-SPLIT")
    ApprovedSourceFactory(part=part, supplier=supplier_a, target_share_pct=60, pack_size=100)
    ApprovedSourceFactory(part=part, supplier=supplier_b, target_share_pct=40)
    with time_machine.travel(dt.datetime(2026, 3, 20, 9, tzinfo=dt.UTC), tick=False):
        split = demand_split(part=part, quantity=Decimal("1000"), need_date=dt.date(2026, 4, 15))
    lines = {line.supplier.code: line for line in split.lines}
    assert lines["ACME"].quantity == 600  # 600 is already six packs of 100
    assert lines["BOLT"].quantity == 400
    with time_machine.travel(dt.datetime(2026, 3, 20, 9, tzinfo=dt.UTC), tick=False):
        split = demand_split(part=part, quantity=Decimal("950"), need_date=dt.date(2026, 4, 15))
    lines = {line.supplier.code: line for line in split.lines}
    assert lines["ACME"].quantity == 600  # 570 → six packs of 100
    assert "rounded up from 570 to 6 whole packs of 100" in lines["ACME"].reason
    assert lines["BOLT"].quantity == 380
    assert any("30 more than the demand" in note for note in split.notes)


def test_a_ship_notice_declares_whole_packs(supplier_a):
    part = PartFactory(number="P-SHIP")
    ApprovedSourceFactory(part=part, supplier=supplier_a, pack_size=Decimal("24"))
    order = PurchaseOrderFactory(supplier=supplier_a)
    line = PurchaseOrderLineFactory(purchase_order=order, part=part, quantity=Decimal("100"))
    notice = ship_notice_create(
        supplier=supplier_a,
        number="ASN-1",
        ship_date=dt.date(2026, 2, 1),
        eta=dt.date(2026, 2, 5),
        lines=[(line, Decimal("50"))],
    )
    assert notice.lines.get().packs == 3  # 50 units in packs of 24
