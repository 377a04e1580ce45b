"""Volume rules: the next price tier applies once year-to-date orders reach it."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from contracts.models import PriceTier
from rules.models import RuleFiring
from rules.services import rules_evaluate
from tests.factories import PurchaseOrderFactory, PurchaseOrderLineFactory
from tests.rules.conftest import AS_OF

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 3, 20, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


def _ordered(engine, quantity, *, order_date=dt.date(2026, 2, 1), status="open"):
    po = PurchaseOrderFactory(supplier=engine.a, order_date=order_date)
    PurchaseOrderLineFactory(
        purchase_order=po, part=engine.part, quantity=Decimal(quantity), status=status
    )


def test_the_reached_tier_sets_the_sources_price_once(engine):
    engine.rule(
        name="Volume", metric="ordered_quantity_ytd", comparator="gte", threshold=Decimal("0"),
        action="price_tier", amount=Decimal("0"), cooldown_days=0,
    )  # fmt: skip
    low = PriceTier.objects.create(
        contract=engine.contract, part=engine.part, min_quantity=1000, unit_price=Decimal("9.5")
    )
    high = PriceTier.objects.create(
        contract=engine.contract, part=engine.part, min_quantity=5000, unit_price=Decimal("9")
    )
    _ordered(engine, 600)
    _ordered(engine, 900, order_date=dt.date(2025, 12, 20))  # last year: does not count
    _ordered(engine, 900, status="cancelled")
    assert rules_evaluate(as_of=AS_OF).price_tiers == 0

    _ordered(engine, 500)  # 1,100 this year
    assert rules_evaluate(as_of=AS_OF).price_tiers == 1
    engine.source_a.refresh_from_db()
    assert engine.source_a.unit_price == Decimal("9.5")
    low.refresh_from_db()
    high.refresh_from_db()
    assert (low.is_applied, high.is_applied) == (True, False)
    assert engine.contract.changes.filter(object_type="pricetier", kind="updated").count() == 1
    # Nothing new: the same tier is not applied twice.
    assert rules_evaluate(as_of=AS_OF).price_tiers == 0
    assert RuleFiring.objects.filter(outcome="price_tier").count() == 1
    engine.source_b.refresh_from_db()
    assert engine.source_b.unit_price == Decimal("10")  # the other source keeps its price
