"""A contact's portal home lists the alerts addressed to it, and nothing meant for buyers."""

import pytest
from django.utils import timezone

from alerts.models import Alert

pytestmark = pytest.mark.django_db


def _alert(supplier, kind, key, message, **fields):
    now = timezone.now()
    return Alert.objects.create(
        kind=kind,
        severity="warning",
        dedupe_key=key,
        message=message,
        supplier=supplier,
        first_seen=now,
        last_seen=now,
        **fields,
    )


def test_the_home_shows_its_own_open_line_alerts_only(portal_a, supplier_a, supplier_b):
    _alert(supplier_a, "line_past_due", "a-late", "PO-A1/1 is 3 days past due")
    _alert(supplier_a, "single_sourced", "a-single", "Part P-SOLO has one source")
    _alert(supplier_a, "line_past_due", "a-done", "PO-A1/2 was late", state="resolved")
    _alert(supplier_b, "line_past_due", "b-late", "PO-B1/1 is 9 days past due")

    page = portal_a.get("/portal/").content.decode()

    assert "PO-A1/1 is 3 days past due" in page
    assert "one source" not in page  # internal: it would tell who else supplies the part
    assert "PO-A1/2 was late" not in page  # resolved
    assert "PO-B1/1" not in page  # another supplier's
