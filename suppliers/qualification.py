"""Qualification arithmetic: the weighted score and the pass/fail of an assessment, pure
functions the services, pages and tests share (docs/qualification.md)."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

HALF = Decimal("0.5")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class CriterionScore:
    code: str
    name: str
    weight: Decimal
    score: Decimal | None
    knockout_minimum: Decimal | None = None


@dataclass(frozen=True)
class Outcome:
    weighted_score: Decimal | None
    passed: bool
    reason: str


def score_check(value) -> Decimal | None:
    """A criterion score: 0–5 in halves, or None (not scored). Raises ValueError."""
    if value is None or value == "":
        return None
    score = Decimal(str(value))
    if not Decimal("0") <= score <= Decimal("5"):
        raise ValueError("Score from 0 to 5.")
    if (score / HALF) % 1:
        raise ValueError("Score in whole or half points (0, 0.5, 1, ... 5).")
    return score


def weighted_score(scores: Sequence[CriterionScore]) -> Decimal | None:
    """`Σ wᵢ·sᵢ / Σ wᵢ` over the scored criteria, 0–5 with 2 decimals; None when none is."""
    scored = [s for s in scores if s.score is not None]
    total_weight = sum((s.weight for s in scored), Decimal("0"))
    if not total_weight:
        return None
    value = sum((s.score * s.weight for s in scored), Decimal("0")) / total_weight
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def assessment_outcome(scores: Sequence[CriterionScore], *, pass_mark: Decimal) -> Outcome:
    """Passed when every criterion is scored, the weighted score reaches the pass mark and
    no knock-out criterion is below its minimum; the reason names what failed."""
    value = weighted_score(scores)
    missing = [s.name for s in scores if s.score is None]
    knocked = [
        f"{s.name} {s.score.normalize():f} is below its knock-out minimum "
        f"{s.knockout_minimum.normalize():f}"
        for s in scores
        if s.score is not None and s.knockout_minimum is not None and s.score < s.knockout_minimum
    ]
    reasons = []
    if not scores:
        reasons.append("the template has no criteria")
    if missing:
        reasons.append("not scored: " + ", ".join(missing))
    reasons.extend(f"knocked out: {k}" for k in knocked)
    if value is not None and value < pass_mark:
        reasons.append(f"weighted score {value:f} is below the pass mark {pass_mark.normalize():f}")
    if reasons:
        return Outcome(value, False, "; ".join(reasons))
    return Outcome(value, True, f"weighted score {value:f} reaches the pass mark {pass_mark:f}")
