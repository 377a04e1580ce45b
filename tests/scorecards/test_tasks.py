"""A posted receipt reaches its supplier's current scorecard through the real task path."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from purchasing.models import Receipt
from purchasing.services import receipts_create
from scorecards import tasks
from scorecards.models import SupplierScorecard

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 20)


@time_machine.travel(dt.datetime(2026, 3, 20, 9, 0, tzinfo=dt.UTC), tick=False)
def test_posted_receipt_updates_the_current_scorecard(
    kpi, supplier_a, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    line = kpi.line(promised=dt.date(2026, 3, 18), quantity="100")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        receipts_create(
            receipts=[
                Receipt(
                    number="GR-TASK-1",
                    line=line,
                    receipt_date=dt.date(2026, 3, 17),
                    quantity=Decimal("100"),
                    cost_currency="EUR",
                )
            ]
        )
    assert len(callbacks) == 1  # one refresh per transaction
    current = SupplierScorecard.objects.get(supplier=supplier_a, period="rolling-90")
    assert current.period_end == TODAY
    assert (current.lines_due, current.receipts_count) == (1, 1)
    assert current.otd_pct == Decimal("100")
    month = SupplierScorecard.objects.get(supplier=supplier_a, period="2026-03")
    assert month.lead_time_mean_days == Decimal("71")  # Jan 5 → Mar 17


def test_refresh_of_a_deleted_supplier_is_a_no_op():
    assert tasks.scorecards_refresh_suppliers.run([987654]) == {"suppliers": 0}


def test_tasks_retry_only_transient_database_errors():
    from django.db import OperationalError

    for task in (tasks.scorecards_refresh_suppliers, tasks.scorecards_recompute_all):
        assert task.autoretry_for == (OperationalError,)
        assert task.time_limit and task.soft_time_limit


def test_nightly_task_recomputes_everything(kpi, supplier_b):
    kpi.receive(kpi.line(), dt.date(2026, 2, 10), "100")
    summary = tasks.scorecards_recompute_all.run()
    assert summary["supplier_count"] is None
    assert SupplierScorecard.objects.filter(period="2026-02").count() == 1
    assert SupplierScorecard.objects.filter(supplier=supplier_b, period="rolling-90").exists()
