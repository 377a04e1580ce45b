"""Scorecard templates are edited in the admin, and scores follow at once."""

import pytest
from django.urls import reverse

from scorecards.models import ScorecardTemplate
from tests.scorecards.test_rules import FEB_10, approx

pytestmark = pytest.mark.django_db


def template_form(template, **changes):
    fields = [
        "name",
        "otd_floor_pct",
        "otd_target_pct",
        "otd_weight",
        "defect_ppm_floor",
        "defect_ppm_target",
        "defect_ppm_weight",
        "lead_time_floor_days",
        "lead_time_target_days",
        "lead_time_weight",
        "landed_cost_index_floor",
        "landed_cost_index_target",
        "landed_cost_weight",
    ]
    data = {f: str(getattr(template, f)) for f in fields}
    data["is_default"] = "on" if template.is_default else ""
    data |= {
        "assignments-TOTAL_FORMS": "0",
        "assignments-INITIAL_FORMS": "0",
        "assignments-MIN_NUM_FORMS": "0",
        "assignments-MAX_NUM_FORMS": "1000",
    }
    return data | changes


def test_admin_edits_the_default_template_and_scores_follow(
    kpi, client_for, admin_user, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    kpi.receive(kpi.line(), FEB_10, "89")  # OTD 89 → 50; lead 36 d; single source LCI 1 → 75
    kpi.recompute()
    template = ScorecardTemplate.objects.get(is_default=True)
    url = reverse("admin:scorecards_scorecardtemplate_change", args=[template.pk])
    client = client_for(admin_user)
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, template_form(template, otd_weight="0"))
    assert response.status_code == 302, response.content
    assert kpi.card().composite_score == approx((10 * 100 * 24 / 46 + 20 * 75) / 30)


def test_template_whose_floor_equals_its_target_is_refused(client_for, admin_user):
    template = ScorecardTemplate.objects.get(is_default=True)
    url = reverse("admin:scorecards_scorecardtemplate_change", args=[template.pk])
    response = client_for(admin_user).post(url, template_form(template, otd_target_pct="80"))
    assert response.status_code == 200  # the form again, with the error
    assert "The target must differ from the floor." in response.content.decode()


def test_the_default_template_cannot_be_deleted(client_for, admin_user):
    template = ScorecardTemplate.objects.get(is_default=True)
    url = reverse("admin:scorecards_scorecardtemplate_delete", args=[template.pk])
    assert client_for(admin_user).get(url).status_code == 403
