"""Templates and assignments are written by their services, which re-score on commit."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from scorecards import services
from scorecards.models import ScorecardAssignment, ScorecardTemplate
from scorecards.services import (
    scorecard_assignment_delete,
    scorecard_assignment_set,
    scorecard_template_create,
    scorecard_template_delete,
    scorecard_template_update,
)
from tests.scorecards.test_admin import template_form
from tests.scorecards.test_rules import FEB_10, approx

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch):
    """Task names queued by the scorecards services."""
    names = []
    monkeypatch.setattr(services, "task_queue_safely", lambda name, *args: names.append(name))
    return names


def test_admin_template_edit_rescores_through_the_service(
    kpi, client_for, admin_user, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    kpi.receive(kpi.line(), FEB_10, "89")
    kpi.recompute()
    calls = []
    real = services.scorecard_template_update

    def spy(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr("scorecards.admin.scorecard_template_update", spy)
    template = ScorecardTemplate.objects.get(is_default=True)
    url = reverse("admin:scorecards_scorecardtemplate_change", args=[template.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin_user).post(url, template_form(template, otd_weight="0"))
    assert response.status_code == 302
    assert calls[0]["data"] == {"otd_weight": 0} and calls[0]["actor"] == admin_user
    assert kpi.card().composite_score == approx((10 * 100 * 24 / 46 + 20 * 75) / 30)


def test_admin_assignment_inline_rescores(
    client_for, admin_user, supplier_a, queued, django_capture_on_commit_callbacks
):
    template = scorecard_template_create(name="Strict", otd_floor_pct=90)
    queued.clear()
    url = reverse("admin:scorecards_scorecardtemplate_change", args=[template.pk])
    form = template_form(template) | {
        "assignments-TOTAL_FORMS": "1",
        "assignments-0-supplier": str(supplier_a.pk),
        "assignments-0-template": str(template.pk),
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin_user).post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ScorecardAssignment.objects.get(supplier=supplier_a).template == template
    assert queued == ["engine.run"]


def test_unchanged_template_queues_nothing(queued, django_capture_on_commit_callbacks):
    template = ScorecardTemplate.objects.get(is_default=True)
    with django_capture_on_commit_callbacks(execute=True):
        scorecard_template_update(template=template, data={"otd_weight": template.otd_weight})
    assert queued == []


def test_new_default_takes_over_and_the_default_cannot_be_removed(
    queued, django_capture_on_commit_callbacks
):
    old = ScorecardTemplate.objects.get(is_default=True)
    with django_capture_on_commit_callbacks(execute=True):
        new = scorecard_template_create(name="New default", is_default=True)
    old.refresh_from_db()
    assert new.is_default and not old.is_default
    assert queued == ["engine.run"]
    with pytest.raises(ValidationError):
        scorecard_template_delete(template=new)
    with pytest.raises(ValidationError):
        scorecard_template_update(template=new, data={"is_default": False})


def test_template_rules_hold_in_the_service():
    template = ScorecardTemplate.objects.get(is_default=True)
    with pytest.raises(ValidationError) as caught:
        scorecard_template_update(
            template=template, data={"otd_target_pct": template.otd_floor_pct}
        )
    assert "otd_target_pct" in caught.value.message_dict


def test_assignment_set_and_delete_rescore(supplier_a, queued, django_capture_on_commit_callbacks):
    template = scorecard_template_create(name="Strict")
    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assignment = scorecard_assignment_set(supplier=supplier_a, template=template)
        scorecard_assignment_set(supplier=supplier_a, template=template)  # no change
    assert queued == ["engine.run"]
    with django_capture_on_commit_callbacks(execute=True):
        scorecard_assignment_delete(assignment=assignment)
    assert queued == ["engine.run"] * 2
    assert not ScorecardAssignment.objects.exists()
