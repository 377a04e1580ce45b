"""GET /api/v1/alerts/ with the names of docs/api.md and filters; acknowledge and resolve."""

import datetime as dt

import pytest

from alerts.kinds import Kind
from alerts.models import Alert
from alerts.services import alerts_scan
from parts.models import ApprovedSource
from tests.alerts.conftest import NOW, TODAY
from tests.factories import ApprovedSourceFactory, PartFactory, PurchaseOrderLineFactory

pytestmark = pytest.mark.django_db

# The alert fields docs/api.md lists as stable.
APPENDIX_FIELDS = {
    "id",
    "kind",
    "severity",
    "state",
    "supplier",
    "part",
    "purchase_order",
    "line",
    "dedupe_key",
    "message",
    "first_seen",
    "last_seen",
}


@pytest.fixture
def world(clock, owned):
    supplier_a, supplier_b = owned
    lines = {}
    for supplier in owned:
        lines[supplier.code] = PurchaseOrderLineFactory(
            purchase_order__supplier=supplier,
            purchase_order__order_date=TODAY - dt.timedelta(days=40),
            requested_date=TODAY - dt.timedelta(days=9),
            acknowledged_at=NOW,
        )
    # A part both supply, then BOLT's source is deactivated: single-sourced at ACME.
    shared = PartFactory(number="SHARED-1")
    ApprovedSourceFactory(part=shared, supplier=supplier_a)
    ApprovedSourceFactory(part=shared, supplier=supplier_b)
    ApprovedSource.objects.filter(supplier=supplier_b, part=shared).update(is_active=False)
    alerts_scan()
    return lines


def listed(api, **params):
    response = api.get("/api/v1/alerts/", params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_a_buyer_lists_every_alert_with_the_appendix_fields(world, buyer, api_for):
    items = listed(api_for(buyer))
    assert set(items[0]) >= APPENDIX_FIELDS
    past_due = [i for i in items if i["kind"] == "line_past_due"]
    assert {i["supplier"] for i in past_due} == {"ACME", "BOLT"}
    acme = next(i for i in past_due if i["supplier"] == "ACME")
    line = world["ACME"]
    assert acme["purchase_order"] == line.purchase_order.number
    assert acme["line"] == line.line_number
    assert acme["part"] == line.part.number
    assert acme["severity"] == "critical" and acme["state"] == "open"


def test_filters_by_kind_severity_state_and_supplier(world, buyer, api_for):
    api = api_for(buyer)
    assert {i["kind"] for i in listed(api, kind="single_sourced")} == {"single_sourced"}
    assert {i["supplier"] for i in listed(api, supplier="BOLT")} == {"BOLT"}
    assert {i["severity"] for i in listed(api, severity="critical")} == {"critical"}
    assert listed(api, state="resolved") == []
    response = api.get("/api/v1/alerts/", {"kind": "nonsense"})
    assert response.status_code == 400 and "kind" in response.json()


def test_a_contact_sees_only_its_own_late_lines_never_what_reveals_the_other_source(
    world, contact_a, api_for
):
    items = listed(api_for(contact_a))
    assert {(i["kind"], i["supplier"]) for i in items} == {("line_past_due", "ACME")}
    assert Alert.objects.filter(kind=Kind.SINGLE_SOURCED, supplier__code="ACME").exists()


def test_another_suppliers_alert_answers_404_to_a_contact(world, contact_a, api_for):
    bolt = Alert.objects.get(kind=Kind.LINE_PAST_DUE, supplier__code="BOLT")
    own_single = Alert.objects.get(kind=Kind.SINGLE_SOURCED, supplier__code="ACME")
    api = api_for(contact_a)
    assert api.get(f"/api/v1/alerts/{bolt.pk}/").status_code == 404
    assert api.post(f"/api/v1/alerts/{bolt.pk}/acknowledge/").status_code == 404
    assert api.get(f"/api/v1/alerts/{own_single.pk}/").status_code == 404


def test_a_contact_acknowledges_its_own_alert_but_may_not_resolve_it(world, contact_a, api_for):
    own = Alert.objects.get(kind=Kind.LINE_PAST_DUE, supplier__code="ACME")
    api = api_for(contact_a)
    response = api.post(f"/api/v1/alerts/{own.pk}/acknowledge/")
    assert response.status_code == 200
    assert response.json()["state"] == "acknowledged"
    assert response.json()["acknowledged_by"] == "contact_a"
    assert api.post(f"/api/v1/alerts/{own.pk}/resolve/").status_code == 403


def test_a_buyer_resolves_and_a_resolved_alert_cannot_be_acknowledged(world, buyer, api_for):
    alert = Alert.objects.filter(kind=Kind.LINE_PAST_DUE).first()
    api = api_for(buyer)
    response = api.post(f"/api/v1/alerts/{alert.pk}/resolve/")
    assert response.status_code == 200
    assert response.json()["state"] == "resolved" and response.json()["resolved_by"] == "buyer"
    again = api.post(f"/api/v1/alerts/{alert.pk}/acknowledge/")
    assert again.status_code == 400 and "state" in again.json()


def test_viewers_read_but_do_not_act_and_anonymous_gets_nothing(world, viewer, api_for):
    alert = Alert.objects.first()
    assert listed(api_for(viewer))
    assert api_for(viewer).post(f"/api/v1/alerts/{alert.pk}/acknowledge/").status_code == 403
    assert api_for(None).get("/api/v1/alerts/").status_code in (401, 403)


def test_alerts_cannot_be_created_or_deleted_through_the_api(world, buyer, api_for):
    alert = Alert.objects.first()
    api = api_for(buyer)
    assert api.post("/api/v1/alerts/", {}, format="json").status_code == 405
    assert api.delete(f"/api/v1/alerts/{alert.pk}/").status_code == 405


def test_the_list_exports_as_csv(world, buyer, api_for):
    response = api_for(buyer).get("/api/v1/alerts/", {"format": "csv"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"dedupe_key" in body and b"line_past_due" in body
