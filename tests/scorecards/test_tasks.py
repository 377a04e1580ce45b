"""A posted receipt reaches its supplier's current scorecard through the real task path."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import OperationalError, transaction

from outbox.models import PendingCell, PendingRefresh
from purchasing.models import Receipt
from purchasing.services import receipts_create
from scorecards import services, tasks
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


@time_machine.travel(dt.datetime(2026, 3, 20, 9, 0, tzinfo=dt.UTC), tick=False)
def test_refresh_copes_with_a_supplier_deleted_while_it_waited(kpi, supplier_a):
    from purchasing.services import kpi_inputs_changed
    from scorecards.models import PartScorecard
    from tests.factories import SupplierFactory

    gone = SupplierFactory(code="GONE")
    services.scorecard_recompute()
    assert SupplierScorecard.objects.filter(supplier=gone).exists()
    _post(kpi.line(promised=dt.date(2026, 3, 18)), "GR-STAYS", dt.date(2026, 3, 17))
    kpi_inputs_changed(supplier_ids=[gone.pk])
    gone_id = gone.pk
    gone.delete()  # a prospect entered by mistake is removed before the task runs

    summary = tasks.scorecards_refresh_suppliers.run([gone_id])

    assert summary["supplier_count"] == 1  # the supplier still waiting, and only it
    assert not PendingRefresh.objects.exists() and not PendingCell.objects.exists()
    assert not SupplierScorecard.objects.filter(supplier_id=gone_id).exists()
    assert not PartScorecard.objects.filter(supplier_id=gone_id).exists()
    current = SupplierScorecard.objects.get(supplier=supplier_a, period="rolling-90")
    assert current.receipts_count == 1
    assert tasks.scorecards_refresh_suppliers.run([gone_id])["suppliers"] == 0


def _post(line, number, day, quantity="10"):
    receipts_create(
        receipts=[
            Receipt(
                number=number,
                line=line,
                receipt_date=day,
                quantity=Decimal(quantity),
                cost_currency="EUR",
            )
        ]
    )


@time_machine.travel(dt.datetime(2026, 3, 20, 9, 0, tzinfo=dt.UTC), tick=False)
def test_a_burst_of_postings_costs_one_recompute(
    kpi, supplier_a, supplier_b, django_capture_on_commit_callbacks
):
    line_a = kpi.line(promised=dt.date(2026, 3, 18), quantity="100")
    line_b = kpi.line(promised=dt.date(2026, 3, 18), quantity="100", supplier=supplier_b)
    queued = []
    for i, line in enumerate((line_a, line_a, line_b)):
        with django_capture_on_commit_callbacks() as callbacks:
            _post(line, f"GR-BURST-{i}", dt.date(2026, 3, 17))
        queued.extend(callbacks)
    assert len(queued) == 3  # one task per posting, as the postings committed
    # Each posting marked its receipt month (which is also its line's promised month).
    assert set(PendingCell.objects.values_list("supplier_id", "month")) == {
        (supplier_a.pk, dt.date(2026, 3, 1)),
        (supplier_b.pk, dt.date(2026, 3, 1)),
    }

    first = tasks.scorecards_refresh_suppliers.run([supplier_a.pk])
    later = [tasks.scorecards_refresh_suppliers.run([supplier_a.pk]) for _ in range(2)]

    assert first["supplier_count"] == 2  # both waiting suppliers, in one recompute
    assert [summary["suppliers"] for summary in later] == [0, 0]
    assert not PendingCell.objects.exists()
    current = SupplierScorecard.objects.get(supplier=supplier_a, period="rolling-90")
    assert (current.receipts_count, current.quantity_received) == (2, 20)
    assert (
        SupplierScorecard.objects.get(supplier=supplier_b, period="rolling-90").receipts_count == 1
    )


def test_a_rolled_back_posting_requests_no_refresh(kpi):
    line = kpi.line(promised=dt.date(2026, 3, 18))
    with pytest.raises(RuntimeError), transaction.atomic():
        _post(line, "GR-ROLLED-BACK", dt.date(2026, 3, 17))
        raise RuntimeError("the caller fails after posting")
    assert not PendingCell.objects.exists()


def test_a_failed_refresh_leaves_its_cells_waiting(kpi, supplier_a, monkeypatch):
    line = kpi.line(promised=dt.date(2026, 3, 18))
    _post(line, "GR-FAILS", dt.date(2026, 3, 17))

    def broken(**kwargs):
        raise OperationalError("connection lost")

    monkeypatch.setattr(services, "scorecard_recompute", broken)
    with pytest.raises(OperationalError):
        tasks.scorecards_refresh_suppliers.run([supplier_a.pk])
    assert list(PendingCell.objects.values_list("supplier_id", "month")) == [
        (supplier_a.pk, dt.date(2026, 3, 1))
    ]

    monkeypatch.undo()
    assert tasks.scorecards_refresh_suppliers.run([supplier_a.pk])["supplier_count"] == 1
    assert not PendingCell.objects.exists()


def test_tasks_retry_only_transient_database_errors():
    for task in (
        tasks.scorecards_refresh_suppliers,
        tasks.scorecards_refresh_nightly,
        tasks.scorecards_recompute_all,
    ):
        assert task.autoretry_for == (OperationalError,)
        assert task.time_limit and task.soft_time_limit


def test_nightly_task_recomputes_everything(kpi, supplier_b):
    kpi.receive(kpi.line(), dt.date(2026, 2, 10), "100")
    summary = tasks.scorecards_recompute_all.run()
    assert summary["supplier_count"] is None
    assert SupplierScorecard.objects.filter(period="2026-02").count() == 1
    assert SupplierScorecard.objects.filter(supplier=supplier_b, period="rolling-90").exists()
