"""Full, per-supplier and per-period recomputes keep every row right."""

import datetime as dt
import random
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from django.db import connection

from scorecards.models import PartScorecard, ScorecardTemplate, SupplierScorecard
from scorecards.services import scorecard_scores_refresh
from tests.factories import PartFactory, SupplierFactory
from tests.scorecards.test_rules import FEB_10, approx

pytestmark = pytest.mark.django_db


def test_refreshing_one_supplier_rescores_the_other_source_of_its_parts(
    kpi, supplier_a, supplier_b
):
    kpi.receive(kpi.line(supplier=supplier_a, unit_price="10"), FEB_10, "100")
    kpi.receive(kpi.line(supplier=supplier_b, unit_price="10"), FEB_10, "100")
    kpi.recompute()
    assert kpi.card(supplier=supplier_b).landed_cost_index == Decimal("1")

    # ACME's new, dearer receipt moves the part's average, hence BOLT's index.
    kpi.receive(kpi.line(supplier=supplier_a, unit_price="20"), FEB_10, "100")
    kpi.recompute(supplier_ids=[supplier_a.id])
    average = Fraction(1000 + 2000 + 1000, 300)
    assert kpi.card(supplier=supplier_b).landed_cost_index == approx(1000 / (100 * average), 8)
    assert kpi.card(supplier=supplier_a).landed_cost_index == approx(3000 / (200 * average), 8)
    assert (
        kpi.card(supplier=supplier_b).composite_score
        != kpi.card(supplier=supplier_a).composite_score
    )


def test_moved_receipt_leaves_no_stale_row_and_rescores_the_other_source(
    kpi, supplier_a, supplier_b
):
    receipt = kpi.receive(kpi.line(supplier=supplier_a, unit_price="30"), FEB_10, "100")
    kpi.receive(kpi.line(supplier=supplier_b, unit_price="10"), FEB_10, "100")
    kpi.recompute()
    assert kpi.card(supplier=supplier_b).landed_cost_index == approx(0.5)

    receipt.receipt_date = dt.date(2026, 3, 2)  # the goods came in March after all
    receipt.save()
    kpi.recompute(supplier_ids=[supplier_a.id])
    feb_a = kpi.part_card(supplier=supplier_a)
    assert feb_a.receipts_count == 0 and feb_a.lines_due == 1  # the line is still due in Feb
    assert kpi.part_card("2026-03", supplier=supplier_a).receipts_count == 1
    assert kpi.card(supplier=supplier_b).landed_cost_index == Decimal("1")  # now alone in Feb


def test_recompute_removes_rows_whose_facts_are_gone(kpi, supplier_a):
    line = kpi.line(promised=dt.date(2026, 1, 20))
    kpi.receive(line, dt.date(2026, 1, 20), "100")
    kpi.recompute()
    assert PartScorecard.objects.filter(period="2026-01").exists()
    line.status = "cancelled"
    line.save()
    kpi.recompute(supplier_ids=[supplier_a.id])
    assert not PartScorecard.objects.filter(period="2026-01").exists()
    assert not SupplierScorecard.objects.filter(period="2026-01").exists()
    assert kpi.card("rolling-90").lines_due == 0


def test_a_period_recompute_touches_only_that_period(kpi, supplier_a):
    jan = kpi.line(promised=dt.date(2026, 1, 20))
    feb = kpi.line(promised=FEB_10)
    kpi.recompute()
    kpi.receive(jan, dt.date(2026, 1, 20), "100")
    kpi.receive(feb, FEB_10, "100")
    kpi.recompute(periods=["2026-02"])
    assert kpi.card("2026-02").otd_pct == Decimal("100")
    assert kpi.card("2026-01").otd_pct == Decimal("0")  # not asked for: left as it was
    assert kpi.card("rolling-90").otd_pct == Decimal("0")  # nor the rolling window
    kpi.recompute(periods=["rolling-90", "2026-01"])
    assert kpi.card("2026-01").otd_pct == Decimal("100")
    assert kpi.card("rolling-90").otd_pct == Decimal("100")


def test_a_period_recompute_counts_receipts_of_lines_due_in_other_months(kpi):
    # Promised Jan 31, received early on Jan 29 and the rest on Feb 2 (late).
    line = kpi.line(promised=dt.date(2026, 1, 31))
    receipt = kpi.receive(line, dt.date(2026, 1, 29), "60")
    kpi.receive(line, dt.date(2026, 2, 2), "40")
    kpi.inspect(receipt, "60", "3", day=dt.date(2026, 2, 3))  # inspected in Feb
    kpi.recompute(periods=["2026-01", "2026-02"])
    assert kpi.card("2026-01").otd_pct == Decimal("60")
    kpi.recompute(periods=["2026-02"])
    feb = kpi.card("2026-02")
    assert feb.receipts_count == 1 and feb.inspections_count == 1
    assert feb.defect_ppm == Decimal("50000")
    assert feb.lines_due == 0


def test_a_second_recompute_writes_nothing(kpi):
    kpi.receive(kpi.line(), FEB_10, "100")
    first = kpi.recompute()
    second = kpi.recompute()
    assert first.rows_written > 0
    assert second.rows_written == 0 and second.rows_deleted == 0
    assert second.part_rows == first.part_rows


def test_template_change_rescores_without_recomputing(kpi, supplier_a):
    kpi.receive(kpi.line(), FEB_10, "89")  # OTD 89 → 50; lead 36 d → 52.17; LCI 1 → 75
    kpi.recompute()
    before = kpi.card().composite_score
    template = ScorecardTemplate.objects.get(is_default=True)
    template.otd_weight = 0
    template.save()
    scorecard_scores_refresh()
    after = kpi.card()
    assert after.composite_score != before
    assert after.composite_score == approx((10 * 100 * 24 / 46 + 20 * 75) / 30)


def test_default_template_exists_after_migrate():
    template = ScorecardTemplate.objects.get(is_default=True)
    assert (template.otd_floor_pct, template.otd_target_pct) == (80, 98)
    assert (template.defect_ppm_floor, template.defect_ppm_target) == (5000, 100)
    assert (template.lead_time_floor_days, template.lead_time_target_days) == (60, 14)
    assert (template.landed_cost_index_floor, template.landed_cost_index_target) == (
        Decimal("1.15"),
        Decimal("0.95"),
    )
    weights = (
        template.otd_weight,
        template.defect_ppm_weight,
        template.lead_time_weight,
        template.landed_cost_weight,
    )
    assert weights == (40, 30, 10, 20)


def test_p90_on_this_database_matches_numpy(kpi):
    """Runs on SQLite locally and on PostgreSQL in CI: one definition, one number."""
    rng = random.Random(2026)
    order_date = dt.date(2026, 1, 1)
    suppliers = [SupplierFactory() for _ in range(3)]
    expected = {}
    for supplier, size in zip(suppliers, (1, 9, 23), strict=True):
        leads = [rng.randint(31, 58) for _ in range(size)]
        expected[supplier.pk] = np.percentile(leads, 90)
        for lead in leads:
            line = kpi.line(supplier=supplier, order_date=order_date)
            kpi.receive(line, order_date + dt.timedelta(days=lead), "5")
    kpi.recompute()
    for supplier in suppliers:
        got = kpi.card("2026-02", supplier=supplier).lead_time_p90_days
        assert float(got) == pytest.approx(expected[supplier.pk], abs=1e-6), connection.vendor


def test_many_suppliers_in_one_pass_are_each_right(kpi):
    """A set-based run over many suppliers gives each the figures of its own facts."""
    rng = random.Random(5)
    parts = [PartFactory() for _ in range(3)]
    truth = {}
    for _ in range(6):
        supplier = SupplierFactory()
        ordered = on_time = 0
        for _ in range(rng.randint(1, 6)):
            quantity = rng.randint(1, 50)
            received = rng.randint(0, 60)
            offset = rng.randint(-6, 3)
            line = kpi.line(supplier=supplier, part=rng.choice(parts), quantity=str(quantity))
            if received:
                kpi.receive(line, FEB_10 + dt.timedelta(days=offset), str(received))
            ordered += quantity
            on_time += min(received, quantity) if -3 <= offset <= 0 else 0
        truth[supplier.pk] = 100 * on_time / ordered
    kpi.recompute()
    for supplier_id, otd in truth.items():
        card = SupplierScorecard.objects.get(supplier_id=supplier_id, period="2026-02")
        assert card.otd_pct == approx(otd)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="planner statistics")
def test_a_first_build_leaves_the_planner_statistics_of_what_it_wrote(
    kpi, supplier_a, supplier_b, monkeypatch
):
    from scorecards import store

    monkeypatch.setattr(store, "STALE_ROWS", 0)
    for supplier in (supplier_a, supplier_b):
        kpi.receive(kpi.line(supplier=supplier, unit_price="10"), FEB_10, "100")
    kpi.recompute()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relname IN (%s, %s)",
            [PartScorecard._meta.db_table, SupplierScorecard._meta.db_table],
        )
        estimated = dict(cursor.fetchall())
    # The next refresh is planned for the rows there are, not for an empty table.
    assert estimated[PartScorecard._meta.db_table] == PartScorecard.objects.count() > 0
    assert estimated[SupplierScorecard._meta.db_table] == SupplierScorecard.objects.count() > 0
