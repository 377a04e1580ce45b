import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail

from portal.models import ContactInvitation
from tests.factories import PASSWORD, SupplierContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_a(supplier_a):
    return SupplierContactFactory(user__username="admin_a", supplier=supplier_a, is_admin=True).user


def _invite(client, admin, email="new.person@acme.example", django_capture=None):
    client.force_login(admin)
    return client.post("/portal/colleagues/", {"email": email, "first_name": "Nina"})


def _link(message) -> str:
    return re.search(r"https?://[^/]+(/portal/invitation/[^/\s]+/)", message.body).group(1)


def _accept(client, link, username="nina", password="a-long-Secret-42"):
    client.logout()
    return client.post(link, {"username": username, "password1": password, "password2": password})


def test_an_administrator_invites_a_colleague_who_joins_the_same_supplier(
    client, admin_a, supplier_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert _invite(client, admin_a).status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["new.person@acme.example"]
    link = _link(mail.outbox[0])
    assert client.get(link).status_code == 200
    response = _accept(client, link)
    assert response.status_code == 302 and response.url == "/login/"
    user = get_user_model().objects.get(username="nina")
    assert user.supplier_contact.supplier == supplier_a
    assert user.email == "new.person@acme.example" and user.first_name == "Nina"
    assert not user.supplier_contact.is_admin
    assert client.login(username="nina", password="a-long-Secret-42")


def test_the_link_works_once(client, admin_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, admin_a)
    link = _link(mail.outbox[0])
    assert _accept(client, link).status_code == 302
    again = _accept(client, link, username="nina2")
    assert again.status_code == 404 and b"used already" in again.content
    assert not get_user_model().objects.filter(username="nina2").exists()


def test_the_link_expires(client, admin_a, settings, django_capture_on_commit_callbacks):
    settings.INVITATION_MAX_AGE_SECONDS = 3600
    with (
        time_machine.travel("2026-03-01 09:00Z", tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        _invite(client, admin_a)
    link = _link(mail.outbox[0])
    with time_machine.travel("2026-03-01 11:00Z", tick=False):
        response = _accept(client, link)
    assert response.status_code == 404 and b"expired" in response.content
    assert not get_user_model().objects.filter(username="nina").exists()


def test_a_forged_or_altered_link_is_refused(client, admin_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, admin_a)
    link = _link(mail.outbox[0])
    assert client.get(link[:-3] + "xx/").status_code == 404
    assert client.get("/portal/invitation/1/").status_code == 404


def test_a_weak_password_is_refused_and_the_invitation_stays_open(
    client, admin_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, admin_a)
    link = _link(mail.outbox[0])
    response = _accept(client, link, password="12345678")
    assert response.status_code == 400 and b"too common" in response.content
    assert ContactInvitation.objects.get().accepted_at is None
    assert _accept(client, link).status_code == 302


def test_only_the_administrator_invites(client, contact_a):
    response = _invite(client, contact_a)
    assert response.status_code == 404
    assert not ContactInvitation.objects.exists()
    page = client.get("/portal/colleagues/")
    assert b"Invite a colleague" not in page.content


def test_the_administrator_deactivates_a_colleague_of_its_own_supplier_only(
    client, admin_a, contact_a, contact_b
):
    colleague = contact_a.supplier_contact
    client.force_login(admin_a)
    response = client.post(f"/portal/colleagues/{colleague.pk}/deactivate/")
    assert response.status_code == 302
    contact_a.refresh_from_db()
    assert not contact_a.is_active
    assert not client.login(username="contact_a", password=PASSWORD)
    client.force_login(admin_a)
    other = contact_b.supplier_contact
    assert client.post(f"/portal/colleagues/{other.pk}/deactivate/").status_code == 404
    contact_b.refresh_from_db()
    assert contact_b.is_active
    page = client.get("/portal/colleagues/")
    assert b"contact_b" not in page.content
    own = admin_a.supplier_contact
    client.post(f"/portal/colleagues/{own.pk}/deactivate/")
    admin_a.refresh_from_db()
    assert admin_a.is_active


def test_an_invitation_of_another_supplier_cannot_be_withdrawn(client, admin_a, supplier_b):
    theirs = ContactInvitation.objects.create(supplier=supplier_b, email="x@bolt.example")
    client.force_login(admin_a)
    assert client.post(f"/portal/invitations/{theirs.pk}/withdraw/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
