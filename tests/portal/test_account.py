import re

import pytest
from django.core import mail
from django.test import Client

from accounts.services import user_profile_get
from suppliers.models import EsgAssessment
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def throttled(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3


def _login(client, username, password, address="10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_repeated_failures_lock_the_user_out_even_with_the_right_password(
    client, throttled, contact_a
):
    for _ in range(2):
        assert _login(client, "contact_a", "wrong").status_code == 200
    assert _login(client, "contact_a", "wrong").status_code == 429  # the third failure locks
    locked = _login(client, "contact_a", PASSWORD)
    assert locked.status_code == 429
    assert b"Too many failed logins" in locked.content
    # From another address too: the lockout is per user.
    assert _login(client, "contact_a", PASSWORD, address="10.9.9.9").status_code == 429


def test_repeated_failures_from_one_address_lock_that_address_out(
    client, throttled, contact_a, buyer
):
    for name in ("ghost1", "ghost2", "ghost3"):
        _login(client, name, "guess", address="10.0.0.7")
    assert _login(client, "buyer", PASSWORD, address="10.0.0.7").status_code == 429
    assert _login(client, "buyer", PASSWORD, address="10.0.0.8").status_code == 302


def test_a_successful_login_before_the_limit_still_works(client, throttled, contact_a):
    _login(client, "contact_a", "wrong")
    assert _login(client, "contact_a", PASSWORD).status_code == 302


def test_sessions_expire_and_passwords_are_validated(settings):
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600
    names = {v["NAME"].rsplit(".", 1)[-1] for v in settings.AUTH_PASSWORD_VALIDATORS}
    assert {"MinimumLengthValidator", "CommonPasswordValidator"} <= names


def test_the_profile_and_email_setting(portal_a, contact_a):
    response = portal_a.post(
        "/portal/account/",
        {
            "first_name": "Ada",
            "last_name": "Lind",
            "email": "ada@acme.example",
            "job_title": "Logistics",
            "phone": "+49 30 1",
            "email_frequency": "daily",
        },
    )
    assert response.status_code == 302
    contact_a.refresh_from_db()
    assert contact_a.get_full_name() == "Ada Lind" and contact_a.email == "ada@acme.example"
    assert contact_a.supplier_contact.job_title == "Logistics"
    assert user_profile_get(user=contact_a).email_frequency == "daily"
    bad = portal_a.post("/portal/account/", {"email": "nope", "email_frequency": "hourly"})
    assert bad.status_code == 400
    assert user_profile_get(user=contact_a).email_frequency == "daily"


def test_password_change_and_reset_by_email(client, contact_a):
    client.force_login(contact_a)
    weak = client.post(
        "/password/change/",
        {"old_password": PASSWORD, "new_password1": "password", "new_password2": "password"},
    )
    assert weak.status_code == 200 and b"too common" in weak.content
    client.logout()
    response = client.post("/password/reset/", {"email": contact_a.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [contact_a.email]
    link = re.search(r"http://testserver(/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert b"Choose a new password" in form.content
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-long-Secret-42", "new_password2": "a-long-Secret-42"},
    )
    assert done.status_code == 302
    assert client.login(username="contact_a", password="a-long-Secret-42")


def test_esg_answers_keep_their_history_and_check_their_ranges(portal_a, supplier_a, buyer):
    import datetime as dt

    answers = {
        "emissions_kg_co2e_per_eur": "0.55",
        "waste_recycled_pct": "65",
        "labour": "code_of_conduct",
        "traceability_origin_known_pct": "40",
        "evidence_date": str(dt.date.today() - dt.timedelta(days=30)),
        "comments": "Solar roof in 2026.",
    }
    assert portal_a.post("/portal/esg/", answers).status_code == 302
    assert portal_a.post("/portal/esg/", {**answers, "labour": "audit"}).status_code == 302
    assert EsgAssessment.objects.filter(supplier=supplier_a).count() == 2
    bad = portal_a.post("/portal/esg/", {**answers, "labour": "maybe", "waste_recycled_pct": 140})
    assert bad.status_code == 400
    assert EsgAssessment.objects.count() == 2
    page = portal_a.get("/portal/esg/").content.decode()
    assert "History (2 answers)" in page and "65" in page and "Solar roof" in page
    latest = EsgAssessment.objects.order_by("-created_at", "-id").first()
    assert latest.labour == "audit" and latest.answered_by.username == "contact_a"
    buyer_client = Client()
    buyer_client.force_login(buyer)
    supplier_page = buyer_client.get(f"/suppliers/{supplier_a.code}/").content.decode()
    assert "ESG questionnaire" in supplier_page and "Solar roof" in supplier_page
    assert "History (2 answers)" in supplier_page


def test_portal_pages_are_for_contacts_only(client, buyer):
    client.force_login(buyer)
    assert client.get("/portal/").status_code == 404
    client.logout()
    assert client.get("/portal/").status_code == 302


def test_portal_forms_refuse_a_post_without_the_csrf_token(contact_a, lines_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(contact_a)
    line = lines_a[0]
    for url, data in (
        ("/portal/lines/acknowledge/", {"lines": [line.pk]}),
        ("/portal/account/", {"email": "x@example.com", "email_frequency": "off"}),
        ("/messages/new/", {"subject": "s", "body": "b"}),
    ):
        assert client.post(url, data).status_code == 403, url
    line.refresh_from_db()
    assert line.acknowledged_at is None
