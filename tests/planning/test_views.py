"""The Suggested orders page and a part's planning page."""

import pytest

from planning.models import ReplenishmentSuggestion
from planning.services import planning_run
from tests.factories import SupplierContactFactory
from tests.planning.test_run import AS_OF, make_planned


@pytest.fixture
def planned(db):
    part = make_planned()
    planning_run(as_of=AS_OF)
    return part


def test_buyers_release_several_suggestions_in_one_click(client_for, buyer, planned):
    client = client_for(buyer)
    page = client.get("/planning/suggestions/?site=MAIN")
    assert page.status_code == 200
    open_ = list(ReplenishmentSuggestion.objects.filter(state="open"))
    for s in open_:
        assert s.reason in page.content.decode()
    response = client.post("/planning/suggestions/release/", {"ids": [s.pk for s in open_]})
    assert response.status_code == 302
    states = set(
        ReplenishmentSuggestion.objects.filter(pk__in=[s.pk for s in open_]).values_list(
            "state", flat=True
        )
    )
    assert states == {"released"}


def test_filters_narrow_the_list(client_for, viewer, planned):
    page = client_for(viewer).get("/planning/suggestions/?supplier=NOPE")
    assert "No suggestions match." in page.content.decode()


def test_the_part_page_shows_the_policy_its_inputs_and_a_chart(client_for, viewer, planned):
    page = client_for(viewer).get("/planning/parts/P-PLAN/?site=MAIN")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Optimal (value iteration)" in html
    assert "demand plan" in html and "price × FX" in html
    assert 'class="chart" data-figure="' in html and "simulated year" in html


def test_contacts_get_404(client_for, planned):
    from suppliers.models import Supplier

    contact = SupplierContactFactory(supplier=Supplier.objects.get(code="SLOW")).user
    client = client_for(contact)
    assert client.get("/planning/suggestions/").status_code == 404
    assert client.get("/planning/parts/P-PLAN/").status_code == 404
    assert client.post("/planning/suggestions/release/", {"ids": [1]}).status_code == 404


def test_viewers_cannot_release(client_for, viewer, planned):
    s = ReplenishmentSuggestion.objects.filter(state="open").first()
    assert (
        client_for(viewer).post("/planning/suggestions/release/", {"ids": [s.pk]}).status_code
        == 403
    )
