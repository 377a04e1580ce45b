"""Scorecard writes: the recompute (re-exported from `scorecards.recompute`), templates
and assignments.

`scorecard_recompute` is the one entry point for the nightly run, the refresh after a
receipt/inspection/line change, the management command and the tests; how it stages and
stores the KPIs set-based is told in `scorecards.recompute` and `scorecards.store`.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core import task_names
from core.services import model_update
from core.tasks import task_queue_safely
from outbox import services as outbox_services
from scorecards.models import ScorecardAssignment, ScorecardTemplate
from scorecards.recompute import (
    RECOMPUTE_SETTINGS,
    RECOMPUTE_STEPS,
    RecomputeResult,
    scorecard_recompute,
    scorecard_scores_refresh,
)

__all__ = [
    "RECOMPUTE_SETTINGS",
    "RECOMPUTE_STEPS",
    "TEMPLATE_FIELDS",
    "RecomputeResult",
    "scorecard_assignment_delete",
    "scorecard_assignment_set",
    "scorecard_assignment_update",
    "scorecard_recompute",
    "scorecard_rescore_queue",
    "scorecard_scores_refresh",
    "scorecard_template_create",
    "scorecard_template_delete",
    "scorecard_template_update",
    "scorecard_templates_changed",
]


def scorecard_templates_changed() -> None:
    """A template or assignment changed: the outbox records it in the caller's transaction
    and the engine pipeline re-scores once it commits (or at its next beat run)."""
    outbox_services.rescore_mark()
    transaction.on_commit(
        lambda: task_queue_safely(task_names.PIPELINE, None, timezone.now().isoformat())
    )


# --- templates and assignments ----------------------------------------------------------
# How KPIs score is an input of every stored composite and grade: each change re-scores
# every supplier row once the transaction commits (the KPI figures themselves stay).

TEMPLATE_FIELDS = [
    f.name for f in ScorecardTemplate._meta.concrete_fields if f.name not in ("id", "updated_at")
]


def scorecard_rescore_queue() -> None:
    scorecard_templates_changed()


def _default_take_over(template: ScorecardTemplate) -> None:
    # One default at a time: the template made default takes over from the old one.
    ScorecardTemplate.objects.filter(is_default=True).exclude(pk=template.pk).update(
        is_default=False
    )


@transaction.atomic
def scorecard_template_create(*, name: str, actor=None, **fields) -> ScorecardTemplate:
    template = ScorecardTemplate(name=name, **fields)
    template.full_clean(validate_constraints=False)
    if template.is_default:
        _default_take_over(template)
    template.full_clean()
    template.save()
    scorecard_rescore_queue()
    return template


@transaction.atomic
def scorecard_template_update(
    *, template: ScorecardTemplate, data: dict, actor=None
) -> ScorecardTemplate:
    """Change floors, targets, weights or the default flag; the scores follow on commit."""
    if template.is_default and data.get("is_default") is False:
        raise ValidationError(
            {"is_default": "Make another template the default instead; one is always needed."}
        )
    if data.get("is_default") and not template.is_default:
        _default_take_over(template)
    _, changed = model_update(instance=template, fields=TEMPLATE_FIELDS, data=data)
    if changed:
        scorecard_rescore_queue()
    return template


@transaction.atomic
def scorecard_template_delete(*, template: ScorecardTemplate, actor=None) -> None:
    if template.is_default:
        raise ValidationError(
            {"is_default": "The default template scores every unassigned supplier; it stays."}
        )
    template.delete()  # its suppliers fall back to the default
    scorecard_rescore_queue()


@transaction.atomic
def scorecard_assignment_set(
    *, supplier, template: ScorecardTemplate, actor=None
) -> ScorecardAssignment:
    """Score a supplier with this template (replacing its previous one)."""
    assignment, created = ScorecardAssignment.objects.get_or_create(
        supplier=supplier, defaults={"template": template}
    )
    if not created and assignment.template_id != template.pk:
        assignment.template = template
        assignment.save(update_fields=["template"])
    elif not created:
        return assignment
    scorecard_rescore_queue()
    return assignment


@transaction.atomic
def scorecard_assignment_update(
    *, assignment: ScorecardAssignment, data: dict, actor=None
) -> ScorecardAssignment:
    _, changed = model_update(instance=assignment, fields=["supplier", "template"], data=data)
    if changed:
        scorecard_rescore_queue()
    return assignment


@transaction.atomic
def scorecard_assignment_delete(*, assignment: ScorecardAssignment, actor=None) -> None:
    """The supplier goes back to the default template."""
    assignment.delete()
    scorecard_rescore_queue()
