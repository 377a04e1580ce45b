import pytest

from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_buyer_logs_in_sees_suppliers_and_logs_out(page, live_server, buyer, supplier_a):
    page.goto(f"{live_server.url}/")
    assert "/login/" in page.url
    page.fill("#id_username", "buyer")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('Portfolio')")  # buyers land on the dashboard
    page.click("nav >> text=Suppliers")
    page.wait_for_selector("table#suppliers")
    assert "Acme Castings" in page.inner_text("table#suppliers")
    # The stylesheet is served by the portal itself.
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(245, 247, 249)"
    page.click("text=Log out")
    page.wait_for_selector("#id_password")


def test_a_supplier_contact_lands_on_its_portal_and_cannot_open_another(
    page, live_server, contact_a, supplier_b
):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "contact_a")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1")
    assert page.url.endswith("/portal/")
    assert "Acme Castings" in page.inner_text("body")
    response = page.goto(f"{live_server.url}/suppliers/BOLT/")
    assert response.status == 404
    assert "Bolt Forge" not in page.content()
