"""An invoice mismatch is an alert for buyers until it is decided; contacts never see it."""

import pytest

from alerts.models import Alert
from alerts.selectors import alerts_for_user
from alerts.services import alerts_scan
from invoicing.services import invoice_approve

pytestmark = pytest.mark.django_db


def test_a_mismatch_raises_an_alert_that_clears_once_a_buyer_decides(
    line_a, submit, buyer, contact_a
):
    submit([(line_a, 10, "10")], number="I-OK")
    waiting = submit([(line_a, 10, "11")], number="I-DEAR")
    alerts_scan()
    alert = Alert.objects.get(kind="invoice_mismatch")
    assert alert.state == "open" and alert.severity == "warning"
    assert "Invoice I-DEAR from ACME" in alert.message
    assert alert.dedupe_key == f"invoice_mismatch:{waiting.pk}"
    assert not alerts_for_user(user=contact_a).filter(kind="invoice_mismatch").exists()
    invoice_approve(invoice=waiting, user=buyer, reason="Surcharge agreed")
    alerts_scan()
    alert.refresh_from_db()
    assert alert.state == "resolved"
