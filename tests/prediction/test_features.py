"""Features are built from facts dated on or before the scoring time, and nothing later."""

import datetime as dt

import pandas as pd
import pytest

from prediction.facts import day_number, facts_load
from prediction.features import FEATURES, features_as_of
from purchasing.models import PromiseRevision, ShipNotice, ShipNoticeLine, TransitEvent
from tests.factories import ApprovedSourceFactory, ContractFactory, PartFactory, SupplierFactory
from tests.prediction.builders import line_add, receipt_add

AS_OF = dt.date(2026, 6, 15)


@pytest.fixture
def history(db):
    supplier = SupplierFactory(code="SLOW")
    part = PartFactory(number="P-1")
    ApprovedSourceFactory(part=part, supplier=supplier, lead_time_days=20, monthly_capacity=500)
    ContractFactory(supplier=supplier, early_tolerance_days=2, late_tolerance_days=1)
    day = dt.date(2026, 1, 5)
    for k in range(20):
        promised = day + dt.timedelta(days=25)
        late = k % 4 == 0
        line_add(
            supplier=supplier,
            part=part,
            ordered=day,
            promised=promised,
            quantity=100 + 10 * k,
            received=promised + dt.timedelta(days=6 if late else 0),
        )
        day += dt.timedelta(days=7)
    scored = line_add(
        supplier=supplier,
        part=part,
        ordered=dt.date(2026, 6, 1),
        promised=dt.date(2026, 6, 25),
        quantity=300,
        acknowledged=False,
    )
    return supplier, part, scored


def _features(line) -> pd.DataFrame:
    return features_as_of(facts_load(), [line.pk], day_number(AS_OF))


def test_facts_dated_after_the_scoring_time_change_no_feature(history):
    supplier, part, scored = history
    # A line due on the scoring day, received the day after: inside its 1-day tolerance.
    due = line_add(
        supplier=supplier, part=part, ordered=AS_OF - dt.timedelta(days=20), promised=AS_OF
    )
    before = _features(scored)
    assert before.loc[scored.pk, "supplier_otd_365"] > 0
    assert before.loc[scored.pk, "acknowledged"] == 0

    later = AS_OF + dt.timedelta(days=1)
    # The line is confirmed, revised, shipped and partly received after the scoring time...
    scored.acknowledged_at = dt.datetime.combine(later, dt.time(12), tzinfo=dt.UTC)
    scored.save(update_fields=["acknowledged_at"])
    revision = PromiseRevision.objects.create(
        line=scored,
        previous_date=scored.promised_date,
        new_date=dt.date(2026, 7, 9),
        reason="capacity",
    )
    PromiseRevision.objects.filter(pk=revision.pk).update(
        created_at=dt.datetime.combine(later, dt.time(9), tzinfo=dt.UTC)
    )
    notice = ShipNotice.objects.create(
        supplier=supplier, number="ASN-1", ship_date=later, eta=dt.date(2026, 7, 2)
    )
    ShipNotice.objects.filter(pk=notice.pk).update(
        created_at=dt.datetime.combine(later, dt.time(10), tzinfo=dt.UTC)
    )
    ShipNoticeLine.objects.create(ship_notice=notice, line=scored, quantity=300)
    TransitEvent.objects.create(
        ship_notice=notice,
        occurred_at=dt.datetime.combine(later, dt.time(15), tzinfo=dt.UTC),
        eta=dt.date(2026, 7, 5),
    )
    receipt_add(line=scored, day=later, quantity=100)
    receipt_add(line=due, day=later, quantity=100)
    # ...other lines are received late after it, and new orders come in.
    line_add(
        supplier=supplier,
        part=part,
        ordered=later,
        promised=later,
        quantity=9999,
        received=later + dt.timedelta(days=30),
    )
    after = _features(scored)

    pd.testing.assert_frame_equal(before, after)


def test_a_fact_dated_on_the_scoring_time_does_change_them(history):
    """The control: the comparison above can fail."""
    supplier, part, scored = history
    before = _features(scored)
    receipt_add(line=scored, day=AS_OF, quantity=100)
    after = _features(scored)
    assert after.loc[scored.pk, "received_share"] == pytest.approx(100 / 300)
    assert not before[list(FEATURES)].equals(after[list(FEATURES)])


def test_trailing_figures_follow_the_otd_definition(history):
    """Hand-computed: in the 90 days to 15 June, lines promised 17 Mar .. 14 Jun; every
    fourth line of the history came 6 days late (beyond the 1-day late tolerance)."""
    supplier, part, scored = history
    features = _features(scored).loc[scored.pk]
    facts = facts_load()
    lines = facts.lines[
        (facts.lines["promised_day"] > day_number(AS_OF) - 90)
        & (facts.lines["promised_day"] <= day_number(AS_OF))
    ]
    receipts = facts.receipts.set_index("line_id")
    pairs = zip(lines["id"], lines["promised_day"], strict=True)
    late = [(receipts.loc[i, "day"] - p) > 1 for i, p in pairs]
    expected_otif = 100 * (1 - sum(late) / len(late))
    assert features["supplier_otif_90"] == pytest.approx(expected_otif)
    assert features["baseline_risk"] == pytest.approx(sum(late) / len(late))
    assert features["lead_asked_days"] == 24  # requested 25 June − ordered 1 June
    assert features["lead_asked_vs_contract"] == 4
    assert features["days_unacknowledged"] == 14


def test_a_training_sample_reads_the_same_figures_from_its_copies(history):
    """A training on a sample of suppliers copies their facts once; every figure read
    from the copies equals the figure read from the whole tables, and another supplier's
    facts are not in the copies."""
    from prediction.aggregates import sample_tables, trailing_as_of

    supplier, part, scored = history
    other = SupplierFactory(code="OTHER")
    ApprovedSourceFactory(part=part, supplier=other, lead_time_days=10)
    line_add(
        supplier=other,
        part=part,
        ordered=dt.date(2026, 5, 1),
        promised=dt.date(2026, 5, 20),
        quantity=50,
        received=dt.date(2026, 5, 30),
    )
    as_of = day_number(AS_OF)
    direct = trailing_as_of(as_of, supplier_ids={supplier.pk})
    cache: dict = {}
    with sample_tables({supplier.pk}, cache):
        copied = trailing_as_of(as_of, supplier_ids={supplier.pk}, tables=cache["tables"])
        everyone = trailing_as_of(as_of, tables=cache["tables"])
    assert "tables" not in cache  # dropped again
    for mine, theirs in (
        (copied.pairs, direct.pairs),
        (copied.suppliers, direct.suppliers),
        (copied.booked, direct.booked),
    ):  # rows in any order: the statements group without sorting
        assert mine.sort_index().equals(theirs.sort_index())
    assert set(everyone.suppliers.index) == {supplier.pk}
    assert other.pk in set(trailing_as_of(as_of).suppliers.index)


def test_an_early_receipt_before_the_year_window_still_counts_for_its_line(db):
    """A line promised on the year window's second day, received early within its
    contract's tolerance (so before the window's first day), was on time; one received
    a day earlier than the tolerance allows was not."""
    from prediction.aggregates import trailing_as_of

    as_of = day_number(AS_OF)
    promised = AS_OF - dt.timedelta(days=363)  # inside the 365 days to AS_OF
    widest = 10  # wider than every default tolerance
    suppliers = []
    for code, early_by in (("EARLY-OK", widest), ("TOO-EARLY", widest + 1)):
        supplier = SupplierFactory(code=code)
        part = PartFactory(number=f"P-{code}")
        ContractFactory(supplier=supplier, early_tolerance_days=widest, late_tolerance_days=0)
        line_add(
            supplier=supplier,
            part=part,
            ordered=promised - dt.timedelta(days=60),
            promised=promised,
            received=promised - dt.timedelta(days=early_by),
        )
        suppliers.append(supplier)
    figures = trailing_as_of(as_of).suppliers
    on_time, too_early = (figures.loc[s.pk] for s in suppliers)
    assert on_time["supplier_otif_365"] == 100.0
    assert on_time["supplier_otd_365"] == 100.0
    assert too_early["supplier_otif_365"] == 0.0
