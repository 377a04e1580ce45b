"""The inventory position per part × site: the latest reading, plus what is in transit to
that site and on order for it; stale sensors; days of cover (docs/inventory.md)."""

import datetime as dt
from decimal import Decimal

import pytest

from inventory.selectors import days_of_cover, inventory_positions
from purchasing.models import PurchaseOrderLine, ShipNotice, ShipNoticeLine
from tests.factories import (
    InventoryPositionFactory,
    PartFactory,
    PurchaseOrderLineFactory,
    ReceiptFactory,
    SiteFactory,
    SupplierFactory,
)

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)


def line_to(site, part, quantity, **kwargs):
    return PurchaseOrderLineFactory(
        purchase_order__site=site,
        purchase_order__number=f"PO-{site.code}-{PurchaseOrderLine.objects.count()}",
        part=part,
        quantity=Decimal(quantity),
        **kwargs,
    )


def ship(line, quantity, number):
    notice = ShipNotice.objects.create(
        supplier=line.purchase_order.supplier,
        number=number,
        ship_date=NOW.date(),
        eta=NOW.date() + dt.timedelta(days=3),
    )
    ShipNoticeLine.objects.create(ship_notice=notice, line=line, quantity=Decimal(quantity))
    return notice


def positions(**filters):
    return {(p.part.number, p.site.code): p for p in inventory_positions(now=NOW).filter(**filters)}


@pytest.fixture
def stock():
    part = PartFactory(number="P-1")
    hamburg, wroclaw = SiteFactory(code="HAM"), SiteFactory(code="WRO")
    InventoryPositionFactory(
        part=part, site=hamburg, on_hand=100, read_at=NOW - dt.timedelta(hours=2)
    )
    InventoryPositionFactory(
        part=part, site=hamburg, on_hand=30, read_at=NOW - dt.timedelta(hours=1)
    )
    # Recorded last, read earliest: an out-of-order reading does not become the position.
    InventoryPositionFactory(
        part=part, site=hamburg, on_hand=999, read_at=NOW - dt.timedelta(hours=3)
    )
    InventoryPositionFactory(
        part=part, site=wroclaw, on_hand=50, read_at=NOW - dt.timedelta(hours=5)
    )
    return part, hamburg, wroclaw


def test_on_hand_is_the_latest_reading_by_read_time(stock):
    found = positions()
    assert {key: p.on_hand for key, p in found.items()} == {
        ("P-1", "HAM"): Decimal("30"),
        ("P-1", "WRO"): Decimal("50"),
    }


def test_in_transit_and_on_order_count_only_what_goes_to_that_site(stock):
    part, hamburg, wroclaw = stock
    supplier = SupplierFactory()
    # Hamburg, line 1: 100 ordered, 40 shipped, 10 of them received → 30 in transit, 60 not shipped.
    first = line_to(hamburg, part, "100", purchase_order__supplier=supplier)
    notice = ship(first, "40", "ASN-1")
    ReceiptFactory(line=first, ship_notice=notice, quantity=Decimal("10"))
    # Hamburg, line 2: 100 ordered, 25 received without a notice → 75 still on order.
    second = line_to(hamburg, part, "100", purchase_order__supplier=supplier)
    ReceiptFactory(line=second, quantity=Decimal("25"))
    # A closed line counts for nothing; Wrocław's own line only for Wrocław.
    line_to(hamburg, part, "50", purchase_order__supplier=supplier, status="closed")
    line_to(wroclaw, part, "20", purchase_order__supplier=supplier)

    found = positions()
    ham, wro = found[("P-1", "HAM")], found[("P-1", "WRO")]
    assert (ham.in_transit, ham.on_order) == (Decimal("30"), Decimal("135"))
    assert (wro.in_transit, wro.on_order) == (Decimal("0"), Decimal("20"))
    assert ham.available == Decimal("60")  # 30 on hand + 30 in transit


def test_over_shipment_leaves_nothing_on_order(stock):
    part, hamburg, _ = stock
    line = line_to(hamburg, part, "10")
    ship(line, "12", "ASN-9")
    ham = positions()[("P-1", "HAM")]
    assert (ham.in_transit, ham.on_order) == (Decimal("12"), Decimal("0"))


def test_a_sensor_silent_longer_than_the_setting_is_stale(stock, settings):
    part, hamburg, wroclaw = stock
    settings.DUALSOURCE_SENSOR_STALE_HOURS = 6
    InventoryPositionFactory(
        part=part, site=hamburg, source="iot", sensor="bin-1", read_at=NOW - dt.timedelta(hours=7)
    )
    InventoryPositionFactory(
        part=part, site=wroclaw, source="iot", sensor="bin-2", read_at=NOW - dt.timedelta(hours=5)
    )
    found = positions()
    assert found[("P-1", "HAM")].stale is True  # the later ERP reading does not feed the sensor
    assert found[("P-1", "WRO")].stale is False
    assert set(positions(stale=True)) == {("P-1", "HAM")}
    settings.DUALSOURCE_SENSOR_STALE_HOURS = 8
    assert not positions(stale=True)


def test_a_part_without_a_sensor_is_never_stale(stock):
    assert not positions(stale=True)


def test_days_of_cover_from_the_last_thirty_days_of_use():
    part, site = PartFactory(), SiteFactory(code="STR")
    InventoryPositionFactory(part=part, site=site, on_hand=100, read_at=NOW - dt.timedelta(days=10))
    InventoryPositionFactory(part=part, site=site, on_hand=50, read_at=NOW)
    [position] = inventory_positions(now=NOW)
    assert days_of_cover(position) == Decimal("10.0")  # 50 used in 10 days: 5 a day
    # 20 received at that site in between: 70 used, 7 a day.
    ReceiptFactory(line=line_to(site, part, "20"), quantity=Decimal("20"), receipt_date=NOW.date())
    [position] = inventory_positions(now=NOW)
    assert days_of_cover(position) == Decimal("7.1")


def test_days_of_cover_is_empty_without_use_or_history():
    part, site = PartFactory(), SiteFactory(code="STR")
    InventoryPositionFactory(part=part, site=site, on_hand=50, read_at=NOW)
    [position] = inventory_positions(now=NOW)
    assert days_of_cover(position) is None


def test_the_api_lists_positions_with_filters(stock, api_for, buyer):
    part, hamburg, _ = stock
    InventoryPositionFactory(
        part=part,
        site=hamburg,
        on_hand=5,
        safety_stock=10,
        reorder_point=40,
        read_at=NOW + dt.timedelta(minutes=1),
    )
    api = api_for(buyer)
    rows = api.get("/api/v1/inventory-positions/").json()["results"]
    assert [(r["part"], r["site"], r["on_hand"]) for r in rows] == [
        ("P-1", "HAM", "5.000"),
        ("P-1", "WRO", "50.000"),
    ]
    assert {"in_transit", "on_order", "stale", "safety_stock", "reorder_point"} <= set(rows[0])
    low = api.get("/api/v1/inventory-positions/?below_safety_stock=true").json()["results"]
    assert [r["site"] for r in low] == ["HAM"]
    only = api.get("/api/v1/inventory-positions/?site=wro&part=P-1").json()["results"]
    assert [r["site"] for r in only] == ["WRO"]
    assert api.get("/api/v1/inventory-positions/?stale=true").json()["count"] == 0
