"""Hand-computed qualification outcomes and ESG scores (pure arithmetic, no database)."""

import datetime as dt
from decimal import Decimal as D

import pytest

from suppliers.certificate_kinds import certificate_kind_code
from suppliers.esg import esg_improvements, esg_points, linear_points
from suppliers.qualification import CriterionScore, assessment_outcome, score_check

AS_OF = dt.date(2026, 6, 15)
FRESH = dt.date(2026, 1, 1)
OLD = dt.date(2024, 6, 14)  # one day older than 24 months


def _criteria(**scores):
    weights = {"financial": 25, "quality": 30, "capacity": 20, "culture": 10, "esg": 15}
    return [
        CriterionScore(
            code=code,
            name=code.title(),
            weight=D(weight),
            score=None if scores.get(code) is None else D(str(scores[code])),
            knockout_minimum=D("2") if code == "quality" else None,
        )
        for code, weight in weights.items()
    ]


def test_weighted_score_and_pass():
    # (25·4 + 30·3.5 + 20·3 + 10·2 + 15·4) / 100 = (100 + 105 + 60 + 20 + 60) / 100 = 3.45
    outcome = assessment_outcome(
        _criteria(financial=4, quality=3.5, capacity=3, culture=2, esg=4), pass_mark=D("3.0")
    )
    assert outcome.weighted_score == D("3.45")
    assert outcome.passed


def test_below_the_pass_mark_fails_with_the_reason():
    # (25·3 + 30·3 + 20·2 + 10·2 + 15·3) / 100 = (75 + 90 + 40 + 20 + 45) / 100 = 2.70
    outcome = assessment_outcome(
        _criteria(financial=3, quality=3, capacity=2, culture=2, esg=3), pass_mark=D("3.0")
    )
    assert (outcome.weighted_score, outcome.passed) == (D("2.70"), False)
    assert "below the pass mark 3" in outcome.reason


def test_a_knock_out_fails_a_high_weighted_score_and_names_the_criterion():
    # (25·5 + 30·1.5 + 20·5 + 10·5 + 15·5) / 100 = (125 + 45 + 100 + 50 + 75) / 100 = 3.95
    outcome = assessment_outcome(
        _criteria(financial=5, quality=1.5, capacity=5, culture=5, esg=5), pass_mark=D("3.0")
    )
    assert outcome.weighted_score == D("3.95")
    assert not outcome.passed
    assert "knocked out: Quality 1.5 is below its knock-out minimum 2" in outcome.reason


def test_the_knock_out_minimum_itself_passes():
    outcome = assessment_outcome(
        _criteria(financial=4, quality=2, capacity=4, culture=4, esg=4), pass_mark=D("3.0")
    )
    assert outcome.passed  # (100 + 60 + 80 + 40 + 60) / 100 = 3.40


def test_an_unscored_criterion_fails_and_the_score_covers_the_scored_ones():
    # (25·4 + 30·4) / 55 = 220 / 55 = 4.00
    outcome = assessment_outcome(_criteria(financial=4, quality=4), pass_mark=D("3.0"))
    assert outcome.weighted_score == D("4.00")
    assert not outcome.passed and "not scored: Capacity, Culture, Esg" in outcome.reason


@pytest.mark.parametrize("value", ["5.5", "-0.5", "3.3", "2.25"])
def test_scores_are_0_to_5_in_halves(value):
    with pytest.raises(ValueError):
        score_check(value)


def test_half_points_are_scores():
    assert score_check("2.5") == D("2.5") and score_check(None) is None


def test_linear_points_clamp_at_floor_and_target():
    # emissions: floor 1.0 → 0 points, target 0.1 → 100; 0.55 lies half-way.
    assert linear_points(D("0.55"), D("1.0"), D("0.1")) == D("50")
    assert linear_points(D("2.0"), D("1.0"), D("0.1")) == 0
    assert linear_points(D("0.01"), D("1.0"), D("0.1")) == 100
    assert linear_points(None, D("1.0"), D("0.1")) is None


def test_esg_score_hand_computed():
    # emissions 0.55 → 50; waste 55 % → (55-20)/70 = 50; labour code of conduct → 50;
    # traceability 80 % → 80. Mean = (50 + 50 + 50 + 80) / 4 = 57.50
    result = esg_points(
        emissions_kg_co2e_per_eur=D("0.55"),
        waste_recycled_pct=D("55"),
        labour="code_of_conduct",
        traceability_pct=D("80"),
        evidence_date=FRESH,
        as_of=AS_OF,
    )
    assert result.score == D("57.50")
    assert not result.stale


def test_evidence_older_than_24_months_counts_half():
    # Same answers, stale: every criterion at half → 28.75.
    result = esg_points(
        emissions_kg_co2e_per_eur=D("0.55"),
        waste_recycled_pct=D("55"),
        labour="code_of_conduct",
        traceability_pct=D("80"),
        evidence_date=OLD,
        as_of=AS_OF,
    )
    assert result.score == D("28.75") and result.stale
    exactly_24 = esg_points(
        waste_recycled_pct=D("90"), evidence_date=dt.date(2024, 6, 15), as_of=AS_OF
    )
    assert exactly_24.score == D("100.00")


def test_esg_is_the_mean_of_the_answered_criteria_and_null_when_none_is():
    # Only waste (10 % → clamped to 0) and labour audit (100): (0 + 100) / 2 = 50.
    partial = esg_points(
        waste_recycled_pct=D("10"), labour="audit", evidence_date=FRESH, as_of=AS_OF
    )
    assert partial.score == D("50.00")
    assert partial.points["emissions"] is None and partial.points["traceability"] is None
    assert esg_points(evidence_date=FRESH, as_of=AS_OF).score is None


def test_a_valid_labour_certificate_gives_full_labour_points_even_with_old_evidence():
    # labour none, but a valid SA8000 → 100; traceability 40 % stale → 20. (100 + 20) / 2 = 60.
    result = esg_points(
        labour="none",
        traceability_pct=D("40"),
        evidence_date=OLD,
        as_of=AS_OF,
        valid_certificate_kinds=frozenset({"sa8000"}),
    )
    assert result.score == D("60.00")


def test_weights_are_editable():
    # emissions 100 (weight 3), waste 0 (weight 1): (300 + 0) / 4 = 75.
    result = esg_points(
        emissions_kg_co2e_per_eur=D("0.1"),
        waste_recycled_pct=D("0"),
        evidence_date=FRESH,
        as_of=AS_OF,
        weights={"emissions": D("3"), "waste": D("1"), "labour": D("1"), "traceability": D("1")},
    )
    assert result.score == D("75.00")


def test_improvements_name_what_is_missing():
    result = esg_points(labour="code_of_conduct", evidence_date=OLD, as_of=AS_OF)
    tips = " ".join(esg_improvements(result))
    assert "older evidence counts half" in tips
    assert "SA8000 or ISO 45001" in tips and "emissions intensity" in tips


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("ISO 9001", "iso_9001"),
        ("iso9001", "iso_9001"),
        ("ISO-9001", "iso_9001"),
        ("ISO 9001:2015", "iso_9001"),
        ("IATF16949", "iatf_16949"),
        ("iatf 16949", "iatf_16949"),
        ("AS9100", "as_9100"),
        ("sa 8000", "sa8000"),
        ("iso_45001", "iso_45001"),
        ("OHSAS 18001", "iso_45001"),
        ("Other", "other"),
    ],
)
def test_certificate_kinds_are_read_the_way_people_write_them(written, code):
    assert certificate_kind_code(written) == code


@pytest.mark.parametrize("written", ["ISO 9002", "", "quality", None, 9001])
def test_unknown_certificate_kinds_are_none(written):
    assert certificate_kind_code(written) is None
