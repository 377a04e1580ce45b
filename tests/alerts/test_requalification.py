"""`requalification_due`: a warning 30 days before an approved supplier's qualification
runs out, critical once it has; a new passed assessment clears it."""

import datetime as dt

import pytest
from django.utils import timezone

from alerts.models import Alert
from alerts.services import alerts_scan
from suppliers.models import Supplier
from tests.factories import SupplierFactory, passed_assessment

pytestmark = pytest.mark.django_db


def _scan():
    alerts_scan(as_of=timezone.now())
    return {
        (a.supplier.code, a.severity, a.state)
        for a in Alert.objects.filter(kind="requalification_due").select_related("supplier")
    }


def test_warning_then_critical_then_cleared(buyer):
    today = timezone.localdate()
    soon = SupplierFactory(code="SOON")
    late = SupplierFactory(code="LATE")
    fine = SupplierFactory(code="FINE")
    prospect = SupplierFactory(code="PROS", status=Supplier.Status.PROSPECT)
    # 12 months minus 20 days ago: due in about 20 days.
    passed_assessment(soon, assessed_on=today - dt.timedelta(days=345))
    passed_assessment(late, assessed_on=today - dt.timedelta(days=380))
    passed_assessment(fine, assessed_on=today - dt.timedelta(days=100))
    passed_assessment(prospect, assessed_on=today - dt.timedelta(days=380))
    found = _scan()
    assert found == {("SOON", "warning", "open"), ("LATE", "critical", "open")}
    message = Alert.objects.get(supplier=late).message
    assert message.startswith("LATE: re-qualification was due on")
    passed_assessment(late, assessed_by=buyer)
    found = _scan()
    assert ("LATE", "critical", "resolved") in found
    assert ("LATE", "critical", "open") not in found


def test_brought_over_suppliers_count_from_their_creation():
    old = SupplierFactory(code="OLD")
    Supplier.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=400))
    SupplierFactory(code="NEW")  # created today: due in a year
    assert _scan() == {("OLD", "critical", "open")}
    assert "no assessment on file" in Alert.objects.get(supplier=old).message
