"""The alerts inbox, one alert's page and the email settings page."""

import datetime as dt

import pytest

from accounts.services import user_profile_get
from alerts.kinds import Kind
from alerts.models import Alert
from alerts.services import alerts_scan
from tests.alerts.conftest import NOW, TODAY
from tests.factories import PurchaseOrderLineFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def alerts(clock, owned):
    for supplier in owned:
        for days in (2, 9):
            PurchaseOrderLineFactory(
                purchase_order__supplier=supplier,
                purchase_order__order_date=TODAY - dt.timedelta(days=40),
                requested_date=TODAY - dt.timedelta(days=days),
                acknowledged_at=NOW,
            )
    alerts_scan()
    return Alert.objects.order_by("pk")


def test_the_inbox_shows_open_alerts_and_filters_them(alerts, buyer, client_for):
    client = client_for(buyer)
    page = client.get("/alerts/").content.decode()
    for alert in alerts:
        assert alert.message in page
        assert f'href="/alerts/{alert.pk}/"' in page
    assert 'href="/suppliers/ACME/"' in page
    filtered = client.get("/alerts/", {"supplier": "BOLT", "severity": "critical"}).content
    shown = [a for a in alerts if a.message in filtered.decode()]
    assert [(a.supplier.code, a.severity) for a in shown] == [("BOLT", "critical")]


def test_the_inbox_costs_a_fixed_number_of_queries(
    alerts, buyer, client_for, django_assert_max_num_queries
):
    client = client_for(buyer)
    with django_assert_max_num_queries(12):
        assert client.get("/alerts/").status_code == 200


def test_a_buyer_acknowledges_several_alerts_at_once(alerts, buyer, client_for):
    chosen = [a.pk for a in alerts[:3]]
    response = client_for(buyer).post(
        "/alerts/actions/",
        {"action": "acknowledge", "ids": chosen, "next": "state=open"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/alerts/?state=open"
    assert "3 alerts acknowledged." in response.content.decode()
    states = dict(Alert.objects.values_list("pk", "state"))
    assert [states[pk] for pk in chosen] == ["acknowledged"] * 3
    assert Alert.objects.filter(state="open").count() == len(alerts) - 3


def test_a_buyer_resolves_several_at_once(alerts, buyer, client_for):
    chosen = [a.pk for a in alerts[:2]]
    client_for(buyer).post("/alerts/actions/", {"action": "resolve", "ids": chosen})
    assert set(Alert.objects.filter(pk__in=chosen).values_list("state", flat=True)) == {"resolved"}


def test_nothing_selected_or_a_bad_id_is_a_message_not_an_error(alerts, buyer, client_for):
    client = client_for(buyer)
    response = client.post("/alerts/actions/", {"action": "acknowledge"}, follow=True)
    assert "Select at least one alert." in response.content.decode()
    response = client.post(
        "/alerts/actions/", {"action": "acknowledge", "ids": ["x", "99999"]}, follow=True
    )
    assert response.status_code == 200
    assert Alert.objects.filter(state="acknowledged").count() == 0


def test_a_contact_sees_its_own_alerts_and_may_not_touch_another_suppliers(
    alerts, contact_a, client_for
):
    client = client_for(contact_a)
    page = client.get("/alerts/").content.decode()
    own = alerts.filter(supplier__code="ACME", kind=Kind.LINE_PAST_DUE)
    other = alerts.filter(supplier__code="BOLT")
    assert all(a.message in page for a in own)
    assert not any(a.message in page for a in other)
    assert "BOLT" not in page
    assert "Resolve selected" not in page
    assert client.get(f"/alerts/{other[0].pk}/").status_code == 404
    client.post("/alerts/actions/", {"action": "acknowledge", "ids": [other[0].pk]})
    assert other[0].state == "open" and Alert.objects.get(pk=other[0].pk).state == "open"
    client.post("/alerts/actions/", {"action": "resolve", "ids": [own[0].pk]})
    assert Alert.objects.get(pk=own[0].pk).state == "open"
    client.post("/alerts/actions/", {"action": "acknowledge", "ids": [own[0].pk]})
    assert Alert.objects.get(pk=own[0].pk).state == "acknowledged"


def test_a_viewer_reads_the_inbox_without_actions(alerts, viewer, client_for):
    client = client_for(viewer)
    assert "Acknowledge selected" not in client.get("/alerts/").content.decode()
    client.post("/alerts/actions/", {"action": "acknowledge", "ids": [alerts[0].pk]})
    assert Alert.objects.get(pk=alerts[0].pk).state == "open"


def test_the_alert_page_links_to_what_it_concerns(alerts, buyer, client_for):
    alert = alerts.filter(kind=Kind.LINE_PAST_DUE).first()
    page = client_for(buyer).get(f"/alerts/{alert.pk}/").content.decode()
    assert f'href="/suppliers/{alert.supplier.code}/"' in page
    assert f'href="/parts/{alert.part.number}/"' in page
    assert f"/api/v1/purchase-orders/{alert.purchase_order.number}/" in page


def test_the_inbox_needs_a_login(client):
    assert client.get("/alerts/").status_code == 302


def test_everyone_sets_how_they_hear_from_the_portal(buyer, client_for):
    client = client_for(buyer)
    page = client.get("/account/notifications/").content.decode()
    assert 'value="immediate"' in page and "checked" in page
    client.post("/account/notifications/", {"email_frequency": "daily"})
    assert user_profile_get(user=buyer).email_frequency == "daily"
    response = client.post("/account/notifications/", {"email_frequency": "hourly"})
    assert response.status_code == 200 and "hourly is not one of" in response.content.decode()
    assert user_profile_get(user=buyer).email_frequency == "daily"
