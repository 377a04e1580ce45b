"""The purchasing admin saves through the services: same rules, same KPI refresh."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from purchasing.models import FxRate, PurchaseOrder
from tests.factories import FxRateFactory, PartFactory

pytestmark = pytest.mark.django_db


def _order_form(supplier, part, **changes):
    data = {
        "number": "PO-ADM",
        "supplier": str(supplier.pk),
        "order_date": "2026-02-01",
        "currency": "EUR",
        "created_by": "",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-line_number": "1",
        "lines-0-part": str(part.pk),
        "lines-0-quantity": "10",
        "lines-0-unit_price": "2.5",
        "lines-0-requested_date": "2026-03-01",
        "lines-0-status": "open",
    }
    return data | changes


def test_order_for_a_held_supplier_is_refused_on_the_form(supplier_a, client_for, admin_user):
    supplier_a.status = "on_hold"
    supplier_a.save()
    url = reverse("admin:purchasing_purchaseorder_add")
    response = client_for(admin_user).post(url, _order_form(supplier_a, PartFactory()))
    assert response.status_code == 200
    assert "takes no new orders" in response.content.decode()
    assert not PurchaseOrder.objects.exists()


def test_order_is_created_with_its_lines_and_queues_a_refresh(
    supplier_a, client_for, admin_user, django_capture_on_commit_callbacks, monkeypatch
):
    from engine import tasks

    queued = []
    monkeypatch.setattr(tasks.engine_run, "delay", lambda ids, *_: queued.append(ids))
    url = reverse("admin:purchasing_purchaseorder_add")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin_user).post(url, _order_form(supplier_a, PartFactory()))
    assert response.status_code == 302, response.content.decode()[:3000]
    po = PurchaseOrder.objects.get(number="PO-ADM")
    line = po.lines.get()
    assert line.promised_date == dt.date(2026, 3, 1)  # the requested date until confirmed
    assert queued == [[supplier_a.pk]]


def test_order_without_lines_is_refused_on_the_form(supplier_a, client_for, admin_user):
    url = reverse("admin:purchasing_purchaseorder_add")
    form = _order_form(supplier_a, PartFactory()) | {"lines-TOTAL_FORMS": "0"}
    response = client_for(admin_user).post(url, form)
    assert response.status_code == 200
    assert not PurchaseOrder.objects.exists()


def test_fx_correction_in_the_admin_requests_the_refresh(
    supplier_a, client_for, admin_user, django_capture_on_commit_callbacks, monkeypatch
):
    from engine import tasks
    from tests.scorecards.conftest import Kpi

    queued = []
    monkeypatch.setattr(tasks.engine_run, "delay", lambda ids, *_: queued.append(ids))
    rate = FxRateFactory(currency="USD", date=dt.date(2026, 1, 1), rate=Decimal("0.9"))
    kpi = Kpi(supplier_a)
    kpi.receive(kpi.line(currency="USD"), dt.date(2026, 2, 10), "10")
    url = reverse("admin:purchasing_fxrate_change", args=[rate.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin_user).post(
            url, {"currency": "USD", "date": "2026-01-01", "rate": "0.85"}
        )
    assert response.status_code == 302
    assert FxRate.objects.get().rate == Decimal("0.85")
    assert queued == [[supplier_a.pk]]
