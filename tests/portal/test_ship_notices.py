import datetime as dt
from decimal import Decimal

import pytest

from purchasing.models import ShipNotice
from purchasing.services import ship_notice_create

pytestmark = pytest.mark.django_db


def _asn(client, quantities: dict, **fields):
    data = {
        "number": "ASN-1",
        "ship_date": "2026-02-01",
        "eta": "2026-02-08",
        "carrier": "DHL",
        "tracking_number": "JD0001",
        **fields,
    }
    data.update({f"qty_{line.pk}": str(qty) for line, qty in quantities.items()})
    return client.post("/portal/ship-notices/new/", data)


def test_the_asn_flow_through_to_a_receipt(portal_a, lines_a, buyer, api_for):
    first, second, _ = lines_a
    response = _asn(portal_a, {first: 100, second: 40})
    assert response.status_code == 302
    notice = ShipNotice.objects.get(number="ASN-1")
    assert notice.supplier.code == "ACME"
    assert {(sl.line_id, sl.quantity) for sl in notice.lines.all()} == {
        (first.pk, Decimal("100")),
        (second.pk, Decimal("40")),
    }
    home = portal_a.get("/portal/")
    assert b"ASN-1" in home.content  # in transit on the home page

    response = portal_a.post(
        f"/portal/ship-notices/{notice.pk}/",
        {"occurred_at": "2026-02-03T10:00", "location": "Hamburg port", "eta": "2026-02-10"},
    )
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.current_location == "Hamburg port"
    assert notice.eta == dt.date(2026, 2, 10)

    receipt = {
        "number": "GR-9",
        "purchase_order": "PO-A1",
        "line": first.line_number,
        "receipt_date": "2026-02-10",
        "quantity": "100",
        "cost_currency": "EUR",
    }
    assert api_for(buyer).post("/api/v1/receipts/", receipt, format="json").status_code == 201
    receipts = portal_a.get("/portal/receipts/?purchase_order=PO-A1")
    assert b"GR-9" in receipts.content
    assert b"GR-9" in portal_a.get(f"/portal/ship-notices/{notice.pk}/").content
    # Only 40 of the second line's 100 shipped: 60 are left for the next notice.
    page = portal_a.get("/portal/ship-notices/new/")
    assert f'name="qty_{second.pk}"'.encode() in page.content
    assert f'name="qty_{first.pk}"'.encode() not in page.content


def test_more_than_is_left_to_ship_is_refused(portal_a, lines_a):
    first = lines_a[0]
    assert _asn(portal_a, {first: 60}).status_code == 302
    response = _asn(portal_a, {first: 50}, number="ASN-2")
    assert response.status_code == 400
    assert b"left to ship" in response.content
    assert not ShipNotice.objects.filter(number="ASN-2").exists()


def test_bad_input_re_renders_the_form(portal_a, lines_a):
    first = lines_a[0]
    response = _asn(portal_a, {first: 10}, eta="2026-01-01")
    assert response.status_code == 400 and b"ETA cannot be before" in response.content
    response = _asn(portal_a, {})
    assert response.status_code == 400 and b"at least one line" in response.content
    response = _asn(portal_a, {first: "ten"})
    assert response.status_code == 400 and b"not a quantity" in response.content
    assert _asn(portal_a, {first: 10}).status_code == 302
    response = _asn(portal_a, {first: 10})
    assert response.status_code == 400 and b"already sent a ship notice ASN-1" in response.content
    assert ShipNotice.objects.count() == 1


def test_another_suppliers_line_or_notice_is_not_found(portal_a, lines_a, line_b, contact_b):
    response = _asn(portal_a, {lines_a[0]: 10, line_b: 10})
    assert response.status_code == 400
    assert b"No such open order line" in response.content
    assert not ShipNotice.objects.exists()
    page = portal_a.get("/portal/ship-notices/new/")
    assert f'name="qty_{line_b.pk}"'.encode() not in page.content
    other = ship_notice_create(
        supplier=line_b.purchase_order.supplier,
        number="ASN-B",
        ship_date=dt.date(2026, 2, 1),
        eta=dt.date(2026, 2, 5),
        lines=[(line_b, Decimal("5"))],
    )
    assert portal_a.get(f"/portal/ship-notices/{other.pk}/").status_code == 404
    response = portal_a.post(
        f"/portal/ship-notices/{other.pk}/",
        {"occurred_at": "2026-02-03T10:00", "location": "Spy", "eta": "2026-02-09"},
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.current_location == ""
    assert b"ASN-B" not in portal_a.get("/portal/ship-notices/").content
