"""The KPI arithmetic: reference functions, and the SQL twins the database evaluates.

The SQL builders run on whichever database is configured (SQLite locally, PostgreSQL in
CI), so each check here also proves both databases compute the same number.
"""

import datetime as dt
import random
from decimal import Decimal

import numpy as np
import pytest
from django.db import connection

from scorecards import kpis


def sql_value(expression: str, **columns):
    """Evaluate a SQL expression over one row of literal column values."""
    names = ", ".join(f"CAST(%({name})s AS DOUBLE PRECISION) AS {name}" for name in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {expression} FROM (SELECT {names}) v", columns)
        return cursor.fetchone()[0]


class TestPeriods:
    def test_month_bounds_and_leap_years(self):
        assert kpis.month_bounds("2024-02") == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
        assert kpis.month_bounds("2026-12") == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))

    def test_rolling_window_is_90_days_inclusive(self):
        start, end = kpis.rolling_window(dt.date(2026, 3, 31))
        assert (start, end) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
        assert (end - start).days + 1 == 90

    @pytest.mark.parametrize("bad", ["2026-13", "2026-1", "26-01", "rolling-30", "", "2026-00"])
    def test_malformed_periods_are_refused(self, bad):
        with pytest.raises(ValueError, match="not a period"):
            kpis.period_validate(bad)


class TestReferenceFormulas:
    def test_empty_population_is_none_never_zero(self):
        assert kpis.otd_pct(0, 0) is None
        assert kpis.otif_pct(0, 0) is None
        assert kpis.defect_ppm(0, 0) is None
        assert kpis.lead_time_mean_days(0, 0) is None
        assert kpis.landed_unit_cost(0, 0) is None
        assert kpis.percentile([]) is None
        assert kpis.landed_cost_index([]) is None

    def test_on_time_window_and_cap(self):
        promised = dt.date(2026, 2, 10)
        assert kpis.is_on_time(dt.date(2026, 2, 7), promised, early=3, late=0)
        assert not kpis.is_on_time(dt.date(2026, 2, 6), promised, early=3, late=0)
        assert not kpis.is_on_time(dt.date(2026, 2, 11), promised, early=3, late=0)
        assert kpis.on_time_quantity(150, 100) == 100
        assert kpis.otd_pct(150, 200) == 75

    @pytest.mark.parametrize("size", [1, 2, 3, 7, 10, 11, 50])
    def test_percentile_matches_numpy(self, size):
        values = [random.Random(size).randint(0, 120) for _ in range(size)]
        assert float(kpis.percentile(values)) == pytest.approx(np.percentile(values, 90))

    def test_landed_cost_index_weights_by_quantity(self):
        # A buys 100 at 10 and 10 at 5; part averages 32/3 and 5.
        index = kpis.landed_cost_index([(100, 10, Decimal(32) / 3), (10, 5, 5)])
        assert float(index) == pytest.approx(1050 / (100 * 32 / 3 + 50))


class TestScoring:
    @pytest.mark.parametrize(
        ("value", "floor", "target", "score"),
        [
            (80, 80, 98, 0),
            (98, 80, 98, 100),
            (89, 80, 98, 50),
            (70, 80, 98, 0),  # below the floor: clamped
            (100, 80, 98, 100),  # beyond the target: clamped
            (5000, 5000, 100, 0),  # floor above target: lower is better
            (2550, 5000, 100, 50),
            (0, 5000, 100, 100),
            (37, 60, 14, 50),
            (Decimal("1.05"), Decimal("1.15"), Decimal("0.95"), 50),
            (Decimal("1.20"), Decimal("1.15"), Decimal("0.95"), 0),
        ],
    )
    def test_criterion_score_interpolates_and_clamps(self, value, floor, target, score):
        assert kpis.criterion_score(value, floor, target) == score

    def test_composite_renormalises_over_non_null_criteria(self):
        values = {"otd_pct": 89, "defect_ppm": None, "lead_time_mean_days": 37}
        values["landed_cost_index"] = 1
        # (40 × 50 + 10 × 50 + 20 × 75) / (40 + 10 + 20)
        assert kpis.composite_score(values) == Decimal("57.142857")

    def test_composite_is_none_when_every_criterion_is(self):
        assert kpis.composite_score({}) is None

    @pytest.mark.parametrize(
        ("composite", "grade"),
        [
            (100, "A"),
            (90, "A"),
            (Decimal("89.999999"), "B"),
            (75, "B"),
            (Decimal("74.99"), "C"),
            (60, "C"),
            (Decimal("59.99"), "D"),
            (0, "D"),
            (None, None),
        ],
    )
    def test_grade_boundaries(self, composite, grade):
        assert kpis.grade(composite) == grade


@pytest.mark.django_db
class TestSqlTwins:
    """The SQL the database evaluates gives the reference functions' numbers."""

    def test_ratio_is_null_for_an_empty_population(self):
        assert sql_value(kpis.sql_ratio("n", "d", "100.0"), n=0, d=0) is None
        assert float(sql_value(kpis.sql_ratio("n", "d", "100.0"), n=2, d=3)) == pytest.approx(
            200 / 3
        )

    def test_criterion_score(self):
        rng = random.Random(7)
        for floor, target in [(80, 98), (5000, 100), (60, 14), (1.15, 0.95)]:
            for _ in range(40):
                value = rng.uniform(min(floor, target) * 0.8, max(floor, target) * 1.2)
                expected = kpis.criterion_score(Decimal(str(value)), floor, target)
                got = sql_value(kpis.sql_criterion_score("v", "f", "t"), v=value, f=floor, t=target)
                assert float(got) == pytest.approx(float(expected), abs=1e-9)
        assert sql_value(kpis.sql_criterion_score("v", "f", "t"), v=None, f=80, t=98) is None

    def test_composite_and_grade(self):
        rng = random.Random(11)
        expression = kpis.sql_composite_score([("s1", "w1"), ("s2", "w2"), ("s3", "w3")])
        for _ in range(60):
            scores = [rng.choice([None, rng.uniform(0, 100), 0, 100]) for _ in range(3)]
            weights = [rng.choice([0, 10, 20, 40]) for _ in range(3)]
            columns = {f"s{i + 1}": s for i, s in enumerate(scores)}
            columns |= {f"w{i + 1}": w for i, w in enumerate(weights)}
            settings = [kpis.CriterionSetting(f"k{i}", 0, 100, w) for i, w in enumerate(weights)]
            expected = kpis.composite_score(
                {f"k{i}": None if s is None else Decimal(str(s)) for i, s in enumerate(scores)},
                settings,
            )
            got = sql_value(expression, **columns)
            if expected is None:
                assert got is None
            else:
                assert float(got) == pytest.approx(float(expected), abs=2e-6)
                assert sql_value(kpis.sql_grade("c"), c=got) == kpis.grade(Decimal(str(got)))

    @pytest.mark.parametrize("composite", [90, 89.999999, 75, 74.999999, 60, 59.999999, 0])
    def test_grade_boundaries_in_sql(self, composite):
        assert sql_value(kpis.sql_grade("c"), c=composite) == kpis.grade(Decimal(str(composite)))
        assert sql_value(kpis.sql_grade("c"), c=None) is None
