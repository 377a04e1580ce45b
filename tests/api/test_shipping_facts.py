"""A supplier contact reports; the plant's facts decide: ship notices cannot exceed what
is open on a line, and only receipts or a buyer make a notice delivered."""

import datetime as dt
from decimal import Decimal

import pytest

from alerts.kinds import Kind
from alerts.models import Alert
from alerts.services import alerts_scan
from purchasing.models import PurchaseOrderLine, Receipt, ShipNotice, ShipNoticeLine
from purchasing.services import receipts_create
from tests.factories import PurchaseOrderFactory, PurchaseOrderLineFactory, ReceiptFactory

NOW = dt.datetime(2026, 3, 20, 9, 0, tzinfo=dt.UTC)


def _asn(number, quantity, po="PO-A1", line=1):
    return {
        "number": number,
        "ship_date": "2026-02-03",
        "eta": "2026-02-09",
        "lines": [{"purchase_order": po, "line": line, "quantity": quantity}],
    }


def test_a_notice_cannot_ship_more_than_is_open(world, api_for, contact_a):
    # PO-A2/1 orders 100, nothing received, nothing on a notice yet.
    api = api_for(contact_a)
    response = api.post("/api/v1/ship-notices/", _asn("ASN-BIG", "9999999", "PO-A2"), format="json")
    assert response.status_code == 400
    assert "lines" in response.json()
    assert (
        api.post("/api/v1/ship-notices/", _asn("ASN-60", "60", "PO-A2"), format="json").status_code
        == 201
    )
    # 100 − 0 received − 60 in transit = 40 left.
    over = api.post("/api/v1/ship-notices/", _asn("ASN-41", "41", "PO-A2"), format="json")
    assert over.status_code == 400
    assert "40" in str(over.json()["lines"])
    assert (
        api.post("/api/v1/ship-notices/", _asn("ASN-40", "40", "PO-A2"), format="json").status_code
        == 201
    )


def test_received_quantities_and_receipts_against_notices_count_once(world, api_for, contact_a):
    # PO-A1/2 orders 100, GR-A2 received 20; ASN-1 carries 50 of it, in transit.
    api = api_for(contact_a)
    assert (
        api.post("/api/v1/ship-notices/", _asn("ASN-31", "31", line=2), format="json").status_code
        == 400
    )
    line = world["lines"][1]
    ReceiptFactory(
        number="GR-ON-ASN", line=line, quantity=Decimal("50"), ship_notice=world["notices"][0]
    )
    # The notice's 50 arrived (counted once, as received): 100 − 70 = 30 open.
    assert (
        api.post("/api/v1/ship-notices/", _asn("ASN-30", "30", line=2), format="json").status_code
        == 201
    )


def test_correcting_a_notice_does_not_count_its_own_lines(world, api_for, contact_a):
    notice = world["notices"][0]  # 50 of PO-A1/2 (100 ordered, 20 received)
    response = api_for(contact_a).patch(
        f"/api/v1/ship-notices/{notice.pk}/",
        {"lines": [{"purchase_order": "PO-A1", "line": 2, "quantity": "80"}]},
        format="json",
    )
    assert response.status_code == 200, response.content
    response = api_for(contact_a).patch(
        f"/api/v1/ship-notices/{notice.pk}/",
        {"lines": [{"purchase_order": "PO-A1", "line": 2, "quantity": "81"}]},
        format="json",
    )
    assert response.status_code == 400


@pytest.mark.parametrize("status", ["closed", "cancelled"])
def test_a_notice_cannot_name_a_closed_or_cancelled_line(world, api_for, contact_a, status):
    line = world["lines"][3]  # PO-A2/1
    PurchaseOrderLine.objects.filter(pk=line.pk).update(status=status)
    response = api_for(contact_a).post(
        "/api/v1/ship-notices/", _asn("ASN-X", "5", "PO-A2"), format="json"
    )
    assert response.status_code == 400
    assert "lines" in response.json()
    assert not ShipNotice.objects.filter(number="ASN-X").exists()


@pytest.fixture
def delayed(supplier_a, time_machine):
    """A notice in transit whose ETA is after its line's promised date: transit_delayed."""
    time_machine.move_to(NOW, tick=False)
    po = PurchaseOrderFactory(number="PO-T1", supplier=supplier_a)
    line = PurchaseOrderLineFactory(
        purchase_order=po, line_number=1, promised_date=dt.date(2026, 3, 21)
    )
    notice = ShipNotice.objects.create(
        supplier=supplier_a,
        number="ASN-T",
        ship_date=dt.date(2026, 3, 18),
        eta=dt.date(2026, 3, 25),
        last_event_at=NOW,
    )
    ShipNoticeLine.objects.create(ship_notice=notice, line=line, quantity=Decimal("100"))
    alerts_scan()
    [alert] = Alert.objects.filter(kind=Kind.TRANSIT_DELAYED, state=Alert.State.OPEN)
    return notice, line, alert


def test_a_contacts_delivered_event_only_reports_the_arrival(delayed, api_for, contact_a):
    notice, _, alert = delayed
    response = api_for(contact_a).post(
        f"/api/v1/ship-notices/{notice.pk}/events/",
        {"occurred_at": "2026-03-20T08:00:00Z", "location": "Dock 3", "delivered": True},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["reports_arrival"] is True
    alerts_scan()
    notice.refresh_from_db()
    alert.refresh_from_db()
    assert not notice.is_delivered
    assert notice.arrival_reported_at == dt.datetime(2026, 3, 20, 8, 0, tzinfo=dt.UTC)
    assert alert.state == Alert.State.OPEN


def test_a_receipt_against_the_notice_delivers_it_and_clears_the_alert(delayed):
    notice, line, alert = delayed
    receipts_create(
        receipts=[
            Receipt(
                number="GR-T2",
                line=line,
                receipt_date=dt.date(2026, 3, 20),
                quantity=Decimal("100"),
                cost_currency="EUR",
                ship_notice=notice,
            )
        ]
    )
    alerts_scan()
    notice.refresh_from_db()
    alert.refresh_from_db()
    assert notice.is_delivered
    assert alert.state == Alert.State.RESOLVED


def test_a_buyer_confirms_a_reported_arrival(delayed, api_for, contact_a, buyer):
    notice, _, alert = delayed
    url = f"/api/v1/ship-notices/{notice.pk}/confirm-delivery/"
    assert api_for(contact_a).post(url).status_code in (403, 404)
    response = api_for(buyer).post(url)
    assert response.status_code == 200, response.content
    assert response.json()["is_delivered"] is True
    alerts_scan()
    alert.refresh_from_db()
    assert alert.state == Alert.State.RESOLVED
