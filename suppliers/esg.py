"""The ESG score (0–100) from a supplier's latest ESG answers: pure arithmetic the
services, pages, API and tests share (docs/qualification.md, "ESG score")."""

import calendar
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# Criterion: (floor → 0 points, target → 100 points); linear between, clamped.
EMISSIONS = (Decimal("1.0"), Decimal("0.1"))  # kg CO2e per EUR of sales to us
WASTE = (Decimal("20"), Decimal("90"))  # % recycled
TRACEABILITY = (Decimal("0"), Decimal("100"))  # % of spend traced
LABOUR_POINTS = {"audit": Decimal("100"), "code_of_conduct": Decimal("50"), "none": Decimal("0")}
# Certificates that give labour full points while valid.
LABOUR_CERTIFICATES = frozenset({"sa8000", "iso_45001"})
EVIDENCE_MAX_AGE_MONTHS = 24
CRITERIA = ("emissions", "waste", "labour", "traceability")
HUNDRED = Decimal("100")


@dataclass(frozen=True)
class EsgPoints:
    score: Decimal | None
    points: dict[str, Decimal | None]  # per criterion, after the half for stale evidence
    stale: bool


def linear_points(value, floor: Decimal, target: Decimal) -> Decimal | None:
    """0 at the floor, 100 at the target, linear between, clamped; None when unanswered."""
    if value is None:
        return None
    fraction = (Decimal(str(value)) - floor) / (target - floor)
    return min(HUNDRED, max(Decimal("0"), HUNDRED * fraction))


def months_after(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (or earlier, when negative), clamped to the month's end."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def months_before(day: dt.date, months: int) -> dt.date:
    return months_after(day, -months)


def is_stale(evidence_date: dt.date | None, as_of: dt.date) -> bool:
    """Evidence older than 24 months (or undated) counts half its points."""
    return evidence_date is None or evidence_date < months_before(as_of, EVIDENCE_MAX_AGE_MONTHS)


def esg_points(
    *,
    emissions_kg_co2e_per_eur=None,
    waste_recycled_pct=None,
    labour: str = "",
    traceability_pct=None,
    evidence_date: dt.date | None,
    as_of: dt.date,
    valid_certificate_kinds: frozenset[str] = frozenset(),
    weights: Mapping[str, Decimal] | None = None,
) -> EsgPoints:
    """The four criteria's points and the weighted mean of the answered ones."""
    stale = is_stale(evidence_date, as_of)
    factor = Decimal("0.5") if stale else Decimal("1")
    raw = {
        "emissions": linear_points(emissions_kg_co2e_per_eur, *EMISSIONS),
        "waste": linear_points(waste_recycled_pct, *WASTE),
        "labour": LABOUR_POINTS.get(labour) if labour else None,
        "traceability": linear_points(traceability_pct, *TRACEABILITY),
    }
    points = {k: (v * factor if v is not None else None) for k, v in raw.items()}
    if valid_certificate_kinds & LABOUR_CERTIFICATES:
        points["labour"] = HUNDRED  # a valid certificate is current evidence of its own
    weights = weights or {k: Decimal("1") for k in CRITERIA}
    answered = [
        (points[k], Decimal(str(weights.get(k, 1)))) for k in CRITERIA if points[k] is not None
    ]
    total_weight = sum((w for _, w in answered), Decimal("0"))
    if not answered or not total_weight:
        return EsgPoints(None, points, stale)
    score = sum((p * w for p, w in answered), Decimal("0")) / total_weight
    return EsgPoints(score.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), points, stale)


def esg_improvements(result: EsgPoints) -> list[str]:
    """What evidence would raise the score, in the supplier's words."""
    tips = []
    if result.stale:
        tips.append("Send evidence dated within the last 24 months: older evidence counts half.")
    names = {
        "emissions": "Report emissions intensity (kg CO2e per EUR of sales to us); "
        "0.1 or less scores full points.",
        "waste": "Report the share of waste recycled; 90 % or more scores full points.",
        "labour": "Upload a valid SA8000 or ISO 45001 certificate, or the report of a passed "
        "third-party labour audit.",
        "traceability": "Report the share of spend traced to its origin; 100 % scores full.",
    }
    for key in CRITERIA:
        value = result.points.get(key)
        if value is None or value < HUNDRED:
            tips.append(names[key])
    return tips
