"""One test per rule of docs/kpis.md, each with expected values worked out by hand.

Defaults unless a test says otherwise: as-of 2026-03-31, tolerances 3 days early /
0 days late, base currency EUR, lines of 100 units at 10 EUR ordered on 2026-01-05.
"""

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

from purchasing.models import PurchaseOrderLine
from purchasing.services import (
    purchase_order_create,
    purchase_order_line_acknowledge,
    purchase_order_line_build,
)
from scorecards.models import PartScorecard, ScorecardAssignment, ScorecardTemplate
from tests.factories import ContractFactory, FxRateFactory, PartFactory

pytestmark = pytest.mark.django_db

FEB_10 = dt.date(2026, 2, 10)


class approx:  # noqa: N801 - reads like pytest.approx, but accepts the Decimals we store
    def __init__(self, expected, places: int = 6):
        self.expected, self.places = float(expected), places

    def __eq__(self, actual) -> bool:
        return actual is not None and abs(float(actual) - self.expected) <= 10**-self.places

    def __repr__(self) -> str:
        return f"{self.expected} ± 1e-{self.places}"


def days(n: int) -> dt.date:
    return FEB_10 + dt.timedelta(days=n)


class TestOnTimeDelivery:
    def test_window_edges_are_inclusive_with_default_tolerances(self, kpi):
        # Promised Feb 10, default window [Feb 7, Feb 10]: -3 and 0 count, -4 and +1 do not.
        for offset in (-3, -4, 0, 1):
            kpi.receive(kpi.line(quantity="10"), days(offset), "10")
        kpi.recompute()
        card = kpi.card()
        assert card.lines_due == 4
        assert card.ordered_quantity == Decimal("40")
        assert card.on_time_quantity == Decimal("20")
        assert card.otd_pct == Decimal("50")
        assert card.otif_pct == Decimal("50")

    def test_partial_delivery_counts_by_quantity_and_late_remainder_does_not(self, kpi):
        line = kpi.line(quantity="100")
        kpi.receive(line, FEB_10, "60")
        kpi.receive(line, days(5), "40")
        kpi.recompute()
        card, part_card = kpi.card(), kpi.part_card()
        assert card.otd_pct == Decimal("60")
        assert card.otif_pct == Decimal("0")  # not in full on time
        assert part_card.otd_pct == Decimal("60")
        assert part_card.otif_pct == Decimal("0")

    def test_over_delivery_is_capped_at_the_ordered_quantity(self, kpi):
        kpi.receive(kpi.line(quantity="100"), FEB_10, "150")
        kpi.receive(kpi.line(quantity="100"), FEB_10, "50")
        kpi.recompute()
        card = kpi.card()
        # (min(150, 100) + 50) / 200, not 200 / 200.
        assert card.otd_pct == Decimal("75")
        assert card.otif_pct == Decimal("50")

    def test_over_delivery_across_receipts_is_capped_too(self, kpi):
        line = kpi.line(quantity="100")
        kpi.receive(line, days(-2), "70")
        kpi.receive(line, FEB_10, "70")
        kpi.recompute()
        assert kpi.card().otd_pct == Decimal("100")
        assert kpi.card().otif_pct == Decimal("100")

    def test_unconfirmed_line_is_measured_against_its_requested_date(self, kpi, supplier_a):
        line = purchase_order_line_build(
            line_number=1,
            part=kpi.part,
            quantity=Decimal("100"),
            unit_price=Decimal("10"),
            requested_date=FEB_10,
        )
        purchase_order_create(
            number="PO-UNCONFIRMED",
            supplier=supplier_a,
            order_date=dt.date(2026, 1, 5),
            currency="EUR",
            lines=[line],
        )
        kpi.receive(line, days(-1), "100")
        kpi.recompute()
        assert kpi.card().lines_due == 1
        assert kpi.card().otd_pct == Decimal("100")

    def test_revised_promise_keeps_the_first_confirmed_date_as_baseline(self, kpi):
        line = kpi.line()
        PurchaseOrderLine.objects.filter(pk=line.pk).update(acknowledged_at=None)
        line.refresh_from_db()
        purchase_order_line_acknowledge(line=line, promised_date=FEB_10)
        purchase_order_line_acknowledge(
            line=line, promised_date=dt.date(2026, 3, 5), reason="capacity"
        )
        line.refresh_from_db()
        assert line.expected_date == dt.date(2026, 3, 5)
        kpi.receive(line, dt.date(2026, 3, 5), "100")  # on the revised date: late
        kpi.recompute()
        assert kpi.card("2026-02").lines_due == 1
        assert kpi.card("2026-02").otd_pct == Decimal("0")
        assert kpi.card("2026-03").lines_due == 0
        assert kpi.card("2026-03").otd_pct is None

    def test_population_is_lines_promised_in_the_period_not_after_the_as_of_date(self, kpi):
        kpi.receive(kpi.line(promised=FEB_10), FEB_10, "100")
        kpi.line(promised=dt.date(2026, 2, 20))  # due after the as-of date: not yet counted
        kpi.line(promised=dt.date(2026, 1, 31))  # another month
        kpi.recompute(as_of=dt.date(2026, 2, 15))
        card = kpi.card()
        assert card.lines_due == 1
        assert card.otd_pct == Decimal("100")
        assert kpi.card("2026-01").otd_pct == Decimal("0")

    def test_due_line_with_nothing_received_is_zero_not_null(self, kpi):
        kpi.line()
        kpi.recompute()
        assert kpi.card().otd_pct == Decimal("0")
        assert kpi.card().otif_pct == Decimal("0")

    def test_tolerances_come_from_the_contract_valid_on_the_promised_date(
        self, kpi, supplier_a, supplier_b
    ):
        ContractFactory(
            supplier=supplier_a,
            valid_from=dt.date(2025, 1, 1),
            valid_to=dt.date(2026, 1, 31),
            early_tolerance_days=3,
            late_tolerance_days=0,
        )
        # Overlaps the first one; as the latest-starting contract it wins from Jan 15.
        ContractFactory(
            supplier=supplier_a,
            valid_from=dt.date(2026, 1, 15),
            early_tolerance_days=0,
            late_tolerance_days=1,
        )
        ContractFactory(
            supplier=supplier_a,
            valid_from=dt.date(2026, 2, 1),
            valid_to=dt.date(2026, 2, 28),
            early_tolerance_days=0,
            late_tolerance_days=5,
        )
        # BOLT's generous contract applies to BOLT only.
        ContractFactory(supplier=supplier_b, valid_from=dt.date(2020, 1, 1), late_tolerance_days=30)

        jan_10 = kpi.line(promised=dt.date(2026, 1, 10), quantity="10")  # first contract: 3/0
        kpi.receive(jan_10, dt.date(2026, 1, 11), "10")  # +1: late
        jan_20 = kpi.line(promised=dt.date(2026, 1, 20), quantity="10")  # second: 0/1
        kpi.receive(jan_20, dt.date(2026, 1, 21), "10")  # +1: on time
        jan_25 = kpi.line(promised=dt.date(2026, 1, 25), quantity="10")
        kpi.receive(jan_25, dt.date(2026, 1, 24), "10")  # -1: early under 0/1
        feb = kpi.line(promised=FEB_10, quantity="10")  # third: 0/5
        kpi.receive(feb, days(5), "10")  # +5: on time
        feb_late = kpi.line(promised=FEB_10, quantity="10")
        kpi.receive(feb_late, days(6), "10")  # +6: late
        mar = kpi.line(promised=dt.date(2026, 3, 10), quantity="10")  # second again: 0/1
        kpi.receive(mar, dt.date(2026, 3, 12), "10")  # +2: late
        bolt = kpi.line(promised=FEB_10, quantity="10", supplier=supplier_b)
        kpi.receive(bolt, days(30), "10")
        kpi.recompute()

        assert kpi.card("2026-01").otd_pct == approx(100 / 3)
        assert kpi.card("2026-02").otd_pct == Decimal("50")
        assert kpi.card("2026-03").otd_pct == Decimal("0")
        assert kpi.card("2026-02", supplier=supplier_b).otd_pct == Decimal("100")

    def test_contract_valid_to_is_inclusive(self, kpi, supplier_a):
        ContractFactory(
            supplier=supplier_a,
            valid_from=dt.date(2026, 2, 1),
            valid_to=FEB_10,
            late_tolerance_days=2,
        )
        on_last_day = kpi.line(promised=FEB_10, quantity="10")
        kpi.receive(on_last_day, days(2), "10")
        after = kpi.line(promised=days(1), quantity="10")  # no contract: defaults 3/0
        kpi.receive(after, days(3), "10")
        kpi.recompute()
        assert kpi.card().otd_pct == Decimal("50")


class TestCancelledLines:
    def test_cancelled_lines_count_nowhere(self, kpi):
        kept = kpi.line(quantity="100")
        kept_receipt = kpi.receive(kept, FEB_10, "100", freight="50")
        kpi.inspect(kept_receipt, "100", "1")
        cancelled = kpi.line(quantity="100", status="cancelled", unit_price="99")
        cancelled_receipt = kpi.receive(cancelled, days(9), "80", freight="500")
        kpi.inspect(cancelled_receipt, "80", "40")
        kpi.recompute()
        card, part_card = kpi.card(), kpi.part_card()
        assert (card.lines_due, card.receipts_count, card.inspections_count) == (1, 1, 1)
        assert card.otd_pct == Decimal("100")
        assert card.units_inspected == Decimal("100")
        assert card.defect_ppm == Decimal("10000")
        assert card.lead_time_mean_days == Decimal("36")  # Jan 5 → Feb 10
        assert part_card.quantity_received == Decimal("100")
        assert part_card.landed_unit_cost == Decimal("10.5")  # (1000 + 50) / 100

    def test_a_period_with_only_cancelled_lines_has_no_row(self, kpi):
        cancelled = kpi.line(status="cancelled")
        kpi.receive(cancelled, FEB_10, "100")
        kpi.recompute()
        assert not PartScorecard.objects.exists()
        assert kpi.card("rolling-90").lines_due == 0


class TestDefectRate:
    def test_ppm_over_inspections_dated_in_the_period(self, kpi):
        line = kpi.line(quantity="1000")
        receipt = kpi.receive(line, FEB_10, "1000")
        kpi.inspect(receipt, "400", "2")
        kpi.inspect(receipt, "600", "1", day=dt.date(2026, 2, 28))
        kpi.inspect(receipt, "500", "5", day=dt.date(2026, 3, 1))  # next month
        kpi.recompute()
        feb = kpi.card("2026-02")
        assert feb.inspections_count == 2
        assert feb.units_inspected == Decimal("1000")
        assert feb.defect_ppm == Decimal("3000")  # 10^6 × 3 / 1000
        assert kpi.card("2026-03").defect_ppm == Decimal("10000")
        assert kpi.part_card("2026-02").defect_ppm == Decimal("3000")


class TestLeadTime:
    def test_mean_and_linear_p90_over_receipts_dated_in_the_period(self, kpi):
        order_date = dt.date(2026, 1, 1)
        lead_days = [40, 33, 35, 50, 37, 41, 58]
        for lead in lead_days:
            line = kpi.line(order_date=order_date, quantity="10")
            kpi.receive(line, order_date + dt.timedelta(days=lead), "10")
        kpi.recompute()
        card = kpi.card("2026-02")
        # Sorted 33 35 37 40 41 50 58: mean 294/7 = 42; p90 at rank 0.9 × 6 = 5.4 → 50 + 0.4 × 8.
        assert card.receipts_count == 7
        assert card.lead_time_mean_days == Decimal("42")
        assert card.lead_time_p90_days == approx(53.2)
        assert card.lead_time_p90_days == approx(np.percentile(lead_days, 90))
        assert kpi.part_card("2026-02").lead_time_p90_days == approx(53.2)

    def test_p90_of_a_single_receipt_is_its_lead_time(self, kpi):
        kpi.receive(kpi.line(), FEB_10, "100")
        kpi.recompute()
        assert kpi.card().lead_time_p90_days == Decimal("36")
        assert kpi.card().lead_time_mean_days == Decimal("36")

    def test_p90_per_supplier_mixes_all_its_parts(self, kpi):
        other_part = PartFactory()
        order_date = dt.date(2026, 1, 1)
        for lead, part in [(32, kpi.part), (40, other_part), (45, kpi.part), (55, other_part)]:
            line = kpi.line(order_date=order_date, part=part)
            kpi.receive(line, order_date + dt.timedelta(days=lead), "100")
        kpi.recompute()
        # Supplier: 32 40 45 55 → rank 2.7 → 45 + 0.7 × 10 = 52; parts: 32/45 → 43.7; 40/55 → 53.5.
        assert kpi.card().lead_time_p90_days == approx(52)
        assert kpi.part_card().lead_time_p90_days == approx(43.7)
        assert kpi.part_card(part=other_part).lead_time_p90_days == approx(53.5)


class TestLandedCost:
    def test_multi_currency_landed_cost_with_a_missing_rate(self, kpi, settings):
        settings.BASE_CURRENCY = "EUR"
        FxRateFactory(currency="USD", date=dt.date(2026, 1, 1), rate=Decimal("0.9"))
        FxRateFactory(currency="USD", date=dt.date(2026, 2, 15), rate=Decimal("0.8"))
        FxRateFactory(currency="GBP", date=dt.date(2026, 3, 1), rate=Decimal("1.2"))  # too late
        line = kpi.line(currency="USD", unit_price="10", quantity="40")
        # 10 × 10 USD × 0.9 + 5 EUR freight = 95 EUR
        kpi.receive(line, FEB_10, "10", freight="5")
        # 10 × 10 USD × 0.8 + (20 + 4 + 1) USD × 0.8 = 100 EUR (the Feb 15 rate applies)
        kpi.receive(
            line, dt.date(2026, 2, 20), "10", freight="20", duty="4", other="1", cost_currency="USD"
        )
        # GBP costs on Feb 12: no GBP rate yet → excluded from landed cost
        kpi.receive(line, dt.date(2026, 2, 12), "10", freight="3", cost_currency="GBP")
        # Same day as a rate change: the rate dated on the receipt date applies (0.8)
        kpi.receive(line, dt.date(2026, 2, 15), "10")
        kpi.recompute()
        part_card = kpi.part_card()
        assert part_card.receipts_count == 4
        assert part_card.quantity_received == Decimal("40")
        assert part_card.fx_missing_receipts == 1
        assert part_card.priced_receipts_count == 3
        assert part_card.priced_quantity == Decimal("30")
        assert part_card.landed_cost_total == Decimal("275")  # 95 + 100 + 80
        assert part_card.landed_unit_cost == approx(Decimal("275") / 30, 8)
        card = kpi.card()
        assert card.fx_missing_receipts == 1
        assert card.landed_cost_index == Decimal("1")  # the only source of its part
        assert card.lead_time_mean_days == approx((36 + 46 + 38 + 41) / 4)  # all receipts

    def test_receipt_before_any_rate_is_left_out(self, kpi):
        FxRateFactory(currency="USD", date=dt.date(2026, 2, 11), rate=Decimal("0.9"))
        kpi.receive(kpi.line(currency="USD"), FEB_10, "100")
        kpi.recompute()
        part_card = kpi.part_card()
        assert part_card.fx_missing_receipts == 1
        assert part_card.landed_unit_cost is None
        assert kpi.card().landed_cost_index is None
        assert part_card.quantity_received == Decimal("100")

    def test_landed_cost_index_of_two_sources_of_one_part(self, kpi, supplier_a, supplier_b):
        shared, only_a = kpi.part, PartFactory()
        kpi.receive(kpi.line(supplier=supplier_a, part=shared, unit_price="10"), FEB_10, "100")
        kpi.receive(
            kpi.line(supplier=supplier_b, part=shared, unit_price="11"), FEB_10, "50", freight="50"
        )
        kpi.receive(kpi.line(supplier=supplier_a, part=only_a, unit_price="5"), FEB_10, "10")
        kpi.recompute()
        # luc: A 10, B (550 + 50) / 50 = 12; part average (1000 + 600) / 150 = 32/3.
        average = Fraction(1600, 150)
        index_a = Fraction(1000 + 50) / (100 * average + 10 * 5)
        index_b = Fraction(600) / (50 * average)
        assert kpi.part_card(supplier=supplier_b).landed_unit_cost == Decimal("12")
        assert kpi.card(supplier=supplier_a).landed_cost_index == approx(index_a, 8)
        assert kpi.card(supplier=supplier_b).landed_cost_index == approx(index_b, 8)
        assert float(index_b) == pytest.approx(1.125)


class TestEmptyPopulationsAndSamples:
    def test_empty_populations_are_null_never_zero(self, kpi, supplier_b):
        kpi.line()  # due, nothing received or inspected
        kpi.recompute()
        card = kpi.card()
        assert card.otd_pct == Decimal("0")
        assert (card.receipts_count, card.inspections_count) == (0, 0)
        assert card.defect_ppm is None
        assert card.lead_time_mean_days is None
        assert card.lead_time_p90_days is None
        assert card.landed_cost_index is None
        rolling_b = kpi.card("rolling-90", supplier=supplier_b)  # no activity at all
        assert rolling_b.lines_due == 0
        assert rolling_b.otd_pct is None and rolling_b.otif_pct is None
        assert rolling_b.composite_score is None and rolling_b.grade is None

    def test_receipts_without_due_lines_give_null_otd(self, kpi):
        later = kpi.line(promised=dt.date(2026, 4, 30))
        kpi.receive(later, FEB_10, "100")  # early, in a month where no line is due
        kpi.recompute()
        card = kpi.card()
        assert card.lines_due == 0
        assert card.otd_pct is None
        assert card.receipts_count == 1

    def test_low_sample_flag_under_five(self, kpi):
        for _ in range(4):
            kpi.receive(kpi.line(), FEB_10, "100")
        for _ in range(5):
            kpi.receive(kpi.line(promised=dt.date(2026, 3, 10)), dt.date(2026, 3, 10), "100")
        kpi.recompute()
        feb, mar = kpi.card("2026-02"), kpi.card("2026-03")
        assert feb.otd_low_sample and feb.lead_time_low_sample and feb.low_sample
        assert not mar.otd_low_sample and not mar.lead_time_low_sample
        assert not mar.defect_low_sample  # no inspections: no figure to flag
        assert not mar.low_sample


class TestRollingWindow:
    def test_rolling_90_days_end_on_the_as_of_date_inclusive(self, kpi):
        # As of Mar 31 the window is Jan 1 … Mar 31.
        kpi.receive(kpi.line(promised=dt.date(2025, 12, 31)), dt.date(2025, 12, 31), "100")
        kpi.receive(kpi.line(promised=dt.date(2026, 1, 1)), dt.date(2026, 1, 1), "100")
        kpi.line(promised=dt.date(2026, 3, 31))  # due on the as-of date, not received
        kpi.line(promised=dt.date(2026, 4, 1))  # after the as-of date
        kpi.recompute()
        rolling = kpi.card("rolling-90")
        assert (rolling.period_start, rolling.period_end) == (
            dt.date(2026, 1, 1),
            dt.date(2026, 3, 31),
        )
        assert rolling.lines_due == 2
        assert rolling.otd_pct == Decimal("50")
        assert rolling.receipts_count == 1


class TestComposite:
    def test_null_criterion_renormalises_the_weights(self, kpi):
        # OTD 89 % → 50; no inspections → PPM null; lead time 37 d → 50; single source LCI 1 → 75.
        order_date = dt.date(2026, 1, 4)
        line = kpi.line(order_date=order_date, promised=dt.date(2026, 2, 10), quantity="100")
        kpi.receive(line, dt.date(2026, 2, 10), "89")
        kpi.recompute()
        card = kpi.card()
        assert card.otd_pct == Decimal("89")
        assert card.defect_ppm is None
        assert card.lead_time_mean_days == Decimal("37")
        assert card.landed_cost_index == Decimal("1")
        assert card.composite_score == approx((40 * 50 + 10 * 50 + 20 * 75) / 70)  # 57.142857
        assert card.grade == "D"

    @pytest.mark.parametrize(
        ("otd_received", "grade"),
        [("96.2", "A"), ("96.1", "B"), ("93.5", "B"), ("93.4", "C"), ("90.8", "C"), ("90.7", "D")],
    )
    def test_grade_boundaries(self, kpi, supplier_a, otd_received, grade):
        # A template scoring OTD alone: composite = 100 × (OTD − 80) / 18.
        template = ScorecardTemplate.objects.create(
            name="OTD only", defect_ppm_weight=0, lead_time_weight=0, landed_cost_weight=0
        )
        ScorecardAssignment.objects.create(supplier=supplier_a, template=template)
        kpi.receive(kpi.line(quantity="100"), FEB_10, otd_received)
        kpi.recompute()
        card = kpi.card()
        expected = (Decimal(otd_received) - 80) * 100 / 18
        assert card.composite_score == approx(expected)
        assert card.grade == grade
        assert card.template == template

    def test_criteria_beyond_their_targets_clamp_at_100(self, kpi):
        # OTD 100, PPM 0 and 10 days lead time all score 100; a single source's LCI 1.00
        # scores 75 (between 1.15 and 0.95): (40 + 30 + 10) × 100 + 20 × 75 = 95 → A.
        line = kpi.line(order_date=dt.date(2026, 1, 31), quantity="1000")
        receipt = kpi.receive(line, FEB_10, "1000")
        kpi.inspect(receipt, "1000", "0")
        kpi.recompute()
        card = kpi.card()
        assert card.composite_score == Decimal("95")
        assert card.grade == "A"
