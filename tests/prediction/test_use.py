"""Risk at work: the `line_at_risk` alert and the predicted-OTD rule's exception."""

import datetime as dt
from decimal import Decimal

import pytest

from alerts.models import Alert
from alerts.services import alerts_scan
from contracts.models import ContractRule
from prediction.models import LineRisk
from prediction.selectors import supplier_expected_otd
from purchasing.models import ShipNotice, ShipNoticeLine
from rules.models import AllocationChange, AllocationException
from rules.services import rules_evaluate
from tests.factories import ApprovedSourceFactory, ContractFactory, PartFactory
from tests.prediction.builders import line_add

TODAY = dt.date(2026, 3, 20)
NOW = dt.datetime(2026, 3, 20, 9, 0, tzinfo=dt.UTC)


def _risky(supplier, part, *, promised, risk, quantity=100):
    line = line_add(
        supplier=supplier, part=part, ordered=dt.date(2026, 2, 1), promised=promised,
        quantity=quantity,
    )  # fmt: skip
    LineRisk.objects.create(
        line=line, late_risk=risk, expected_days_late=3.0, source="model", scored_at=NOW
    )
    return line


@pytest.fixture
def part(supplier_a, supplier_b):
    part = PartFactory(number="P-200")
    ApprovedSourceFactory(
        part=part, supplier=supplier_a, target_share_pct=Decimal("60"),
        min_share_pct=Decimal("0"), max_share_pct=Decimal("100"),
    )  # fmt: skip
    ApprovedSourceFactory(
        part=part, supplier=supplier_b, target_share_pct=Decimal("40"),
        min_share_pct=Decimal("0"), max_share_pct=Decimal("100"),
    )  # fmt: skip
    return part


def test_line_at_risk_alert_needs_risk_soon_due_and_no_ship_notice(
    supplier_a, part, api_for, buyer, contact_a
):
    day = dt.timedelta(days=1)
    alerted = _risky(supplier_a, part, promised=TODAY + 21 * day, risk=0.6)
    _risky(supplier_a, part, promised=TODAY + 10 * day, risk=0.59)  # below the threshold
    _risky(supplier_a, part, promised=TODAY + 22 * day, risk=0.9)  # not within 21 days
    shipped = _risky(supplier_a, part, promised=TODAY + 5 * day, risk=0.95)
    notice = ShipNotice.objects.create(
        supplier=supplier_a, number="ASN-9", ship_date=TODAY, eta=TODAY + 5 * day
    )
    ShipNoticeLine.objects.create(ship_notice=notice, line=shipped, quantity=100)

    alerts_scan(as_of=NOW)

    alerts = Alert.objects.filter(kind="line_at_risk")
    assert [(a.line_id, a.severity, a.state) for a in alerts] == [(alerted.pk, "warning", "open")]
    assert "60% risk" in alerts[0].message
    assert len(api_for(buyer).get("/api/v1/alerts/?kind=line_at_risk").json()["results"]) == 1
    assert api_for(contact_a).get("/api/v1/alerts/?kind=line_at_risk").json()["results"] == []

    LineRisk.objects.filter(line=alerted).update(late_risk=0.2)
    alerts_scan(as_of=NOW + dt.timedelta(minutes=5))
    assert Alert.objects.get(kind="line_at_risk").state == "resolved"


def test_expected_otd_is_quantity_weighted(supplier_a, part):
    _risky(supplier_a, part, promised=TODAY, risk=0.5, quantity=100)
    _risky(supplier_a, part, promised=TODAY, risk=0.1, quantity=300)
    # (100 × 0.5 + 300 × 0.9) / 400 = 80 %
    assert supplier_expected_otd(supplier_id=supplier_a.pk)["pct"] == pytest.approx(80.0)


def test_a_predicted_breach_goes_to_the_exceptions_queue_never_applied(
    supplier_a, supplier_b, part
):
    for k in range(5):
        _risky(supplier_a, part, promised=TODAY + dt.timedelta(days=3 + k), risk=0.5)
    rule = ContractRule.objects.create(
        contract=ContractFactory(supplier=supplier_a),
        name="Predicted OTD floor",
        metric="predicted_otd_pct",
        window="rolling_days",
        window_days=90,
        comparator="lt",
        threshold=Decimal("90"),
        action="shift_share",
        amount=Decimal("10"),
        cooldown_days=30,
    )

    result = rules_evaluate(as_of=TODAY)

    assert result.applied == 0 and result.exceptions == 1
    assert not AllocationChange.objects.exists()
    exception = AllocationException.objects.get()
    assert exception.kind == "predicted" and exception.rule == rule
    assert exception.evidence["predicted"] is True
    assert exception.evidence["value"] == pytest.approx(50.0)
    assert exception.proposed_shares == {"ACME": "50.00", "BOLT": "50.00"}
    assert set(part.sources.values_list("target_share_pct", flat=True)) == {
        Decimal("60"), Decimal("40")
    }  # fmt: skip


def test_a_predicted_figure_on_few_lines_decides_nothing(supplier_a, supplier_b, part):
    for k in range(4):
        _risky(supplier_a, part, promised=TODAY + dt.timedelta(days=3 + k), risk=0.9)
    ContractRule.objects.create(
        contract=ContractFactory(supplier=supplier_a), name="Predicted", metric="predicted_otd_pct",
        window="rolling_days", window_days=90, comparator="lt", threshold=Decimal("90"),
        action="shift_share", amount=Decimal("10"), cooldown_days=30,
    )  # fmt: skip
    assert rules_evaluate(as_of=TODAY).exceptions == 0
