"""Splitting a demand over a part's sources (order allocation, docs/rules.md)."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from purchasing.models import PurchaseOrder
from rules.models import AllocationBalance
from rules.services import balances_rebase, demand_split, demand_split_order, rules_evaluate
from tests.factories import PurchaseOrderFactory, PurchaseOrderLineFactory
from tests.rules.conftest import AS_OF

pytestmark = pytest.mark.django_db
NEED = dt.date(2026, 4, 15)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 3, 20, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


def _by_code(split):
    return {line.supplier.code: line for line in split.lines}


def test_a_plain_split_follows_the_target_shares(engine):
    split = demand_split(part=engine.part, quantity=1000, need_date=NEED)
    lines = _by_code(split)
    assert (lines["ACME"].quantity, lines["BOLT"].quantity) == (800, 200)
    assert lines["ACME"].reason == "target share 80 %"
    assert split.unallocated == 0


def test_a_capacity_shortfall_moves_quantity_and_reports_what_is_left(engine):
    engine.source_b.monthly_capacity = Decimal("500")
    engine.source_b.save()
    engine.source_a.monthly_capacity = Decimal("600")
    engine.source_a.save()
    # 200 already booked at ACME for April: 400 free.
    po = PurchaseOrderFactory(supplier=engine.a)
    PurchaseOrderLineFactory(
        purchase_order=po, part=engine.part, quantity=Decimal("200"),
        requested_date=dt.date(2026, 4, 3),
    )  # fmt: skip
    split = demand_split(part=engine.part, quantity=1000, need_date=NEED)
    lines = _by_code(split)
    assert lines["ACME"].quantity == 400
    assert "capacity" in lines["ACME"].reason and "400" in lines["ACME"].reason
    assert lines["BOLT"].quantity == 500
    assert split.unallocated == 100
    assert any("Shortfall of 100" in note for note in split.notes)


def test_a_line_below_moq_moves_to_the_other_source(engine):
    engine.source_b.moq = Decimal("500")
    engine.source_b.save()
    split = demand_split(part=engine.part, quantity=1000, need_date=NEED)
    lines = _by_code(split)
    assert (lines["ACME"].quantity, lines["BOLT"].quantity) == (1000, 0)
    assert "MOQ" in lines["BOLT"].reason and "moved to ACME" in lines["BOLT"].reason


def test_rounding_keeps_whole_units_and_the_total(engine):
    engine.source_a.target_share_pct = Decimal("66.67")
    engine.source_b.target_share_pct = Decimal("33.33")
    engine.source_a.save()
    engine.source_b.save()
    split = demand_split(part=engine.part, quantity=10, need_date=NEED)
    lines = _by_code(split)
    assert lines["ACME"].quantity + lines["BOLT"].quantity == 10
    assert (lines["ACME"].quantity, lines["BOLT"].quantity) == (7, 3)
    assert "rounding" in lines["ACME"].reason and "rounding" in lines["BOLT"].reason


def test_running_totals_serve_the_source_furthest_below_its_share(engine):
    AllocationBalance.objects.create(
        source=engine.source_a, allocated_quantity=Decimal("1000"), rebased_at=timezone.now()
    )
    AllocationBalance.objects.create(
        source=engine.source_b, allocated_quantity=Decimal("0"), rebased_at=timezone.now()
    )
    lines = _by_code(demand_split(part=engine.part, quantity=500, need_date=NEED))
    # Target after: 1500 × 20 % = 300 for BOLT, which has had nothing: it is served first.
    assert (lines["ACME"].quantity, lines["BOLT"].quantity) == (200, 300)
    assert "running total" in lines["BOLT"].reason


def test_after_a_shift_the_running_totals_are_rebased(engine):
    AllocationBalance.objects.create(
        source=engine.source_a, allocated_quantity=Decimal("8000"), rebased_at=timezone.now()
    )
    AllocationBalance.objects.create(
        source=engine.source_b, allocated_quantity=Decimal("2000"), rebased_at=timezone.now()
    )
    engine.rule(amount=Decimal("30"))
    engine.card(engine.a, otd_pct=70.0)
    assert rules_evaluate(as_of=AS_OF).applied == 1  # 80/20 → 50/50
    lines = _by_code(demand_split(part=engine.part, quantity=1000, need_date=NEED))
    # Without the re-base BOLT would take the whole 1000 (it is 3000 below 50 % of 11000).
    assert (lines["ACME"].quantity, lines["BOLT"].quantity) == (500, 500)


def test_an_unusable_source_gets_nothing_and_says_why(engine):
    engine.b.status = "on_hold"
    engine.b.save()
    lines = _by_code(demand_split(part=engine.part, quantity=100, need_date=NEED))
    assert (lines["ACME"].quantity, lines["BOLT"].quantity) == (100, 0)
    assert "not usable" in lines["BOLT"].reason and "on hold" in lines["BOLT"].reason


def test_bad_demands_are_refused_with_field_errors(engine):
    for quantity, field in (
        ("0", "quantity"),
        ("-3", "quantity"),
        ("x", "quantity"),
        ("1.5", "quantity"),
    ):
        with pytest.raises(ValidationError) as error:
            demand_split(part=engine.part, quantity=quantity, need_date=NEED)
        assert field in error.value.message_dict
    engine.a.status = engine.b.status = "on_hold"
    engine.a.save()
    engine.b.save()
    with pytest.raises(ValidationError) as error:
        demand_split(part=engine.part, quantity=10, need_date=NEED)
    assert "part" in error.value.message_dict


def test_a_split_becomes_purchase_orders_in_one_step(engine, buyer):
    balances_rebase(part_ids=[engine.part.pk])
    split, orders = demand_split_order(part=engine.part, quantity=1000, need_date=NEED, user=buyer)
    assert len(orders) == 2
    placed = {po.supplier.code: po for po in PurchaseOrder.objects.prefetch_related("lines")}
    assert placed["ACME"].lines.get().quantity == 800
    assert placed["BOLT"].lines.get().requested_date == NEED
    assert placed["BOLT"].lines.get().unit_price == engine.source_b.unit_price
    totals = dict(
        AllocationBalance.objects.values_list("source__supplier__code", "allocated_quantity")
    )
    assert totals == {"ACME": 800, "BOLT": 200}
