"""Every workspace page by role: internal roles read it, anonymous users log in first,
supplier contacts find buyer pages missing (404) and only their own supplier's rows."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

BUYER_ONLY = [
    "/",
    "/suppliers/",
    "/suppliers/?sort=-score&grade=A",
    "/suppliers/?format=csv",
    "/parts/",
    "/parts/?sourcing=single",
    "/parts/?sourcing=one_region",
    "/orders/",
    "/orders/?late=true&supplier=BOLT",
]
DETAIL = [
    "/suppliers/ACME/",
    "/suppliers/BOLT/",
    "/parts/P-SHARED/",
    "/parts/P-SOLO/",
    "/kpi/lines/",
    "/kpi/lines/?supplier=BOLT&period=2026-03",
    "/kpi/lines/?supplier=ACME&part=P-SHARED&format=xlsx",
    "/kpi/receipts/?supplier=BOLT",
    "/kpi/receipts/?period=2026-02",
    "/kpi/inspections/?supplier=ACME&period=2026-03",
]
EDITORS = [
    "/suppliers/new/",
    "/suppliers/ACME/edit/",
    "/parts/new/",
    "/parts/P-SOLO/edit/",
    "/parts/P-SHARED/sources/new/",
    "/parts/P-SHARED/sources/BOLT/edit/",
    "/orders/new/",
]


def order_of(supplier_code):
    from purchasing.models import PurchaseOrder

    return PurchaseOrder.objects.filter(supplier__code=supplier_code).order_by("number").first()


@pytest.mark.parametrize("role", ["admin_user", "buyer", "viewer"])
def test_internal_roles_read_every_page(request, client_for, supply_base, role):
    client = client_for(request.getfixturevalue(role))
    urls = BUYER_ONLY + DETAIL + [f"/orders/{order_of('BOLT').number}/"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url


@pytest.mark.parametrize("role", ["admin_user", "buyer"])
def test_editors_open_every_form(request, client_for, supply_base, role):
    client = client_for(request.getfixturevalue(role))
    for url in EDITORS:
        assert client.get(url).status_code == 200, url


def test_viewers_are_told_they_may_not_edit_and_contacts_find_no_forms(
    client_for, viewer, contact_a, supply_base
):
    client = client_for(viewer)
    for url in EDITORS:
        response = client.get(url)
        assert response.status_code == 403, url
        assert b"Viewers read only" in response.content, url
        assert client.post(url, {"name": "Changed"}).status_code == 403, url
    client.logout()
    client = client_for(contact_a)
    for url in EDITORS:
        assert client.get(url).status_code == 404, url


def test_anonymous_users_are_sent_to_log_in(client, supply_base):
    for url in BUYER_ONLY + DETAIL + EDITORS:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_supplier_contacts_find_buyer_pages_missing(client_for, contact_a, supply_base):
    client = client_for(contact_a)
    for url in BUYER_ONLY[1:]:
        assert client.get(url).status_code == 404, url
    # A contact lands on its portal.
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/portal/"


def test_supplier_contacts_see_their_own_rows_and_nothing_of_the_alternate_source(
    client_for, contact_a, supply_base
):
    client = client_for(contact_a)
    for url in (
        "/suppliers/BOLT/",
        "/kpi/lines/?supplier=BOLT",
        "/kpi/receipts/?supplier=BOLT",
        f"/orders/{order_of('BOLT').number}/",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        "/suppliers/ACME/",
        "/parts/P-SHARED/",
        "/kpi/lines/",
        "/kpi/receipts/",
        "/kpi/inspections/?supplier=ACME",
        f"/orders/{order_of('ACME').number}/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        content = response.content.decode()
        assert "BOLT" not in content and "Bolt Forge" not in content, url
        assert "Target share" not in content and "12.5" not in content, url
