"""The backtest split, calibration on a known probability, and the baseline fallback."""

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from django.conf import settings
from django.db import transaction
from django.db.models import Q

from prediction.backtest import backtest_folds
from prediction.facts import day_number, day_of, facts_load
from prediction.features import FEATURES
from prediction.models import LineRisk, PredictionModel
from prediction.services import lines_score
from prediction.training import Samples, model_fit, training_samples
from purchasing.models import (
    PromiseRevision,
    PurchaseOrderLine,
    Receipt,
    ShipNotice,
    TransitEvent,
)
from tests.factories import ApprovedSourceFactory, PartFactory, SupplierFactory
from tests.prediction.builders import line_add

TODAY = dt.date(2026, 9, 10)


@pytest.fixture
def months_of_history(db):
    """Two suppliers, a line every 4 days since January: one always on time, the other
    late one line in three."""
    suppliers = [SupplierFactory(code="GOOD"), SupplierFactory(code="LATE")]
    part = PartFactory()
    for supplier in suppliers:
        ApprovedSourceFactory(part=part, supplier=supplier, monthly_capacity=1000)
    day = dt.date(2026, 1, 2)
    k = 0
    while day < TODAY + dt.timedelta(days=20):
        for supplier in suppliers:
            promised = day + dt.timedelta(days=21)
            late = supplier.code == "LATE" and k % 3 == 0
            arrives = promised + dt.timedelta(days=5 if late else 0)
            line_add(
                supplier=supplier,
                part=part,
                ordered=day,
                promised=promised,
                received=arrives if arrives <= TODAY else None,
            )
        day += dt.timedelta(days=4)
        k += 1
    return suppliers


def _blind_samples(cutoff: int, exclude) -> Samples:
    """Training samples computed with every fact dated on or after day `cutoff` removed
    from the database (rolled back afterwards)."""
    first = day_of(cutoff)
    start = dt.datetime.combine(first, dt.time(), tzinfo=ZoneInfo(settings.TIME_ZONE))
    with transaction.atomic():
        later = PurchaseOrderLine.objects.filter(purchase_order__order_date__gte=first)
        Receipt.objects.filter(Q(receipt_date__gte=first) | Q(line__in=later)).delete()
        PromiseRevision.objects.filter(created_at__gte=start).delete()
        TransitEvent.objects.filter(occurred_at__gte=start).delete()
        ShipNotice.objects.filter(created_at__gte=start).delete()
        LineRisk.objects.filter(line__in=later).delete()
        later.delete()
        PurchaseOrderLine.objects.filter(acknowledged_at__gte=start).update(acknowledged_at=None)
        samples = training_samples(facts_load(), cutoff=cutoff, exclude=exclude)
        transaction.set_rollback(True)
    return samples


def test_backtest_trains_on_nothing_from_the_test_month(months_of_history):
    facts = facts_load()
    folds = backtest_folds(facts, today=TODAY)
    assert [f.month for f in folds] == [
        "2026-03",
        "2026-04",
        "2026-05",
        "2026-06",
        "2026-07",
        "2026-08",
    ]
    for fold in folds:
        cutoff = day_number(fold.cutoff)
        test_ids = set(fold.test.line_ids.tolist())
        assert test_ids and len(fold.train)
        assert not test_ids & set(fold.train.line_ids.tolist())
        assert fold.train.as_of.max() < cutoff
        assert set(fold.test.as_of.tolist()) == {cutoff - 1}
        # Training without any fact dated on or after the cut-off gives the same samples.
        blind = _blind_samples(cutoff, test_ids)
        pd.testing.assert_frame_equal(blind.X, fold.train.X)
        assert (blind.late == fold.train.late).all()


def test_calibrated_probabilities_match_a_known_rate():
    """Three groups of lines, late with probability 0.1, 0.4 and 0.8: the model's mean
    risk per group lands on the true rate."""
    rng = np.random.default_rng(7)
    n = 6000
    group = rng.integers(0, 3, n)
    truth = np.array([0.1, 0.4, 0.8])[group]
    X = pd.DataFrame(rng.normal(size=(n, len(FEATURES))), columns=list(FEATURES))
    X["supplier_otif_90"] = group * 10.0 + rng.normal(scale=0.5, size=n)
    late = (rng.random(n) < truth).astype(int)
    samples = Samples(
        X=X,
        late=late,
        days_late=late * 4.0,
        line_ids=np.arange(n),
        baseline=np.full(n, late.mean()),
        as_of=np.zeros(n),
    )
    fitted = model_fit(samples)
    risk, days = fitted.predict(X)
    for g, p in enumerate([0.1, 0.4, 0.8]):
        assert risk[group == g].mean() == pytest.approx(p, abs=0.04)
    assert days == pytest.approx(risk * 4.0, abs=0.5)


def test_without_a_winning_model_open_lines_get_the_baseline(months_of_history):
    """No model trained: each open line's risk is its supplier's share of late lines
    among those promised in the 90 days to today (hand-counted below)."""
    result = lines_score(today=TODAY)
    assert result.source == "baseline"
    facts = facts_load()
    today = day_number(TODAY)
    expected = {}
    for supplier in months_of_history:
        due = facts.lines[
            (facts.lines["supplier_id"] == supplier.pk)
            & (facts.lines["promised_day"] > today - 90)
            & (facts.lines["promised_day"] <= today)
        ]
        received = facts.receipts.groupby("line_id")["day"].min()
        pairs = zip(due["id"], due["promised_day"], strict=True)
        on_time = [received.get(i, np.inf) == p for i, p in pairs]
        expected[supplier.code] = 1 - sum(on_time) / len(on_time)
    assert expected["GOOD"] == 0
    assert 0.3 < expected["LATE"] < 0.4
    risks = LineRisk.objects.select_related("line__purchase_order__supplier")
    assert risks.count() == result.scored > 0
    for risk in risks:
        code = risk.line.purchase_order.supplier.code
        assert risk.late_risk == pytest.approx(expected[code], abs=1e-4)
        assert risk.source == "baseline"


def test_a_model_that_lost_its_backtest_is_not_used(months_of_history):
    PredictionModel.objects.create(
        version=1,
        trained_at=dt.datetime(2026, 9, 1, tzinfo=dt.UTC),
        as_of=TODAY,
        window_start=TODAY,
        window_end=TODAY,
        auc=0.55,
        baseline_auc=0.6,
        brier=0.2,
        baseline_brier=0.19,
        in_use=PredictionModel.InUse.BASELINE,
        model_bytes=b"not even a model",
    )
    assert lines_score(today=TODAY).source == "baseline"
    assert set(LineRisk.objects.values_list("model_version", flat=True)) == {1}


def test_scoring_an_empty_portfolio_does_nothing(db):
    result = lines_score(today=TODAY)
    assert (result.scored, result.removed) == (0, 0)
