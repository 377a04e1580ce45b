"""The Inventory pages: positions with filters, one part at one site, the dead letters,
the part page's sites; contacts find none of it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from inventory.models import InventoryReject
from tests.factories import InventoryPositionFactory, PartFactory, SiteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stock():
    now = timezone.now()
    from parts.models import PartCategory

    bolts = PartCategory.objects.create(code="bolts", name="Bolts")
    low, fine = PartFactory(number="P-LOW", category=bolts), PartFactory(number="P-OK")
    ham = SiteFactory(code="HAM", name="Hamburg")
    InventoryPositionFactory(
        part=low, site=ham, on_hand=5, safety_stock=10, reorder_point=40, read_at=now
    )
    InventoryPositionFactory(
        part=fine, site=ham, on_hand=500, reorder_point=40, read_at=now - dt.timedelta(hours=1)
    )
    InventoryPositionFactory(
        part=fine,
        site="WRO",
        on_hand=80,
        reorder_point=40,
        source="iot",
        sensor="bin-1",
        read_at=now - dt.timedelta(hours=9),
    )
    InventoryReject.objects.create(
        topic="dualsource/stock/HAM/P-X",
        payload="{",
        reason="The payload is not JSON.",
        received_at=now,
    )
    return low, fine


def rows(response) -> list[str]:
    body = response.content.decode()
    table = body[body.index('id="positions"') :]
    return [chunk.split("</a>")[0] for chunk in table.split('href="/parts/')[1:]]


def test_buyers_see_every_position_and_filter_them(stock, client_for, buyer):
    client = client_for(buyer)
    assert rows(client.get("/inventory/")) == ['P-LOW/">P-LOW', 'P-OK/">P-OK', 'P-OK/">P-OK']
    assert rows(client.get("/inventory/?below_safety_stock=true")) == ['P-LOW/">P-LOW']
    assert rows(client.get("/inventory/?site=WRO")) == ['P-OK/">P-OK']
    assert rows(client.get("/inventory/?stale=true")) == ['P-OK/">P-OK']
    assert rows(client.get("/inventory/?category=bolts")) == ['P-LOW/">P-LOW']


def test_one_part_at_one_site_shows_its_position_and_chart(stock, client_for, viewer):
    response = client_for(viewer).get("/inventory/HAM/P-LOW/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "On hand over time" in body and "data-figure" in body
    assert response.context["position"].on_hand == Decimal("5")
    assert client_for(viewer).get("/inventory/NOWHERE/P-LOW/").status_code == 404


def test_the_part_page_lists_its_sites(stock, client_for, buyer):
    response = client_for(buyer).get("/parts/P-OK/")
    assert [p.site.code for p in response.context["stock"]] == ["HAM", "WRO"]


def test_the_dead_letters_page(stock, client_for, buyer):
    body = client_for(buyer).get("/inventory/rejects/").content.decode()
    assert "dualsource/stock/HAM/P-X" in body and "The payload is not JSON." in body


@pytest.mark.parametrize("url", ["/inventory/", "/inventory/HAM/P-LOW/", "/inventory/rejects/"])
def test_contacts_find_no_stock_pages(stock, client_for, contact_a, url):
    assert client_for(contact_a).get(url).status_code == 404


def test_contacts_see_no_stock_in_the_api_or_exports(stock, api_for, contact_a):
    api = api_for(contact_a)
    for resource in ("inventory-positions", "inventory-readings", "inventory-rejects", "sites"):
        assert api.get(f"/api/v1/{resource}/").json()["count"] == 0, resource
        text = api.get(f"/api/v1/{resource}/?format=csv").content.decode("utf-8-sig")
        assert len(text.strip().splitlines()) == 1, resource  # the header only
    assert api.get("/api/v1/inventory-readings/1/").status_code == 404
    body = {"part": "P-OK", "site": "HAM", "on_hand": "1", "read_at": "2026-03-01T08:00:00Z"}
    assert api.post("/api/v1/inventory-positions/", body, format="json").status_code == 403
