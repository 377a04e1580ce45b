"""Qualification, ESG and regional risk in the demo: part categories with the certificates
their sources must hold, assessments that leave each supplier in a state a newcomer can
see (approved and current, two due for re-qualification, prospects in qualification, a
knock-out), ESG answers with a spread of scores and a couple of stale ones."""

import datetime as dt
import random
from decimal import Decimal

from parts.category_services import part_category_create
from parts.models import PartCategory
from suppliers.esg import months_after
from suppliers.models import (
    EsgAssessment,
    QualificationAssessment,
    QualificationCriterion,
    Supplier,
)
from suppliers.services import (
    assessment_create,
    esg_assessments_create,
    esg_scores_store,
    supplier_change_status,
)

# Catalogue category name → (code, certificate kinds a source must hold).
CATEGORY_RULES = {
    "Castings": ("castings", ["iso_9001", "iatf_16949"]),
    "Fasteners": ("fasteners", ["iso_9001"]),
    "Electronics": ("electronics", ["iso_9001"]),
}


def part_categories_ensure(names) -> dict[str, PartCategory]:
    """The demo's part categories by name, created through the service (with the required
    certificates of `CATEGORY_RULES`)."""
    found = {c.name: c for c in PartCategory.objects.filter(name__in=list(names))}
    for name in names:
        if name in found:
            continue
        code, kinds = CATEGORY_RULES.get(name, (name.lower().replace(" ", "-"), []))
        found[name] = part_category_create(code=code, name=name, required_certificates=kinds)
    return found


def _scores(rng: random.Random, codes: list[str], *, low: float, high: float) -> dict:
    return {code: Decimal(rng.randint(int(low * 2), int(high * 2))) / 2 for code in codes}


def _latest_passed(supplier_ids) -> dict[int, dt.date]:
    latest: dict[int, dt.date] = {}
    for supplier_id, day in QualificationAssessment.objects.filter(
        supplier_id__in=supplier_ids, state="submitted", passed=True
    ).values_list("supplier_id", "assessed_on"):
        latest[supplier_id] = max(day, latest.get(supplier_id, day))
    return latest


def qualification_seed(*, rng: random.Random, plans, today: dt.date, users: dict) -> dict:
    """Assessments through the service on top of the onboarding history: approved suppliers
    re-assessed within the year except two (one due within 30 days, one overdue), the
    qualified ones freshly passed by the other buyer (four eyes), prospects in progress
    (a draft, a knock-out, one qualified through the gate)."""
    codes = list(
        QualificationCriterion.objects.filter(is_active=True).values_list("code", flat=True)
    )
    suppliers = [p.supplier for p in plans]
    by_status: dict[str, list[Supplier]] = {}
    for supplier in suppliers:
        by_status.setdefault(supplier.status, []).append(supplier)
    buyers = [users["buyer"], users["buyer2"]]
    latest = _latest_passed([s.pk for s in suppliers])
    approved = by_status.get(Supplier.Status.APPROVED, [])
    year_ago = months_after(today, -12)
    stale = [s for s in approved if latest.get(s.pk, year_ago) < year_ago - dt.timedelta(days=30)]
    due_soon, overdue = (stale[:2] + [None, None])[:2]
    for supplier in approved + by_status.get(Supplier.Status.ON_HOLD, []):
        if supplier in (due_soon, overdue):
            continue
        if latest.get(supplier.pk, year_ago) > today - dt.timedelta(days=300):
            continue
        assessment_create(
            supplier=supplier,
            assessed_by=rng.choice(buyers),
            assessed_on=today - dt.timedelta(days=rng.randint(20, 300)),
            scores=_scores(rng, codes, low=3, high=5),
            notes="Yearly re-qualification.",
            submit=True,
        )
    if due_soon is not None:
        assessment_create(
            supplier=due_soon,
            assessed_by=buyers[0],
            assessed_on=year_ago + dt.timedelta(days=18),
            scores=_scores(rng, codes, low=3, high=5),
            notes="Yearly re-qualification.",
            submit=True,
        )
    for supplier in by_status.get(Supplier.Status.QUALIFIED, []):
        assessor = buyers[1] if supplier.owner_id == buyers[0].pk else buyers[0]
        assessment_create(
            supplier=supplier,
            assessed_by=assessor,
            assessed_on=today - dt.timedelta(days=rng.randint(5, 40)),
            scores=_scores(rng, codes, low=3, high=5),
            notes="Second-source qualification audit.",
            submit=True,
        )
    prospects = by_status.get(Supplier.Status.PROSPECT, [])
    _prospects_seed(rng=rng, prospects=prospects, codes=codes, buyers=buyers, today=today)
    return {
        "due_soon": getattr(due_soon, "code", None),
        "overdue": getattr(overdue, "code", None),
    }


def _prospects_seed(*, rng, prospects, codes, buyers, today) -> None:
    """A draft half scored, a knock-out on the quality system, and one passed and
    qualified through the gate (by a buyer who did not assess it)."""
    if not prospects:
        return
    draft_for = prospects[0]
    half = {code: score for code, score in list(_scores(rng, codes, low=2, high=4).items())[:2]}
    assessment_create(
        supplier=draft_for,
        assessed_by=buyers[0],
        assessed_on=today - dt.timedelta(days=3),
        scores=half,
        notes="Site visit done; financials still to review.",
    )
    if len(prospects) > 1:
        scores = _scores(rng, codes, low=3, high=5)
        scores["quality_system"] = Decimal("1.5")
        assessment_create(
            supplier=prospects[1],
            assessed_by=buyers[1],
            assessed_on=today - dt.timedelta(days=12),
            scores=scores,
            notes="No documented quality system yet.",
            submit=True,
        )
    if len(prospects) > 2:
        assessment_create(
            supplier=prospects[2],
            assessed_by=buyers[1],
            assessed_on=today - dt.timedelta(days=8),
            scores=_scores(rng, codes, low=3.5, high=5),
            notes="Capable second source.",
            submit=True,
        )
        supplier_change_status(
            supplier=prospects[2], status=Supplier.Status.QUALIFIED, actor=buyers[0], as_of=today
        )


def esg_seed(*, rng: random.Random, plans, today: dt.date) -> None:
    """ESG answers with facts and evidence dates for most suppliers: a spread of scores,
    a couple with evidence older than 24 months, a few who never answered."""
    answers = []
    for index, plan in enumerate(plans):
        if rng.random() < 0.12:
            continue
        stale = index % 17 == 5
        evidence = today - dt.timedelta(
            days=rng.randint(800, 1000) if stale else rng.randint(20, 600)
        )
        answers.append(
            EsgAssessment(
                supplier=plan.supplier,
                answered_on=evidence + dt.timedelta(days=rng.randint(0, 20)),
                emissions_kg_co2e_per_eur=Decimal(str(round(rng.uniform(0.05, 1.2), 3))),
                waste_recycled_pct=Decimal(str(round(rng.uniform(10, 95), 1))),
                labour=rng.choices(
                    [
                        EsgAssessment.Labour.AUDIT,
                        EsgAssessment.Labour.CODE_OF_CONDUCT,
                        EsgAssessment.Labour.NONE,
                    ],
                    weights=[4, 5, 1],
                )[0],
                traceability_origin_known_pct=Decimal(str(round(rng.uniform(0, 100), 1))),
                evidence_date=evidence,
                comments="Answers with evidence."
                if not stale
                else "Evidence from the last audit cycle.",
            )
        )
    for answer in answers:
        if answer.answered_on > today:
            answer.answered_on = today
    esg_assessments_create(assessments=answers)
    esg_scores_store(as_of=today)


def qualification_demo_seed(*, rng: random.Random, plans, today: dt.date, users: dict) -> dict:
    """The demo's qualification, ESG and regional-risk layer (one call from the seed)."""
    result = qualification_seed(rng=rng, plans=plans, today=today, users=users)
    esg_seed(rng=rng, plans=plans, today=today)
    return result
