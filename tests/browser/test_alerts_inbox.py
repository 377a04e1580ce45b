"""The alerts inbox in a real browser: select two alerts, acknowledge them at once."""

import datetime as dt

import pytest
from django.utils import timezone

from alerts.models import Alert
from alerts.services import alerts_scan
from tests.factories import PASSWORD, PurchaseOrderLineFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_buyer_acknowledges_two_alerts_at_once(page, live_server, buyer, supplier_a):
    today = timezone.localdate()
    for days in (2, 3, 4):
        PurchaseOrderLineFactory(
            purchase_order__supplier=supplier_a,
            purchase_order__order_date=today - dt.timedelta(days=40),
            requested_date=today - dt.timedelta(days=days),
            acknowledged_at=timezone.now(),
        )
    alerts_scan()
    first, second, third = Alert.objects.order_by("pk")
    outside = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None,
    )
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "buyer")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    # The three alerts are one group (same supplier and kind): list them all.
    page.goto(f"{live_server.url}/alerts/?grouped=0")
    page.check(f'input[name="ids"][value="{first.pk}"]')
    page.check(f'input[name="ids"][value="{second.pk}"]')
    assert page.text_content("[data-selected-count]") == "2 selected"  # served from static/
    page.click("button[value=acknowledge]")
    page.wait_for_selector("text=2 alerts acknowledged.")
    states = dict(Alert.objects.values_list("pk", "state"))
    assert states == {first.pk: "acknowledged", second.pk: "acknowledged", third.pk: "open"}
    # The inbox opens on open alerts: only the third is left.
    assert page.locator("tr[data-alert]").count() == 1
    assert outside == []
