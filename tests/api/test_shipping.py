"""Ship notices (ASN) posted by suppliers and the carriers' transit events."""

import datetime as dt

import pytest

from purchasing.models import ShipNotice, TransitEvent

ASN = {
    "number": "ASN-77",
    "ship_date": "2026-02-03",
    "eta": "2026-02-09",
    "carrier": "DHL",
    "tracking_number": "JD0001",
    # Open to ship: PO-A2/1 100 (nothing received); PO-A1/2 30 (100 − 20 received − 50 on
    # ASN-1 in transit). PO-A1/1 was received in full.
    "lines": [
        {"purchase_order": "PO-A2", "line": 1, "quantity": "60"},
        {"purchase_order": "PO-A1", "line": 2, "quantity": "30"},
    ],
}


def test_contact_posts_a_notice_for_its_own_supplier(world, api_for, contact_a):
    response = api_for(contact_a).post("/api/v1/ship-notices/", ASN, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["supplier"] == "ACME"
    assert [(ln["purchase_order"], ln["line"], ln["part"]) for ln in body["lines"]] == [
        ("PO-A2", 1, "P-2"),
        ("PO-A1", 2, "P-2"),
    ]
    assert ShipNotice.objects.get(supplier__code="ACME", number="ASN-77").lines.count() == 2


def test_contact_cannot_ship_another_suppliers_order(world, api_for, contact_b):
    body = {**ASN, "lines": [{"purchase_order": "PO-A1", "line": 1, "quantity": "5"}]}
    response = api_for(contact_b).post("/api/v1/ship-notices/", body, format="json")
    assert response.status_code == 400
    assert "line" in response.json()["lines"]["0"]
    assert not ShipNotice.objects.filter(number="ASN-77").exists()


def test_contact_cannot_post_for_another_supplier(world, api_for, contact_b):
    response = api_for(contact_b).post(
        "/api/v1/ship-notices/", {**ASN, "supplier": "ACME"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["supplier"] == ["No supplier with code 'ACME'."]


def test_buyer_must_name_the_supplier(world, api_for, buyer):
    response = api_for(buyer).post("/api/v1/ship-notices/", ASN, format="json")
    assert response.status_code == 400
    assert "supplier" in response.json()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"eta": "2026-02-01"}, "eta"),  # before the ship date
        ({"number": "ASN-1"}, "number"),  # ACME already sent ASN-1
        ({"lines": []}, "lines"),
        ({"lines": [{"purchase_order": "PO-A1", "line": 1, "quantity": "0"}]}, "lines"),
    ],
)
def test_invalid_notice(world, api_for, contact_a, change, field):
    response = api_for(contact_a).post("/api/v1/ship-notices/", {**ASN, **change}, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_transit_events_move_location_and_eta(world, api_for, contact_a):
    api = api_for(contact_a)
    notice = world["notices"][0]
    url = f"/api/v1/ship-notices/{notice.pk}/events/"
    first = {"occurred_at": "2026-02-03T10:00:00Z", "location": "Hamburg", "eta": "2026-02-10"}
    assert api.post(url, first, format="json").status_code == 201
    # A late-arriving older event is kept but does not move the notice back.
    older = {"occurred_at": "2026-02-02T10:00:00Z", "location": "Plant", "eta": "2026-02-06"}
    assert api.post(url, older, format="json").status_code == 201
    notice.refresh_from_db()
    assert (notice.current_location, notice.eta) == ("Hamburg", dt.date(2026, 2, 10))
    delivered = {"occurred_at": "2026-02-09T08:00:00Z", "location": "Dock 3", "delivered": True}
    assert api.post(url, delivered, format="json").status_code == 201
    notice.refresh_from_db()
    # A contact reports the arrival; receipts or a buyer make it delivered.
    assert notice.arrival_reported_at is not None and notice.current_location == "Dock 3"
    assert not notice.is_delivered
    events = api.get(url).json()
    assert [e["location"] for e in events] == ["Plant", "Hamburg", "Dock 3"]


@pytest.mark.parametrize(
    "event",
    [
        {"occurred_at": "not a time"},
        {"occurred_at": "2026-02-03T10:00:00Z", "eta": "2026-01-01"},  # before the ship date
        {"location": "Hamburg"},
    ],
)
def test_invalid_transit_event(world, api_for, buyer, event):
    url = f"/api/v1/ship-notices/{world['notices'][0].pk}/events/"
    response = api_for(buyer).post(url, event, format="json")
    assert response.status_code == 400
    assert not TransitEvent.objects.exists()


def test_other_contact_cannot_post_events(world, api_for, contact_b):
    url = f"/api/v1/ship-notices/{world['notices'][0].pk}/events/"
    response = api_for(contact_b).post(url, {"occurred_at": "2026-02-03T10:00:00Z"}, format="json")
    assert response.status_code == 404


def test_viewer_cannot_post_events(world, api_for, viewer):
    url = f"/api/v1/ship-notices/{world['notices'][0].pk}/events/"
    response = api_for(viewer).post(url, {"occurred_at": "2026-02-03T10:00:00Z"}, format="json")
    assert response.status_code == 403


def test_contact_corrects_its_notice_lines(world, api_for, contact_a):
    notice = world["notices"][0]
    response = api_for(contact_a).patch(
        f"/api/v1/ship-notices/{notice.pk}/",
        {"lines": [{"purchase_order": "PO-A1", "line": 2, "quantity": "45"}]},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert [ln["quantity"] for ln in response.json()["lines"]] == ["45.000"]
