"""A certificate's warning period is one setting (30 days by default): the portal, the
buyer's supplier page and the alerts flag the same certificates as expiring."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alerts.kinds import Kind
from alerts.models import Alert
from alerts.services import alerts_scan
from suppliers.models import Certificate

pytestmark = pytest.mark.django_db


def _seen_as_expiring(buyer, contact) -> dict[str, bool]:
    buyer_client, contact_client = Client(), Client()
    buyer_client.force_login(buyer)
    contact_client.force_login(contact)
    supplier_page = buyer_client.get(reverse("suppliers:detail", args=["ACME"])).content.decode()
    certificates = contact_client.get(reverse("portal:certificates")).content.decode()
    home = contact_client.get(reverse("portal:home")).content.decode()
    alerts_scan(as_of=timezone.now())
    return {
        "buyer's supplier page": 'class="badge badge-late">expiring<' in supplier_page,
        "portal certificates": "Expires in 20 days" in certificates,
        "portal home": "Certificates to renew" in home,
        "alert": Alert.objects.filter(kind=Kind.CERTIFICATE_EXPIRING).exists(),
    }


@pytest.mark.parametrize("warning_days, expiring", [(30, True), (21, True), (19, False)])
def test_every_page_and_the_alerts_share_the_warning_period(
    settings, buyer, contact_a, supplier_a, warning_days, expiring
):
    settings.CERTIFICATE_EXPIRY_WARNING_DAYS = warning_days
    Certificate.objects.create(
        supplier=supplier_a,
        kind="iso_9001",
        number="Q-20",
        valid_until=timezone.localdate() + dt.timedelta(days=20),
    )
    seen = _seen_as_expiring(buyer, contact_a)
    assert seen == dict.fromkeys(seen, expiring)


def test_the_default_warning_period_is_30_days():
    from dualsource import settings as project_settings

    assert project_settings.CERTIFICATE_EXPIRY_WARNING_DAYS == 30
