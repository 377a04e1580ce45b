"""The planning run: policies cached, suggestions with reasons, release through the PO
service, auto-release counted in the automation rate."""

import datetime as dt
from decimal import Decimal

import pytest

from planning.models import ReplenishmentPolicy, ReplenishmentSuggestion
from planning.services import (
    demand_plans_upsert,
    planning_run,
    planning_setting_set,
    suggestions_release,
)
from purchasing.models import PurchaseOrder
from rules.selectors import automation_rate
from suppliers.models import Supplier
from tests.factories import ApprovedSourceFactory, PartFactory, SiteFactory, SupplierFactory

AS_OF = dt.date(2026, 3, 2)
OPEN = ReplenishmentSuggestion.State.OPEN


def make_planned():
    """A part at site MAIN: FAST (7 days, 12.00) and SLOW (28 days, 10.00), MOQ 10."""
    SiteFactory(code="MAIN")
    part = PartFactory(number="P-PLAN")
    fast = SupplierFactory(code="FAST")
    slow = SupplierFactory(code="SLOW")
    common = {"part": part, "moq": Decimal("10"), "currency": "EUR"}
    ApprovedSourceFactory(
        supplier=fast, unit_price=Decimal("12"), lead_time_days=7, target_share_pct=20, **common
    )
    ApprovedSourceFactory(
        supplier=slow, unit_price=Decimal("10"), lead_time_days=28, target_share_pct=80, **common
    )
    start = AS_OF - dt.timedelta(days=7 * 13)
    demand_plans_upsert(
        rows=[
            {
                "part_id": part.pk,
                "site": "MAIN",
                "period_start": start + dt.timedelta(days=7 * i),
                "quantity": Decimal((i * 7) % 5 * 10),
            }
            for i in range(26)
        ]
    )
    planning_setting_set(part=part, site="MAIN", is_planned=True)
    return part


@pytest.fixture
def planned(db):
    return make_planned()


def test_a_run_caches_a_policy_and_suggests_whole_lots_with_a_reason(planned):
    result = planning_run(as_of=AS_OF)
    assert result.computed == 1
    policy = ReplenishmentPolicy.objects.get(part=planned, site="MAIN")
    assert policy.lot_size == 10  # the MOQ: 40 units / 29 is smaller
    assert policy.kind == "exact"
    assert policy.inputs["demand_from"] == "demand plan"
    assert policy.saving_vs_split_pct is not None and policy.saving_vs_split_pct >= 0
    assert policy.saving_vs_single_pct >= 0
    suggestions = list(ReplenishmentSuggestion.objects.filter(state=OPEN))
    assert suggestions, "an empty site needs stock"
    for s in suggestions:
        assert s.quantity % 10 == 0 and s.quantity >= 10
        assert f"from {s.supplier.code}" in s.reason
        lead = 7 if s.supplier.code == "FAST" else 28
        assert s.need_date == AS_OF + dt.timedelta(days=lead)


def test_the_same_facts_twice_change_nothing(planned):
    planning_run(as_of=AS_OF)
    before = list(ReplenishmentSuggestion.objects.values_list("pk", "state", "quantity"))
    again = planning_run(as_of=AS_OF)
    assert again.cached == 1 and again.computed == 0
    assert again.suggested == 0 and again.superseded == 0
    assert list(ReplenishmentSuggestion.objects.values_list("pk", "state", "quantity")) == before


def test_a_held_source_gets_no_suggestion(planned):
    Supplier.objects.filter(code="SLOW").update(status=Supplier.Status.ON_HOLD)
    planning_run(as_of=AS_OF)
    codes = set(ReplenishmentSuggestion.objects.values_list("supplier__code", flat=True))
    assert codes == {"FAST"}
    assert ReplenishmentPolicy.objects.get(part=planned).kind == "base_stock"


def test_new_facts_supersede_what_is_left_open(planned):
    planning_run(as_of=AS_OF)
    first = set(ReplenishmentSuggestion.objects.values_list("pk", flat=True))
    Supplier.objects.filter(code="FAST").update(status=Supplier.Status.ON_HOLD)
    planning_run(as_of=AS_OF)
    states = dict(ReplenishmentSuggestion.objects.filter(pk__in=first).values_list("pk", "state"))
    assert set(states.values()) <= {ReplenishmentSuggestion.State.SUPERSEDED, OPEN}
    assert not ReplenishmentSuggestion.objects.filter(state=OPEN, supplier__code="FAST").exists()


def test_release_places_a_purchase_order_through_the_po_service(planned, buyer):
    planning_run(as_of=AS_OF)
    open_ = list(ReplenishmentSuggestion.objects.filter(state=OPEN))
    orders = suggestions_release(suggestions=open_, user=buyer)
    assert len(orders) == len({s.supplier_id for s in open_})
    for s in ReplenishmentSuggestion.objects.filter(pk__in=[s.pk for s in open_]):
        assert s.state == ReplenishmentSuggestion.State.RELEASED
        line = s.purchase_order.lines.get(part=planned)
        assert line.quantity == s.quantity and s.purchase_order.supplier_id == s.supplier_id
        assert s.released_by == buyer and not s.auto_released
    # The ordered quantity is now on order: the next run does not suggest it again.
    again = planning_run(as_of=AS_OF)
    assert again.suggested < len(open_) or again.suggested == 0


def test_auto_release_within_the_limit_counts_as_a_decision_applied_alone(planned):
    planning_setting_set(part=planned, site="MAIN", auto_release_limit=Decimal("100000"))
    result = planning_run(as_of=AS_OF)
    assert result.auto_released >= 1
    released = ReplenishmentSuggestion.objects.filter(auto_released=True)
    assert released.count() == result.auto_released
    assert all(s.purchase_order_id and s.released_by is None for s in released)
    assert PurchaseOrder.objects.filter(number__startswith="RP-").count() >= 1
    rate = automation_rate()
    assert rate["planning_released"] == result.auto_released
    assert rate["applied"] >= result.auto_released
    assert rate["automation_rate_pct"] == 100.0


def test_capacity_caps_a_suggestion(planned):
    from parts.models import ApprovedSource

    # 20 units a month is 4.6 a week: less than one lot of 10, so nothing from SLOW.
    ApprovedSource.objects.filter(supplier__code="SLOW").update(monthly_capacity=Decimal("20"))
    planning_run(as_of=AS_OF)
    assert not ReplenishmentSuggestion.objects.filter(supplier__code="SLOW").exists()


def test_suggestions_waiting_more_than_a_day_raise_orders_to_release(planned):
    from django.utils import timezone

    from alerts.models import Alert
    from alerts.services import alerts_scan

    planning_run(as_of=AS_OF)
    alerts_scan(queue_sends=False)
    assert not Alert.objects.filter(kind="orders_to_release").exists()
    ReplenishmentSuggestion.objects.update(created_at=timezone.now() - dt.timedelta(days=2))
    alerts_scan(queue_sends=False)
    alert = Alert.objects.get(kind="orders_to_release")
    assert alert.part == planned and alert.site == "MAIN" and alert.supplier is None
    assert "wait for release" in alert.message


def test_suggestions_are_whole_packs_of_each_source(planned):
    from parts.models import ApprovedSource

    ApprovedSource.objects.filter(part=planned, supplier__code="FAST").update(pack_size=4)
    ApprovedSource.objects.filter(part=planned, supplier__code="SLOW").update(pack_size=6)
    planning_run(as_of=AS_OF)
    policy = ReplenishmentPolicy.objects.get(part=planned, site="MAIN")
    assert policy.lot_size == 12  # the smallest lot ≥ the MOQ 10 in packs of 4 and of 6
    suggestions = list(ReplenishmentSuggestion.objects.filter(state=OPEN))
    assert suggestions
    for s in suggestions:
        assert s.quantity % 12 == 0
