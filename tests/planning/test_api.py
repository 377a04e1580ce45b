"""/api/v1/demand-plans/, replenishment-policies and replenishment-suggestions."""

import datetime as dt

import pytest

from planning.models import DemandPlan, ReplenishmentSuggestion
from planning.services import planning_run
from tests.factories import SiteFactory
from tests.planning.test_run import AS_OF, make_planned

URL = "/api/v1/"


@pytest.fixture
def planned(db):
    part = make_planned()
    planning_run(as_of=AS_OF)
    return part


def test_a_list_of_plans_upserts_on_part_site_and_period(api_for, buyer, planned):
    SiteFactory(code="EAST")
    api = api_for(buyer)
    body = [
        {"part": "P-PLAN", "site": "MAIN", "period_start": "2026-03-02", "quantity": "25"},
        {"part": "P-PLAN", "site": "EAST", "period_start": "2026-03-02", "quantity": "5"},
    ]
    assert api.post(URL + "demand-plans/", body, format="json").status_code == 201
    body[0]["quantity"] = "30"
    assert api.post(URL + "demand-plans/", body, format="json").status_code == 201
    plan = DemandPlan.objects.get(part=planned, site="MAIN", period_start=dt.date(2026, 3, 2))
    assert plan.quantity == 30
    assert DemandPlan.objects.filter(part=planned, period_start=dt.date(2026, 3, 2)).count() == 2


def test_a_bad_plan_batch_writes_nothing(api_for, buyer, planned):
    before = DemandPlan.objects.count()
    body = [
        {"part": "P-PLAN", "site": "MAIN", "period_start": "2027-01-04", "quantity": "5"},
        {"part": "NOPE", "site": "MAIN", "period_start": "2027-01-04", "quantity": "-1"},
    ]
    response = api_for(buyer).post(URL + "demand-plans/", body, format="json")
    assert response.status_code == 400
    assert {e["index"] for e in response.json()["errors"]} == {1}
    assert DemandPlan.objects.count() == before


def test_a_plan_for_an_unknown_site_is_refused(api_for, buyer, planned):
    body = [{"part": "P-PLAN", "site": "NOWHERE", "period_start": "2027-01-04", "quantity": "5"}]
    response = api_for(buyer).post(URL + "demand-plans/", body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "No site NOWHERE."
    assert not DemandPlan.objects.filter(period_start=dt.date(2027, 1, 4)).exists()


def test_lists_filter_by_site_code(api_for, buyer, planned):
    api = api_for(buyer)
    for name in ("demand-plans", "replenishment-policies", "replenishment-suggestions"):
        main = api.get(f"{URL}{name}/?site=main").json()["results"]
        assert main and {row["site"] for row in main} == {"MAIN"}
        assert api.get(f"{URL}{name}/?site=EAST").json()["results"] == []


def test_policies_show_kind_cost_and_savings(api_for, viewer, planned):
    rows = api_for(viewer).get(URL + "replenishment-policies/?part=P-PLAN").json()["results"]
    (row,) = rows
    assert row["kind"] == "exact" and row["site"] == "MAIN"
    for name in ("expected_cost_per_period", "fill_rate", "saving_vs_single_pct"):
        assert row[name] is not None
    assert row["lot_size"] == "10.000"


def test_release_places_the_order(api_for, buyer, planned):
    suggestion = ReplenishmentSuggestion.objects.filter(state="open").first()
    api = api_for(buyer)
    response = api.post(f"{URL}replenishment-suggestions/{suggestion.pk}/release/")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "released"
    assert response.json()["purchase_order"].startswith("RP-")
    again = api.post(f"{URL}replenishment-suggestions/{suggestion.pk}/release/")
    assert again.status_code == 400


def test_viewers_cannot_release(api_for, viewer, planned):
    suggestion = ReplenishmentSuggestion.objects.filter(state="open").first()
    response = api_for(viewer).post(f"{URL}replenishment-suggestions/{suggestion.pk}/release/")
    assert response.status_code == 403


def test_supplier_contacts_see_no_plans_policies_or_suggestions(api_for, planned):
    from suppliers.models import Supplier
    from tests.factories import SupplierContactFactory

    contact = SupplierContactFactory(supplier=Supplier.objects.get(code="SLOW")).user
    api = api_for(contact)
    for name in ("demand-plans", "replenishment-policies", "replenishment-suggestions"):
        assert api.get(f"{URL}{name}/").json()["results"] == []
    suggestion = ReplenishmentSuggestion.objects.filter(supplier__code="SLOW").first()
    assert api.get(f"{URL}replenishment-suggestions/{suggestion.pk}/").status_code == 404
    post = api.post(f"{URL}replenishment-suggestions/{suggestion.pk}/release/")
    assert post.status_code in (403, 404)
