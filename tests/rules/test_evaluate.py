"""The engine decides the obvious and leaves the rest to buyers (docs/rules.md)."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command

from rules.models import AllocationBalance, AllocationChange, AllocationException, RuleFiring
from rules.services import rules_evaluate
from suppliers.models import Certificate
from tests.factories import ApprovedSourceFactory, SupplierFactory
from tests.rules.conftest import AS_OF

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 20, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_a_breach_shifts_share_within_bounds_with_one_allocation_change(engine):
    rule = engine.rule()
    engine.card(engine.a, otd_pct=82.0)
    engine.card(engine.b, otd_pct=97.0)

    result = rules_evaluate(as_of=AS_OF)

    assert result.applied == 1 and result.exceptions == 0
    assert engine.shares() == (Decimal("70.00"), Decimal("30.00"))
    change = AllocationChange.objects.get()
    assert change.part == engine.part and change.rule == rule and change.actor is None
    assert change.shares_before == {"ACME": "80.00", "BOLT": "20.00"}
    assert change.shares_after == {"ACME": "70.00", "BOLT": "30.00"}
    assert change.metric_value == 82.0
    assert "ACME" in change.reason and "BOLT" in change.reason
    firing = RuleFiring.objects.get()
    assert (firing.outcome, firing.allocation_change) == ("applied", change)
    assert firing.part == engine.part
    # Both running totals start again after the shift.
    assert AllocationBalance.objects.filter(allocated_quantity=0).count() == 2


def test_the_same_facts_twice_change_nothing(engine):
    engine.rule(cooldown_days=0)
    engine.card(engine.a, otd_pct=82.0)
    rules_evaluate(as_of=AS_OF)
    second = rules_evaluate(as_of=AS_OF)
    assert (second.applied, second.exceptions, second.breaches) == (0, 0, 0)
    assert AllocationChange.objects.count() == 1 and RuleFiring.objects.count() == 1
    assert engine.shares() == (Decimal("70.00"), Decimal("30.00"))


def test_cooldown_holds_across_restarts_then_lets_the_rule_fire_again(engine, frozen):
    engine.rule(cooldown_days=30)
    engine.card(engine.a, otd_pct=82.0)
    rules_evaluate(as_of=AS_OF)
    # New facts ten days later, in a fresh process: the cooldown lives in the database.
    frozen.shift(dt.timedelta(days=10))
    engine.card(engine.a, otd_pct=80.0)
    assert rules_evaluate(as_of=AS_OF + dt.timedelta(days=10)).applied == 0
    assert engine.shares() == (Decimal("70.00"), Decimal("30.00"))
    frozen.shift(dt.timedelta(days=21))
    engine.card(engine.a, otd_pct=79.0)
    assert rules_evaluate(as_of=AS_OF + dt.timedelta(days=31)).applied == 1
    assert engine.shares() == (Decimal("60.00"), Decimal("40.00"))


@pytest.mark.parametrize("lines_due", [1, 4])
def test_a_low_sample_figure_fires_nothing(engine, lines_due):
    engine.rule()
    engine.card(engine.a, otd_pct=0.0, lines_due=lines_due)
    result = rules_evaluate(as_of=AS_OF)
    assert result.breaches == 0 and result.low_sample == 1
    assert not RuleFiring.objects.exists()
    assert engine.shares() == (Decimal("80"), Decimal("20"))


def test_a_null_figure_or_no_scorecard_fires_nothing(engine):
    engine.rule()
    assert rules_evaluate(as_of=AS_OF).breaches == 0
    engine.card(engine.a, otd_pct=None, lines_due=0)
    assert rules_evaluate(as_of=AS_OF).breaches == 0
    assert not RuleFiring.objects.exists()


def test_a_shift_that_would_break_a_bound_becomes_an_exception(engine):
    engine.rule(amount=Decimal("65"))  # ACME 80 → 15 is below its minimum of 20
    engine.card(engine.a, otd_pct=82.0)
    result = rules_evaluate(as_of=AS_OF)
    assert result.applied == 0 and result.exceptions == 1
    exception = AllocationException.objects.get()
    assert exception.kind == "bound_break" and exception.state == "open"
    assert exception.proposed_shares == {"ACME": "15.00", "BOLT": "85.00"}
    assert exception.evidence["figure"]["populations"]["lines_due"] == 20
    assert any("ACME" in text for text in exception.evidence["bounds_broken"])
    assert engine.shares() == (Decimal("80"), Decimal("20"))
    assert RuleFiring.objects.get().exception == exception


def test_both_sources_in_breach_become_an_exception(engine):
    engine.rule()
    engine.card(engine.a, otd_pct=82.0)
    engine.card(engine.b, otd_pct=85.0)
    result = rules_evaluate(as_of=AS_OF)
    assert result.applied == 0
    exception = AllocationException.objects.get()
    assert exception.kind == "both_in_breach"
    assert exception.evidence["other_sources"]["BOLT"]["in_breach"] is True
    assert engine.shares() == (Decimal("80"), Decimal("20"))
    # Evaluated again, the open exception is not raised twice.
    engine.card(engine.a, otd_pct=81.0)
    rules_evaluate(as_of=AS_OF)
    assert AllocationException.objects.count() == 1


def test_a_hold_rule_raises_an_exception_and_leaves_the_supplier_approved(engine):
    engine.rule(action="hold", metric="defect_ppm", comparator="gt", threshold=Decimal("5000"))
    engine.card(engine.a, defect_ppm=12000.0)
    rules_evaluate(as_of=AS_OF)
    exception = AllocationException.objects.get()
    assert (exception.kind, exception.supplier, exception.part) == ("hold", engine.a, None)
    engine.a.refresh_from_db()
    assert engine.a.status == "approved"


def _part_requires_iso_9001(part):
    from parts.category_services import part_category_create

    part.category = part_category_create(
        code="castings", name="Castings", required_certificates=["ISO 9001"]
    )
    part.save()


@pytest.mark.parametrize("make_unusable", ["on_hold", "qualified", "certificate"])
def test_shares_never_go_to_an_unusable_source(engine, make_unusable):
    if make_unusable == "certificate":
        # An expired certificate of a kind the part's category requires.
        _part_requires_iso_9001(engine.part)
        Certificate.objects.create(
            supplier=engine.b, kind="iso_9001", number="Q-1", valid_until=dt.date(2026, 1, 31)
        )
    else:
        engine.b.status = make_unusable
        engine.b.save()
    engine.rule()
    engine.card(engine.a, otd_pct=82.0)
    rules_evaluate(as_of=AS_OF)
    assert engine.shares() == (Decimal("80"), Decimal("20"))
    exception = AllocationException.objects.get()
    assert exception.kind == "single_usable_source" and exception.proposed_shares is None
    assert exception.evidence["other_sources"]["BOLT"]["usable"] is False


def test_an_expired_certificate_no_category_requires_keeps_the_source_usable(engine):
    Certificate.objects.create(
        supplier=engine.b, kind="iso_14001", number="E-1", valid_until=dt.date(2026, 1, 31)
    )
    _part_requires_iso_9001(engine.part)
    Certificate.objects.create(
        supplier=engine.b, kind="iso_9001", number="Q-2", valid_until=dt.date(2027, 1, 31)
    )
    engine.rule()
    engine.card(engine.a, otd_pct=82.0)
    assert rules_evaluate(as_of=AS_OF).applied == 1


def test_a_renewed_certificate_keeps_the_source_usable(engine):
    _part_requires_iso_9001(engine.part)
    for number, until in (("Q-1", dt.date(2025, 1, 31)), ("Q-2", dt.date(2027, 1, 31))):
        Certificate.objects.create(
            supplier=engine.b, kind="iso_9001", number=number, valid_until=until
        )
    engine.rule()
    engine.card(engine.a, otd_pct=82.0)
    assert rules_evaluate(as_of=AS_OF).applied == 1


def test_three_sources_share_the_moved_points_among_usable_ones(engine):
    third = SupplierFactory(code="CAST")
    engine.source_a.target_share_pct = Decimal("60")
    engine.source_a.save()
    ApprovedSourceFactory(part=engine.part, supplier=third, target_share_pct=Decimal("20"))
    engine.rule()
    engine.card(engine.a, otd_pct=82.0)
    rules_evaluate(as_of=AS_OF)
    change = AllocationChange.objects.get()
    assert change.shares_after == {"ACME": "50.00", "BOLT": "25.00", "CAST": "25.00"}
    assert sum(Decimal(v) for v in change.shares_after.values()) == 100


def test_a_part_rule_reads_the_part_row(engine):
    engine.rule(part=engine.part)
    engine.card(engine.a, otd_pct=99.0)  # fine overall ...
    engine.part_card(engine.a, otd_pct=70.0)  # ... but late on this part
    engine.part_card(engine.b, otd_pct=99.0)
    assert rules_evaluate(as_of=AS_OF).applied == 1


def test_a_period_rule_reads_the_last_closed_month(engine):
    engine.rule(window="period")
    engine.card(engine.a, otd_pct=99.0)
    engine.card(engine.a, period="2026-03", otd_pct=50.0)  # the month still running
    assert rules_evaluate(as_of=AS_OF).breaches == 0
    engine.card(engine.a, period="2026-02", otd_pct=70.0)
    assert rules_evaluate(as_of=AS_OF).applied == 1


def test_a_rolling_window_that_is_not_stored_is_skipped(engine):
    engine.rule(window_days=30)
    engine.card(engine.a, otd_pct=10.0)
    result = rules_evaluate(as_of=AS_OF)
    assert result.skipped == 1 and result.breaches == 0


def test_notify_records_a_firing_only(engine):
    engine.rule(action="notify", amount=Decimal("0"))
    engine.card(engine.a, otd_pct=82.0)
    rules_evaluate(as_of=AS_OF)
    firing = RuleFiring.objects.get()
    assert firing.outcome == "notified" and firing.part is None
    assert engine.shares() == (Decimal("80"), Decimal("20"))


def test_inactive_rules_and_expired_contracts_do_not_fire(engine):
    engine.rule(is_active=False)
    engine.card(engine.a, otd_pct=10.0)
    assert rules_evaluate(as_of=AS_OF).rules == 0
    engine.contract.valid_to = dt.date(2026, 1, 31)
    engine.contract.save()
    engine.rule()
    assert rules_evaluate(as_of=AS_OF).rules == 0


def test_only_the_named_suppliers_are_evaluated(engine):
    engine.rule()
    engine.card(engine.a, otd_pct=82.0)
    assert rules_evaluate(supplier_ids=[engine.b.pk], as_of=AS_OF).rules == 0
    assert rules_evaluate(supplier_ids=[engine.a.pk], as_of=AS_OF).applied == 1


def test_evaluate_rules_command_prints_a_summary(engine, capsys):
    engine.rule()
    engine.card(engine.a, otd_pct=82.0)
    call_command("evaluate_rules", "--as-of", AS_OF.isoformat())
    out = capsys.readouterr().out
    assert "Evaluated 1 rules" in out and "1 share shifts applied" in out


def test_evaluation_reads_a_fixed_number_of_queries(engine, django_assert_max_num_queries):
    for index in range(10):
        part_source = ApprovedSourceFactory(supplier=engine.a, target_share_pct=Decimal("50"))
        ApprovedSourceFactory(part=part_source.part, supplier=engine.b)
        engine.rule(name=f"rule {index}")
    engine.card(engine.a, otd_pct=82.0)
    with django_assert_max_num_queries(20):
        result = rules_evaluate(as_of=AS_OF)
    assert result.applied == 11  # one shift per part; the other rules are skipped


def test_a_shift_never_goes_to_a_source_that_does_worse_on_the_same_part(engine):
    engine.rule()  # OTD below 90: move 10 points
    engine.card(engine.a, otd_pct=82.0)
    engine.card(engine.b, otd_pct=95.0)  # BOLT is fine overall …
    engine.part_card(engine.a, otd_pct=85.0)
    engine.part_card(engine.b, otd_pct=60.0)  # … but worse than ACME on this very part
    rules_evaluate(as_of=AS_OF)
    assert engine.shares() == (Decimal("80"), Decimal("20"))
    exception = AllocationException.objects.get()
    assert exception.kind == "receiver_does_worse"
    assert exception.evidence["worse_receivers"] == {
        "BOLT": {"value": 60.0, "breaching_value": 85.0, "level": "part"}
    }
    assert exception.proposed_shares == {"ACME": "70.00", "BOLT": "30.00"}


def test_a_low_sample_part_figure_falls_back_to_the_suppliers(engine):
    engine.rule()
    engine.card(engine.a, otd_pct=82.0)
    engine.card(engine.b, otd_pct=95.0)
    engine.part_card(engine.a, otd_pct=85.0)
    engine.part_card(engine.b, otd_pct=60.0, lines_due=3)  # too few lines to judge the part
    rules_evaluate(as_of=AS_OF)
    assert engine.shares() == (Decimal("70.00"), Decimal("30.00"))
    assert not AllocationException.objects.exists()
