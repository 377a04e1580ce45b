"""One outbox: every change to a KPI input (facts, contracts, templates) records what it
touches in the writer's transaction, and the pipeline consumes it once."""

import datetime as dt

import pytest
from django.db import transaction

from contracts.services import contract_update
from engine.pipeline import pipeline_run
from outbox.models import PendingCell, PendingRescore
from scorecards.models import ScorecardTemplate
from scorecards.services import scorecard_template_update
from tests.factories import ContractFactory

pytestmark = pytest.mark.django_db


def test_a_contract_change_marks_the_months_it_covers_in_its_own_transaction(supplier_a):
    contract = ContractFactory(
        supplier=supplier_a, valid_from=dt.date(2026, 1, 15), valid_to=dt.date(2026, 3, 31)
    )
    PendingCell.objects.all().delete()
    with pytest.raises(RuntimeError), transaction.atomic():
        contract_update(contract=contract, late_tolerance_days=2)
        raise RuntimeError("the caller fails after the change")
    assert not PendingCell.objects.exists()

    contract_update(contract=contract, late_tolerance_days=2)
    assert set(PendingCell.objects.values_list("supplier_id", "month")) == {
        (supplier_a.pk, dt.date(2026, 1, 1)),
        (supplier_a.pk, dt.date(2026, 2, 1)),
        (supplier_a.pk, dt.date(2026, 3, 1)),
    }
    run = pipeline_run()
    assert run.summary["refresh scorecards"]["supplier_count"] == 1
    assert not PendingCell.objects.exists()
    assert pipeline_run().summary["refresh scorecards"] is None  # consumed once


def test_a_template_change_waits_in_the_outbox_and_the_pipeline_rescores(db):
    template = ScorecardTemplate.objects.get(is_default=True)
    scorecard_template_update(template=template, data={"otd_weight": 10})
    assert PendingRescore.objects.count() == 1
    run = pipeline_run()
    assert "rows_rescored" in run.summary["refresh scorecards"]
    assert run.summary["evaluate rules"] is not None  # composite scores may break rules
    assert not PendingRescore.objects.exists()
