"""The engine on the API: names from docs/api.md, roles from docs/roles.md."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from rules.models import AllocationException
from rules.services import rules_evaluate
from tests.factories import ApprovedSourceFactory
from tests.rules.conftest import AS_OF

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 3, 20, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def shifted(engine):
    engine.rule()
    engine.card(engine.a, otd_pct=82.0)
    rules_evaluate(as_of=AS_OF)
    return engine


@pytest.fixture
def bound_break(engine):
    engine.rule(name="Deep cut", amount=Decimal("65"))
    engine.card(engine.a, otd_pct=82.0)
    rules_evaluate(as_of=AS_OF)
    return AllocationException.objects.get()


RULE = {
    "contract": "C-ACME",
    "name": "OTD floor",
    "part": "P-100",
    "metric": "otd_pct",
    "window": "rolling_days",
    "window_days": 90,
    "comparator": "lt",
    "threshold": "90",
    "action": "shift_share",
    "amount": "10",
    "cooldown_days": 30,
    "is_active": True,
}


def test_a_buyer_creates_a_rule_that_explains_itself(engine, buyer, api_for):
    response = api_for(buyer).post("/api/v1/rules/", RULE, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["contract"] == "C-ACME" and body["part"] == "P-100"
    assert body["sentence"] == (
        "If Acme Castings's 90-day OTD on part P-100 falls below 90 %, move 10 points of share "
        "on part P-100 to the other source, at most once every 30 days."
    )
    assert engine.contract.changes.get(object_type="contractrule").actor == buyer


@pytest.mark.parametrize(
    "change, field",
    [
        ({"window_days": 30}, "window_days"),
        ({"action": "price_tier"}, "metric"),
        ({"amount": "0"}, "amount"),
        ({"threshold": "150"}, "threshold"),
        ({"metric": "speed"}, "metric"),
        ({"contract": "C-NOPE"}, "contract"),
        ({"part": "P-NOPE"}, "part"),
        ({"comparator": "eq"}, "comparator"),
    ],
)
def test_a_bad_rule_is_a_400_with_the_field(engine, buyer, api_for, change, field):
    response = api_for(buyer).post("/api/v1/rules/", {**RULE, **change}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not engine.contract.rules.exists()


def test_a_rule_for_a_part_the_supplier_does_not_supply_is_refused(engine, buyer, api_for):
    other = ApprovedSourceFactory(supplier=engine.b)
    response = api_for(buyer).post(
        "/api/v1/rules/", {**RULE, "part": other.part.number}, format="json"
    )
    assert response.status_code == 400 and "part" in response.json()


def test_rule_update_and_delete_are_audited(engine, buyer, api_for):
    api = api_for(buyer)
    rule_id = api.post("/api/v1/rules/", RULE, format="json").json()["id"]
    assert (
        api.patch(f"/api/v1/rules/{rule_id}/", {"threshold": "85"}, format="json").status_code
        == 200
    )
    assert api.delete(f"/api/v1/rules/{rule_id}/").status_code == 204
    kinds = list(engine.contract.changes.order_by("id").values_list("kind", flat=True))
    assert kinds == ["created", "updated", "deleted"]
    updated = engine.contract.changes.get(kind="updated")
    assert (updated.before["threshold"], updated.after["threshold"]) == ("90.0000", "85.0000")


def test_allocation_changes_use_the_appendix_names(shifted, buyer, api_for):
    response = api_for(buyer).get("/api/v1/allocation-changes/?part=P-100&supplier=BOLT")
    (row,) = response.json()["results"]
    assert row["part"] == "P-100" and row["rule"] == "OTD floor" and row["actor"] == "system"
    assert row["shares_before"] == {"ACME": "80.00", "BOLT": "20.00"}
    assert row["shares_after"] == {"ACME": "70.00", "BOLT": "30.00"}
    assert row["metric_value"] == 82.0 and row["reason"] and row["created_at"]
    assert api_for(buyer).get("/api/v1/allocation-changes/?supplier=ZZZ").json()["count"] == 0


def test_exceptions_list_and_approve_with_a_comment(bound_break, buyer, api_for):
    api = api_for(buyer)
    (row,) = api.get("/api/v1/exceptions/?state=open&supplier=ACME&part=P-100").json()["results"]
    assert row["kind"] == "bound_break" and row["rule"] == "Deep cut"
    assert row["proposed_shares"] == {"ACME": "15.00", "BOLT": "85.00"}
    response = api.post(
        f"/api/v1/exceptions/{row['id']}/approve/", {"comment": "ok"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["state"] == "approved" and response.json()["decided_by"] == "buyer"
    again = api.post(f"/api/v1/exceptions/{row['id']}/reject/", {}, format="json")
    assert again.status_code == 400 and "state" in again.json()
    assert api.get("/api/v1/exceptions/?state=open").json()["count"] == 0


def test_exceptions_cannot_be_created_or_edited(bound_break, buyer, api_for):
    api = api_for(buyer)
    assert api.post("/api/v1/exceptions/", {}, format="json").status_code == 405
    assert api.patch(f"/api/v1/exceptions/{bound_break.pk}/", {}, format="json").status_code == 405


def test_split_a_demand_on_the_api(engine, buyer, api_for):
    payload = {"part": "P-100", "quantity": "1000", "need_date": "2026-04-15"}
    response = api_for(buyer).post("/api/v1/allocations/", payload, format="json")
    assert response.status_code == 200
    lines = {line["supplier"]: line for line in response.json()["lines"]}
    assert lines["ACME"]["quantity"] == "800.000" and lines["BOLT"]["quantity"] == "200.000"
    assert lines["ACME"]["reason"] == "target share 80 %"
    placed = api_for(buyer).post(
        "/api/v1/allocations/", {**payload, "place_orders": True}, format="json"
    )
    assert placed.status_code == 201 and len(placed.json()["purchase_orders"]) == 2


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"part": "P-NOPE", "quantity": "5", "need_date": "2026-04-15"}, "part"),
        ({"part": "P-100", "quantity": "-5", "need_date": "2026-04-15"}, "quantity"),
        ({"part": "P-100", "quantity": "2.5", "need_date": "2026-04-15"}, "quantity"),
        ({"part": "P-100", "quantity": "5", "need_date": "soon"}, "need_date"),
        ({"quantity": "5", "need_date": "2026-04-15"}, "part"),
    ],
)
def test_a_bad_split_request_is_a_400(engine, buyer, api_for, payload, field):
    response = api_for(buyer).post("/api/v1/allocations/", payload, format="json")
    assert response.status_code == 400 and field in response.json()


def test_automation_rate_per_month(shifted, bound_break, buyer, api_for):
    body = api_for(buyer).get("/api/v1/automation-rate/?period=2026-03").json()
    assert (body["applied"], body["exceptions"]) == (1, 1)
    assert body["automation_rate_pct"] == 50.0
    empty = api_for(buyer).get("/api/v1/automation-rate/?period=2025-01").json()
    assert empty["automation_rate_pct"] is None
    assert api_for(buyer).get("/api/v1/automation-rate/?period=March").status_code == 400


def test_viewers_read_but_cannot_write(bound_break, viewer, api_for):
    api = api_for(viewer)
    assert api.get("/api/v1/exceptions/").json()["count"] == 1
    assert api.post(f"/api/v1/exceptions/{bound_break.pk}/approve/").status_code == 403
    assert api.post("/api/v1/rules/", RULE, format="json").status_code == 403
    payload = {"part": "P-100", "quantity": "10", "need_date": "2026-04-15"}
    assert api.post("/api/v1/allocations/", payload, format="json").status_code == 403


def test_a_supplier_contact_sees_none_of_it(shifted, bound_break, contact_a, api_for):
    api = api_for(contact_a)
    for url in ("/api/v1/rules/", "/api/v1/allocation-changes/", "/api/v1/exceptions/"):
        assert api.get(url).json()["count"] == 0, url
    rule_id = shifted.contract.rules.first().pk
    assert api.get(f"/api/v1/rules/{rule_id}/").status_code == 404
    assert api.get(f"/api/v1/exceptions/{bound_break.pk}/").status_code == 404
    assert api.post(f"/api/v1/exceptions/{bound_break.pk}/approve/").status_code in (403, 404)
    assert api.get("/api/v1/automation-rate/").status_code == 404
    payload = {"part": "P-100", "quantity": "10", "need_date": "2026-04-15"}
    assert api.post("/api/v1/allocations/", payload, format="json").status_code == 403
    assert AllocationException.objects.get(pk=bound_break.pk).state == "open"
