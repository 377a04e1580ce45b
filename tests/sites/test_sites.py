"""Sites: CRUD by code, the main site as every order's default delivery site."""

import pytest

from purchasing.models import PurchaseOrder
from sites.models import Site
from tests.factories import PartFactory, SiteFactory, SupplierFactory

pytestmark = pytest.mark.django_db


def test_the_main_site_exists_from_the_start():
    assert Site.objects.filter(code="MAIN").exists()


def test_buyers_create_rename_and_delete_sites(api_for, buyer):
    api = api_for(buyer)
    created = api.post(
        "/api/v1/sites/", {"code": "DE-HAM", "name": "Hamburg", "country": "de"}, format="json"
    )
    assert created.status_code == 201, created.content
    assert created.json() == {"code": "DE-HAM", "name": "Hamburg", "country": "DE"}
    renamed = api.patch("/api/v1/sites/DE-HAM/", {"name": "Hamburg Port"}, format="json")
    assert renamed.json()["name"] == "Hamburg Port"
    moved = api.patch("/api/v1/sites/DE-HAM/", {"code": "X"}, format="json")
    assert moved.status_code == 400 and "code" in moved.json()
    assert api.delete("/api/v1/sites/DE-HAM/").status_code == 204


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"code": "S1", "name": "x", "country": "ZZ"}, "country"),
        ({"code": "S1", "name": "x", "country": "Germany"}, "country"),
        ({"code": "MAIN", "name": "x"}, "code"),
        ({"code": "bad code", "name": "x"}, "code"),
        ({"code": "S1"}, "name"),
    ],
)
def test_bad_sites_are_refused(api_for, buyer, body, field):
    response = api_for(buyer).post("/api/v1/sites/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_contacts_and_viewers_cannot_change_sites_and_contacts_see_none(api_for, viewer, contact_a):
    SiteFactory(code="PLANT-1")
    assert api_for(contact_a).get("/api/v1/sites/").json()["count"] == 0
    assert api_for(contact_a).get("/api/v1/sites/PLANT-1/").status_code == 404
    assert api_for(viewer).get("/api/v1/sites/").json()["count"] == 2
    body = {"code": "S9", "name": "x"}
    assert api_for(viewer).post("/api/v1/sites/", body, format="json").status_code == 403


def order(**extra) -> dict:
    return {
        "number": "PO-S1",
        "supplier": "SUP-S",
        "order_date": "2026-03-01",
        "lines": [
            {
                "line": 1,
                "part": "P-S",
                "quantity": "5",
                "unit_price": "1",
                "requested_date": "2026-03-10",
            }
        ],
        **extra,
    }


@pytest.fixture
def orderable():
    SupplierFactory(code="SUP-S", status="approved")
    PartFactory(number="P-S")


def test_an_order_goes_to_the_main_site_unless_it_names_one(orderable, api_for, buyer):
    api = api_for(buyer)
    response = api.post("/api/v1/purchase-orders/", order(), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["site"] == "MAIN"
    SiteFactory(code="PL-WRO")
    moved = api.patch("/api/v1/purchase-orders/PO-S1/", {"site": "PL-WRO"}, format="json")
    assert moved.json()["site"] == "PL-WRO"
    assert PurchaseOrder.objects.get().site.code == "PL-WRO"


def test_an_order_to_an_unknown_site_is_refused(orderable, api_for, buyer):
    response = api_for(buyer).post("/api/v1/purchase-orders/", order(site="NOWHERE"), format="json")
    assert response.status_code == 400
    assert "site" in response.json()
    assert not PurchaseOrder.objects.exists()


def test_a_site_with_orders_cannot_be_deleted(orderable, api_for, buyer):
    api = api_for(buyer)
    SiteFactory(code="PL-WRO")
    api.post("/api/v1/purchase-orders/", order(site="PL-WRO"), format="json")
    assert api.delete("/api/v1/sites/PL-WRO/").status_code == 409
