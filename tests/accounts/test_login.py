import pytest

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith("/login/")
    page = client.get(response.url)
    assert page.status_code == 200
    assert b'name="password"' in page.content


def test_log_in_and_out(client, buyer, supplier_a):
    response = client.post("/login/", {"username": "buyer", "password": PASSWORD}, follow=True)
    assert response.status_code == 200
    assert b"Portfolio" in response.content  # buyers land on the dashboard
    response = client.post("/logout/", follow=True)
    assert b'name="password"' in response.content
    assert client.get("/").status_code == 302


def test_a_wrong_password_is_refused_with_a_message(client, buyer):
    response = client.post("/login/", {"username": "buyer", "password": "nope"})
    assert response.status_code == 200
    assert b"didn't match" in response.content


def test_supplier_contact_lands_on_its_own_supplier_page(client_for, contact_a, supplier_b):
    content = client_for(contact_a).get("/", follow=True).content
    assert b"ACME" in content
    assert b"BOLT" not in content
