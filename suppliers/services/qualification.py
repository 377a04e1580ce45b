"""Qualification assessments: open (draft), score, submit; never edited once submitted
(docs/qualification.md)."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.services import model_update
from suppliers.gates import qualification_template
from suppliers.models import (
    QualificationAssessment,
    QualificationCriterion,
    QualificationScore,
    QualificationTemplate,
    Supplier,
)
from suppliers.qualification import CriterionScore, assessment_outcome, score_check
from suppliers.services.files import evidence_check, safe_file_name

TEMPLATE_FIELDS = [
    "pass_mark",
    "requalification_months",
    "esg_emissions_weight",
    "esg_waste_weight",
    "esg_labour_weight",
    "esg_traceability_weight",
]


def qualification_template_update(*, data: dict, actor=None) -> QualificationTemplate:
    template = qualification_template()
    model_update(instance=template, fields=TEMPLATE_FIELDS, data=data)
    return template


def _criterion_rows(assessment: QualificationAssessment) -> list[CriterionScore]:
    return [
        CriterionScore(
            code=s.criterion.code,
            name=s.criterion.name,
            weight=s.weight,
            score=s.score,
            knockout_minimum=s.knockout_minimum,
        )
        for s in assessment.scores.select_related("criterion").order_by("criterion__code")
    ]


def assessment_outcome_refresh(*, assessment: QualificationAssessment) -> QualificationAssessment:
    """Store the weighted score, pass/fail and its reason from the scores on file."""
    outcome = assessment_outcome(_criterion_rows(assessment), pass_mark=assessment.minimum_score)
    assessment.weighted_score = outcome.weighted_score
    assessment.passed = outcome.passed
    assessment.outcome_reason = outcome.reason[:300]
    assessment.save(update_fields=["weighted_score", "passed", "outcome_reason"])
    return assessment


def _scores_apply(
    assessment: QualificationAssessment, *, scores: dict, comments: dict, evidence: dict
) -> None:
    rows = {s.criterion.code: s for s in assessment.scores.select_related("criterion")}
    errors: dict[str, list[str]] = {}
    unknown = sorted((set(scores) | set(comments) | set(evidence)) - set(rows))
    if unknown:
        known = ", ".join(sorted(rows)) or "none"
        errors["scores"] = [f"Unknown criteria: {', '.join(unknown)[:100]} (known: {known})."]
    for code, value in scores.items():
        if code not in rows:
            continue
        try:
            rows[code].score = score_check(value)
        except (ValueError, ArithmeticError) as exc:
            message = str(exc) if isinstance(exc, ValueError) else "Score from 0 to 5."
            errors.setdefault("scores", []).append(f"{code}: {message}")
    for code, text in comments.items():
        if code in rows:
            rows[code].comment = (text or "").strip()
    for code, upload in evidence.items():
        if code in rows and upload is not None:
            try:
                rows[code].evidence_content_type = evidence_check(upload)
            except ValidationError as exc:
                errors.setdefault("evidence", []).append(f"{code}: {' '.join(exc.messages)}")
    if errors:
        raise ValidationError(errors)
    for code, upload in evidence.items():
        if code in rows and upload is not None:
            rows[code].evidence_name = safe_file_name(upload.name)
            rows[code].evidence.save("evidence", upload, save=False)
    for row in rows.values():
        row.save()


@transaction.atomic
def assessment_create(
    *,
    supplier: Supplier,
    assessed_by,
    category=None,
    assessed_on: dt.date | None = None,
    scores: dict | None = None,
    comments: dict | None = None,
    evidence: dict | None = None,
    notes: str = "",
    submit: bool = False,
) -> QualificationAssessment:
    """Open an assessment on the template's active criteria (their weights and knock-out
    minimums are kept with it), optionally scored and submitted at once."""
    template = qualification_template()
    assessed_on = assessed_on or timezone.localdate()
    if assessed_on > timezone.localdate():
        raise ValidationError({"assessed_at": "An assessment cannot be dated in the future."})
    criteria = list(QualificationCriterion.objects.filter(is_active=True).order_by("code"))
    if not criteria:
        raise ValidationError({"scores": "The qualification template has no active criteria."})
    assessment = QualificationAssessment.objects.create(
        supplier=supplier,
        category=category,
        assessed_on=assessed_on,
        assessed_by=assessed_by if getattr(assessed_by, "pk", None) else None,
        state=QualificationAssessment.State.DRAFT,
        minimum_score=template.pass_mark,
        notes=(notes or "").strip(),
    )
    QualificationScore.objects.bulk_create(
        [
            QualificationScore(
                assessment=assessment,
                criterion=c,
                weight=c.weight,
                knockout_minimum=c.knockout_minimum,
            )
            for c in criteria
        ]
    )
    _scores_apply(assessment, scores=scores or {}, comments=comments or {}, evidence=evidence or {})
    assessment_outcome_refresh(assessment=assessment)
    if submit:
        assessment_submit(assessment=assessment, actor=assessed_by)
    return assessment


def _check_draft(assessment: QualificationAssessment) -> None:
    if assessment.state != QualificationAssessment.State.DRAFT:
        raise ValidationError(
            {"state": "A submitted assessment is never edited; open a new one to replace it."}
        )


@transaction.atomic
def assessment_update(
    *,
    assessment: QualificationAssessment,
    scores: dict | None = None,
    comments: dict | None = None,
    evidence: dict | None = None,
    notes: str | None = None,
    category=...,
    actor=None,
) -> QualificationAssessment:
    """Change a draft's scores, comments, evidence or notes."""
    assessment = QualificationAssessment.objects.select_for_update().get(pk=assessment.pk)
    _check_draft(assessment)
    _scores_apply(assessment, scores=scores or {}, comments=comments or {}, evidence=evidence or {})
    data = {}
    if notes is not None:
        data["notes"] = notes.strip()
    if category is not ...:
        data["category"] = category
    if data:
        model_update(instance=assessment, fields=["notes", "category"], data=data)
    return assessment_outcome_refresh(assessment=assessment)


@transaction.atomic
def assessment_submit(
    *, assessment: QualificationAssessment, actor=None
) -> QualificationAssessment:
    """Submit a draft: its outcome is final; a newer assessment replaces it, this one stays."""
    assessment = QualificationAssessment.objects.select_for_update().get(pk=assessment.pk)
    _check_draft(assessment)
    assessment.state = QualificationAssessment.State.SUBMITTED
    assessment.submitted_at = timezone.now()
    assessment.save(update_fields=["state", "submitted_at"])
    return assessment_outcome_refresh(assessment=assessment)


@transaction.atomic
def qualification_assessments_create(
    *,
    assessments: list[tuple[QualificationAssessment, list[QualificationScore]]],
    batch_size: int = 2000,
) -> list[QualificationAssessment]:
    """Create submitted assessments with their scores in bulk (history brought over, demo):
    the outcome is computed and stored as for one submitted through the form."""
    now = timezone.now()
    for assessment, scores in assessments:
        rows = [
            CriterionScore(
                code=s.criterion.code,
                name=s.criterion.name,
                weight=s.weight,
                score=None if s.score is None else Decimal(str(s.score)),
                knockout_minimum=s.knockout_minimum,
            )
            for s in scores
        ]
        outcome = assessment_outcome(rows, pass_mark=assessment.minimum_score)
        assessment.weighted_score = outcome.weighted_score
        assessment.passed = outcome.passed
        assessment.outcome_reason = outcome.reason[:300]
        if assessment.state == QualificationAssessment.State.SUBMITTED:
            assessment.submitted_at = assessment.submitted_at or now
    created = QualificationAssessment.objects.bulk_create(
        [assessment for assessment, _ in assessments], batch_size=batch_size
    )
    scores = []
    for assessment, assessment_scores in assessments:
        for score in assessment_scores:
            score.assessment = assessment
            scores.append(score)
    QualificationScore.objects.bulk_create(scores, batch_size=batch_size)
    return created
