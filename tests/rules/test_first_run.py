"""A first evaluation of a small portfolio decides what a buyer expects, rule by rule and
part by part (docs/rules.md): every kind of decision at once, where one rule's decision
changes what the next may do on the same part."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from contracts.models import ContractRule, PriceTier
from parts.models import ApprovedSource
from rules.models import AllocationChange, AllocationException, RuleFiring
from rules.services import rules_evaluate
from tests.factories import (
    ApprovedSourceFactory,
    ContractFactory,
    PartFactory,
    PurchaseOrderFactory,
    PurchaseOrderLineFactory,
    SupplierFactory,
)
from tests.rules.conftest import AS_OF

pytestmark = pytest.mark.django_db

# What the evaluation decides (docs/rules.md), as a buyer sees it in the share history,
# the exceptions queue and the rules' log.
# rules, breaches, applied, exceptions, notified, price tiers, skipped, low sample
COUNTS = (7, 16, 3, 4, 3, 1, 5, 0)
SHARES = {
    ("P-100", "ACME"): "70.00", ("P-100", "BOLT"): "30.00",
    ("P-200", "ACME"): "50.00", ("P-200", "BOLT"): "30.00", ("P-200", "CAST"): "20.00",
    ("P-300", "ACME"): "50.00", ("P-300", "CAST"): "50.00",
    ("P-400", "ACME"): "100.00",
    ("P-500", "BOLT"): "60.00", ("P-500", "CAST"): "40.00",
}  # fmt: skip
# Only the price tier's source changes price.
PRICES = {key: "9.5000" if key == ("P-100", "ACME") else "10.0000" for key in SHARES}
OTD = "OTD floor: ACME 90-day On-time delivery % 82.00 < 90"
DEFECTS = "Defects last month: ACME monthly Defect rate (PPM) 12000.00 > 5000"
BOLT_OTD = "BOLT OTD floor: BOLT 90-day On-time delivery % 95.00 < 96"
MOVED = "another rule already moved this part's shares now"
CHANGES = [
    ("P-100", "OTD floor", {"ACME": "70.00", "BOLT": "30.00"},
     f"{OTD}: moved 10 points from ACME to BOLT"),
    ("P-200", "OTD floor", {"ACME": "50.00", "BOLT": "30.00", "CAST": "20.00"},
     f"{OTD}: moved 10 points from ACME to BOLT"),
    ("P-500", "BOLT OTD floor", {"BOLT": "60.00", "CAST": "40.00"},
     f"{BOLT_OTD}: moved 10 points from BOLT to CAST"),
]  # fmt: skip
# kind, part, supplier, rule, proposal, other sources (value, in breach, usable, period),
# worse receivers, bounds broken, the breaching figure's period and value
EXCEPTIONS = [
    ("bound_break", "P-300", "ACME", "OTD floor", {"ACME": "40.00", "CAST": "60.00"},
     {"CAST": (97.0, False, True, "rolling-90")}, None,
     ["ACME would fall below its minimum 45.00 %"], "rolling-90", 82.0),
    ("single_usable_source", "P-400", "ACME", "OTD floor", None, {}, None, None,
     "rolling-90", 82.0),
    ("receiver_does_worse", "P-300", "ACME", "Defects last month",
     {"ACME": "45.00", "CAST": "55.00"}, {"CAST": (100.0, False, True, "2026-02")},
     {"CAST": {"value": 9000.0, "breaching_value": 3000.0, "level": "part"}}, [],
     "2026-02", 12000.0),
    ("hold", None, "ACME", "Composite hold", None, {}, None, None, "rolling-90", 55.0),
]  # fmt: skip
# rule, part, supplier, outcome, reason, with an allocation change, with an exception
FIRINGS = [
    ("OTD floor", "P-100", "ACME", "applied", CHANGES[0][3], True, False),
    ("OTD floor", "P-200", "ACME", "applied", CHANGES[1][3], True, False),
    ("OTD floor", "P-300", "ACME", "exception", f"{OTD}: shift would break a share bound",
     False, True),
    ("OTD floor", "P-400", "ACME", "exception", f"{OTD}: part left with one usable source",
     False, True),
    ("Defects last month", "P-100", "ACME", "skipped", f"{DEFECTS}; {MOVED}", False, False),
    ("Defects last month", "P-200", "ACME", "skipped", f"{DEFECTS}; {MOVED}", False, False),
    ("Defects last month", "P-300", "ACME", "exception",
     f"{DEFECTS}: receiving source does worse on the metric", False, True),
    ("Defects last month", "P-400", "ACME", "skipped",
     f"{DEFECTS}; the same exception already awaits review", False, False),
    ("Composite hold", None, "ACME", "exception",
     "Composite hold: ACME 90-day Composite score 55.00 < 60", False, True),
    ("Defects alert", None, "ACME", "notified",
     "Defects alert: ACME 90-day Defect rate (PPM) 8000.00 > 5000", False, False),
    ("Volume P-100", "P-100", "ACME", "price_tier",
     "Volume P-100: ACME 90-day Ordered quantity year-to-date 150.00 ≥ 100: 150 ordered "
     "this year reaches the tier from 100, unit price 10.0000 → 9.5000", False, False),
    # A volume rule without a part reads each part's own quantity.
    ("Volume alert", "P-100", "ACME", "notified",
     "Volume alert: ACME 90-day Ordered quantity year-to-date 150.00 ≥ 50", False, False),
    ("Volume alert", "P-200", "ACME", "notified",
     "Volume alert: ACME 90-day Ordered quantity year-to-date 80.00 ≥ 50", False, False),
    ("BOLT OTD floor", "P-100", "BOLT", "skipped", f"{BOLT_OTD}; {MOVED}", False, False),
    ("BOLT OTD floor", "P-200", "BOLT", "skipped", f"{BOLT_OTD}; {MOVED}", False, False),
    ("BOLT OTD floor", "P-500", "BOLT", "applied", CHANGES[2][3], True, False),
]  # fmt: skip


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 3, 20, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


def _source(part, supplier, share, low="0", high="100"):
    return ApprovedSourceFactory(
        part=part, supplier=supplier, target_share_pct=Decimal(share),
        min_share_pct=Decimal(low), max_share_pct=Decimal(high), monthly_capacity=None,
    )  # fmt: skip


def _rule(contract, name, **fields):
    values = {
        "metric": "otd_pct", "window": "rolling_days", "window_days": 90, "comparator": "lt",
        "threshold": Decimal("90"), "action": "shift_share", "amount": Decimal("10"),
        "cooldown_days": 30,
    }  # fmt: skip
    values.update(fields)
    return ContractRule.objects.create(contract=contract, name=name, **values)


@pytest.fixture
def portfolio(engine):
    """ACME, BOLT and CAST sharing five parts, with rules of every kind on ACME and BOLT.

    P-100 ACME 80 / BOLT 20 (the engine's part), P-200 ACME 60 / BOLT 20 / CAST 20,
    P-300 ACME 50 (min 45) / CAST 50, P-400 ACME alone, P-500 BOLT 70 / CAST 30."""
    a, b = engine.a, engine.b
    c = SupplierFactory(code="CAST", name="Cast Works")
    p2, p3, p4, p5 = (PartFactory(number=f"P-{n}00") for n in (2, 3, 4, 5))
    _source(p2, a, "60"), _source(p2, b, "20"), _source(p2, c, "20")
    _source(p3, a, "50", low="45"), _source(p3, c, "50")
    _source(p4, a, "100")
    _source(p5, b, "70"), _source(p5, c, "30")
    bolt_contract = ContractFactory(supplier=b, reference="C-BOLT")
    _rule(engine.contract, "OTD floor")  # ACME 82 < 90: shift 10 points
    _rule(
        engine.contract, "Defects last month", metric="defect_ppm", window="period",
        comparator="gt", threshold=Decimal("5000"), amount=Decimal("5"),
    )  # fmt: skip
    _rule(
        engine.contract, "Composite hold", metric="composite_score",
        threshold=Decimal("60"), action="hold", amount=Decimal("0"),
    )  # fmt: skip
    _rule(
        engine.contract, "Defects alert", metric="defect_ppm", comparator="gt",
        threshold=Decimal("5000"), action="notify", amount=Decimal("0"),
    )  # fmt: skip
    _rule(
        engine.contract, "Volume P-100", part=engine.part, metric="ordered_quantity_ytd",
        comparator="gte", threshold=Decimal("100"), action="price_tier", amount=Decimal("0"),
    )  # fmt: skip
    _rule(
        engine.contract, "Volume alert", metric="ordered_quantity_ytd", comparator="gte",
        threshold=Decimal("50"), action="notify", amount=Decimal("0"),
    )  # fmt: skip
    _rule(bolt_contract, "BOLT OTD floor", threshold=Decimal("96"))  # BOLT 95 < 96
    PriceTier.objects.create(
        contract=engine.contract, part=engine.part, min_quantity=100, unit_price=Decimal("9.5")
    )
    order = PurchaseOrderFactory(supplier=a, order_date=dt.date(2026, 2, 1))
    PurchaseOrderLineFactory(purchase_order=order, part=engine.part, quantity=Decimal("150"))
    PurchaseOrderLineFactory(purchase_order=order, part=p2, quantity=Decimal("80"))
    engine.card(a, otd_pct=82.0, defect_ppm=8000.0, composite_score=55.0)
    engine.card(b, otd_pct=95.0, defect_ppm=100.0, composite_score=80.0)
    engine.card(c, otd_pct=97.0, defect_ppm=100.0, composite_score=90.0)
    engine.card(a, period="2026-02", defect_ppm=12000.0)
    engine.card(b, period="2026-02", defect_ppm=20000.0)  # in breach of the period rule too
    engine.card(c, period="2026-02", defect_ppm=100.0)
    engine.part_card(a, part=p2, otd_pct=85.0)
    engine.part_card(c, part=p2, otd_pct=60.0)  # CAST does worse than ACME on P-200 only
    # On P-300 CAST had more defects than ACME last month, though fewer over 90 days.
    engine.part_card(a, part=p3, period="2026-02", defect_ppm=3000.0)
    engine.part_card(c, part=p3, period="2026-02", defect_ppm=9000.0)
    engine.part_card(c, part=p3, defect_ppm=50.0)
    return engine


def _decisions():
    def number(part):
        return part.number if part else None

    return {
        "shares": {
            (s.part.number, s.supplier.code): str(s.target_share_pct)
            for s in ApprovedSource.objects.select_related("part", "supplier")
        },
        "prices": {
            (s.part.number, s.supplier.code): str(s.unit_price)
            for s in ApprovedSource.objects.select_related("part", "supplier")
        },
        "changes": [
            (number(c.part), c.rule.name, c.shares_after, c.reason)
            for c in AllocationChange.objects.select_related("part", "rule").order_by("pk")
        ],
        "exceptions": [
            (
                e.kind,
                number(e.part),
                e.supplier.code,
                e.rule.name,
                e.proposed_shares,
                {
                    code: (o["value"], o["in_breach"], o["usable"], o["figure"]["period"])
                    for code, o in e.evidence.get("other_sources", {}).items()
                },
                e.evidence.get("worse_receivers"),
                e.evidence.get("bounds_broken"),
                e.evidence["figure"]["period"],
                e.evidence["value"],
            )  # fmt: skip
            for e in AllocationException.objects.select_related(
                "part", "supplier", "rule"
            ).order_by("pk")
        ],
        "firings": [
            (
                f.rule.name,
                number(f.part),
                f.supplier.code,
                f.outcome,
                f.reason,
                f.allocation_change_id is not None,
                f.exception_id is not None,
            )  # fmt: skip
            for f in RuleFiring.objects.select_related("part", "supplier", "rule").order_by("pk")
        ],
    }


def test_a_first_run_takes_every_kind_of_decision_in_rule_order(portfolio):
    result = rules_evaluate(as_of=AS_OF)

    counts = (
        result.rules, result.breaches, result.applied, result.exceptions, result.notified,
        result.price_tiers, result.skipped, result.low_sample,
    )  # fmt: skip
    assert counts == COUNTS
    got = _decisions()
    assert got["shares"] == SHARES
    assert got["prices"] == PRICES
    assert got["changes"] == CHANGES
    assert got["exceptions"] == EXCEPTIONS
    assert got["firings"] == FIRINGS


def test_the_same_portfolio_evaluated_again_decides_nothing_new(portfolio):
    rules_evaluate(as_of=AS_OF)
    before = _decisions()

    again = rules_evaluate(as_of=AS_OF)

    assert (again.breaches, again.applied, again.exceptions, again.price_tiers) == (0, 0, 0, 0)
    assert _decisions() == before
