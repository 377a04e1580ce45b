"""Policies are cached while the hash of their inputs is unchanged; the run reads its
inputs for every planned part at once; sites are foreign keys; the engine's nightly run
plans; a simulated cost says so."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext

from planning import policy as policy_module
from planning import services
from planning.models import PlanningSetting, ReplenishmentPolicy, ReplenishmentSuggestion
from planning.policies import chain, heuristics
from planning.policies.choose import Choice
from planning.policies.heuristics import Candidate
from planning.services import demand_plans_upsert, planning_run, planning_setting_set
from sites.models import Site
from tests.factories import InventoryPositionFactory, SiteFactory
from tests.planning.test_run import AS_OF, make_planned

OPEN = ReplenishmentSuggestion.State.OPEN


@pytest.fixture
def planned(db):
    return make_planned()


@pytest.fixture
def computed(monkeypatch):
    """Count the policies actually computed (not served from the cache)."""
    calls = []
    real = services.compute_policy

    def counting(inputs, days):
        calls.append((inputs.part_id, inputs.site))
        return real(inputs, days)

    monkeypatch.setattr(services, "compute_policy", counting)
    return calls


def _writes(queries) -> list[str]:
    verbs = ("INSERT", "UPDATE", "DELETE")
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(verbs)]


def _plan_at(part, site: str, quantity: int) -> None:
    start = AS_OF - dt.timedelta(days=7 * 13)
    rows = [
        {
            "part_id": part.pk,
            "site": site,
            "period_start": start + dt.timedelta(days=7 * i),
            "quantity": Decimal(quantity * (i % 3)),
        }
        for i in range(26)
    ]
    demand_plans_upsert(rows=rows)
    planning_setting_set(part=part, site=site)


def test_unchanged_inputs_recompute_nothing_and_write_nothing(planned, computed):
    planning_run(as_of=AS_OF)
    assert computed == [(planned.pk, "MAIN")]
    stored = ReplenishmentPolicy.objects.get()
    with CaptureQueriesContext(connection) as queries:
        again = planning_run(as_of=AS_OF)
    assert len(computed) == 1, "the cached policy is served, not recomputed"
    assert (again.computed, again.cached) == (0, 1)
    assert _writes(queries.captured_queries) == []
    assert ReplenishmentPolicy.objects.get().computed_at == stored.computed_at


def test_a_later_day_of_the_same_period_keeps_the_cache(planned, computed):
    planning_run(as_of=AS_OF)
    again = planning_run(as_of=AS_OF + dt.timedelta(days=3))
    assert again.computed == 0 and len(computed) == 1


@pytest.mark.parametrize(
    "change",
    ["price of the slow source", "demand plan", "service level", "source held"],
)
def test_changed_inputs_recompute_the_policy(planned, computed, change):
    from parts.models import ApprovedSource
    from suppliers.models import Supplier

    planning_run(as_of=AS_OF)
    before = ReplenishmentPolicy.objects.get().fingerprint
    if change == "price of the slow source":
        ApprovedSource.objects.filter(supplier__code="SLOW").update(unit_price=Decimal("9"))
    elif change == "demand plan":
        _plan_at(planned, "MAIN", 80)
    elif change == "service level":
        PlanningSetting.objects.update(service_level=Decimal("0.99"))
    else:
        Supplier.objects.filter(code="FAST").update(status=Supplier.Status.ON_HOLD)
    again = planning_run(as_of=AS_OF)
    assert (again.computed, again.cached) == (1, 0)
    assert len(computed) == 2
    assert ReplenishmentPolicy.objects.get().fingerprint != before


def test_new_stock_changes_the_orders_not_the_policy(planned, computed):
    planning_run(as_of=AS_OF)
    first = ReplenishmentSuggestion.objects.filter(state=OPEN).count()
    InventoryPositionFactory(
        part=planned, site=Site.objects.get(code="MAIN"), on_hand=Decimal("400")
    )
    again = planning_run(as_of=AS_OF)
    assert again.computed == 0 and len(computed) == 1
    assert first and again.superseded == first  # that much stock needs no order now
    assert not ReplenishmentSuggestion.objects.filter(state=OPEN).exists()


def test_the_run_reads_its_inputs_in_the_same_queries_for_one_part_or_many(db):
    one = make_planned()
    planning_run(as_of=AS_OF)  # compute and store
    with CaptureQueriesContext(connection) as single:
        planning_run(as_of=AS_OF)
    SiteFactory(code="EAST")
    SiteFactory(code="WEST")
    _plan_at(one, "EAST", 30)
    _plan_at(one, "WEST", 50)
    planning_run(as_of=AS_OF)
    with CaptureQueriesContext(connection) as several:
        result = planning_run(as_of=AS_OF)
    assert result.planned == 3 and result.cached == 3
    assert len(several.captured_queries) == len(single.captured_queries)


def test_suggestions_and_policies_are_per_part_and_site(planned, buyer):
    SiteFactory(code="EAST")
    _plan_at(planned, "EAST", 30)
    planning_run(as_of=AS_OF)
    policies = {p.site.code: p for p in ReplenishmentPolicy.objects.select_related("site")}
    assert set(policies) == {"MAIN", "EAST"}
    assert (
        policies["MAIN"].inputs["demand_per_period"]
        != (policies["EAST"].inputs["demand_per_period"])
    )
    east = list(ReplenishmentSuggestion.objects.filter(site__code="EAST", state=OPEN))
    assert east and all(isinstance(s.site, Site) for s in east)
    (order,) = services.suggestions_release(suggestions=east[:1], user=buyer)
    assert order.site.code == "EAST"


def test_a_planning_site_is_a_site_and_cannot_vanish_under_it(planned):
    planning_run(as_of=AS_OF)
    site = Site.objects.get(code="MAIN")
    assert ReplenishmentPolicy.objects.get().site == site
    assert PlanningSetting.objects.filter(site=site).count() == 1
    with pytest.raises(ProtectedError):
        site.delete()


def test_a_setting_for_a_site_that_does_not_exist_is_refused(planned):
    with pytest.raises(IntegrityError), transaction.atomic():
        planning_setting_set(part=planned, site="NOWHERE")
        connection.check_constraints()


def test_the_engine_nightly_run_plans_and_a_posting_run_does_not(planned, computed):
    from engine.pipeline import NIGHTLY, pipeline_run

    with time_machine.travel(dt.datetime(2026, 3, 2, 3, 0, tzinfo=dt.UTC), tick=False):
        posting = pipeline_run()
        assert posting.summary["plan replenishment"] is None
        assert not ReplenishmentPolicy.objects.exists()
        nightly = pipeline_run(mode=NIGHTLY)
        summary = nightly.summary["plan replenishment"]
        assert (summary["planned"], summary["computed"]) == (1, 1)
        assert summary["suggested"] == ReplenishmentSuggestion.objects.count() > 0
        before = list(ReplenishmentSuggestion.objects.values_list("pk", "state", "quantity"))
        again = pipeline_run(mode=NIGHTLY).summary["plan replenishment"]
    assert (again["computed"], again["cached"], again["suggested"]) == (0, 1, 0)
    assert list(ReplenishmentSuggestion.objects.values_list("pk", "state", "quantity")) == before
    assert len(computed) == 1


def test_a_simulated_cost_is_stored_and_shown_as_such(planned, monkeypatch, client_for, viewer):
    def simulated(model, bounds=None, kind=None):
        estimate = Candidate("cdi", {"S_e": 3, "S_r": 8, "q_r_cap": 2}, 41.5, 0.97, 1.0, 1.0)
        estimate.exact, estimate.stderr = False, 0.37
        return Choice(chosen=estimate, candidates=[estimate])

    monkeypatch.setattr(policy_module, "choose", simulated)
    planning_run(as_of=AS_OF)
    policy = ReplenishmentPolicy.objects.get()
    assert (policy.cost_exact, policy.cost_stderr) == (False, 0.37)
    assert any("estimated by simulation" in note for note in policy.inputs["notes"])
    html = client_for(viewer).get("/planning/parts/P-PLAN/?site=MAIN").content.decode()
    assert "41.5000 ± 0.3700" in html and "simulated estimate" in html


def test_an_exact_cost_is_marked_exact(planned, client_for, viewer):
    planning_run(as_of=AS_OF)
    policy = ReplenishmentPolicy.objects.get()
    assert policy.cost_exact and policy.cost_stderr is None
    html = client_for(viewer).get("/planning/parts/P-PLAN/?site=MAIN").content.decode()
    assert "exact: the long-run cost of the policy's Markov chain" in html


def test_past_the_chain_limit_the_search_simulates_within_its_standard_error(monkeypatch):
    from planning.policies.model import DualSourcingModel

    m = DualSourcingModel(
        lead_slow=3, premium=10, holding=5, backlog=95, demand=(0.2, 0.2, 0.2, 0.2, 0.2)
    )
    solve = heuristics.solve_shape

    def too_large(model, rule, max_order, max_states=20_000):
        raise chain.ChainTooLarge("pretend")

    monkeypatch.setattr(heuristics, "solve_shape", too_large)
    estimate = heuristics.search_capped_dual_index(m)
    assert estimate.exact is False and 0 < estimate.stderr < 0.5
    monkeypatch.setattr(heuristics, "solve_shape", solve)
    exact = heuristics.exact_evaluation(m, estimate)
    assert exact is not None
    assert abs(estimate.cost - exact.cost) < 4 * estimate.stderr


def test_without_a_plan_demand_is_the_consumption_between_period_end_readings(planned):
    from planning.facts import history_starts
    from planning.models import DemandPlan

    DemandPlan.objects.all().delete()
    site = Site.objects.get(code="MAIN")
    starts = history_starts(AS_OF)
    assert starts[-1] + dt.timedelta(days=7) == AS_OF  # AS_OF is a Monday: a period start
    levels = [100, 90, 75, 70, 50, 45]
    for j, level in enumerate(levels):
        day = starts[20 + j]
        noon = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
        # An earlier reading of the same period does not count: the last one does.
        InventoryPositionFactory(part=planned, site=site, on_hand=999, read_at=noon)
        later = noon + dt.timedelta(days=2)
        InventoryPositionFactory(part=planned, site=site, on_hand=level, read_at=later)
    planning_run(as_of=AS_OF)
    inputs = ReplenishmentPolicy.objects.get().inputs
    assert inputs["demand_from"] == "consumption (readings and receipts)"
    assert inputs["demand_per_period"] == [10.0, 15.0, 5.0, 20.0, 5.0]


def test_capacity_that_cannot_carry_the_demand_is_planned_uncapped_with_a_note(planned):
    from parts.models import ApprovedSource

    # 20 units a month each: under one lot of 10 a week from either source.
    ApprovedSource.objects.filter(part=planned).update(monthly_capacity=Decimal("20"))
    result = planning_run(as_of=AS_OF)
    assert result.computed == 1
    notes = ReplenishmentPolicy.objects.get().inputs["notes"]
    assert any("cannot carry the mean demand" in note for note in notes)
    # Each order is still capped: less than one lot a period from either source.
    assert not ReplenishmentSuggestion.objects.exists()
