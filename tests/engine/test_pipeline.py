"""One posting runs the engine once: refresh → rules → alerts → emails, each step once
(planning only in the nightly and rebuild runs),
through the real task chain (eager here; a real worker in the PostgreSQL run)."""

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from alerts.models import Alert, EmailDelivery
from engine import pipeline
from scorecards.models import SupplierScorecard
from tests.alerts.conftest import TODAY
from tests.factories import PurchaseOrderFactory, PurchaseOrderLineFactory

pytestmark = pytest.mark.django_db


def _order_with_a_week_late_line(supplier):
    order = PurchaseOrderFactory(
        number="PO-PIPE", supplier=supplier, order_date=TODAY - dt.timedelta(days=40)
    )
    on_time = PurchaseOrderLineFactory(
        purchase_order=order, line_number=1, quantity=100, requested_date=TODAY
    )
    PurchaseOrderLineFactory(
        purchase_order=order,
        line_number=2,
        quantity=50,
        requested_date=TODAY - dt.timedelta(days=9),
        acknowledged_at=timezone.now() - dt.timedelta(days=30),
    )
    return on_time


@pytest.fixture
def counted(monkeypatch):
    """Wrap each step's service so the test counts how often the pipeline calls it."""
    calls: dict[str, int] = {}

    def wrap(name):
        real = getattr(pipeline, name)

        def counting(*args, **kwargs):
            calls[name] = calls.get(name, 0) + 1
            return real(*args, **kwargs)

        monkeypatch.setattr(pipeline, name, counting)

    for name in (
        "scorecard_refresh_pending",
        "rules_evaluate",
        "planning_run",
        "alerts_scan",
        "deliveries_queue",
    ):
        wrap(name)
    return calls


def test_the_pipeline_is_one_ordered_list():
    assert [name for name, _ in pipeline.STEPS] == [
        "refresh scorecards",
        "match invoices",
        "evaluate rules",
        "plan replenishment",
        "scan alerts",
        "queue emails",
    ]


def test_one_posting_refreshes_evaluates_scans_and_emails_once_each(
    clock, owned, buyer, api_for, eager, outbox, counted, django_capture_on_commit_callbacks
):
    supplier_a = owned[0]
    _order_with_a_week_late_line(supplier_a)
    body = {
        "number": "GR-PIPE-1",
        "purchase_order": "PO-PIPE",
        "line": 1,
        "receipt_date": TODAY.isoformat(),
        "quantity": "100",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(buyer).post("/api/v1/receipts/", body, format="json")
    assert response.status_code == 201, response.content

    assert counted == {
        "scorecard_refresh_pending": 1,
        "rules_evaluate": 1,
        "alerts_scan": 1,
        "deliveries_queue": 1,
    }
    # The refresh reached the supplier's scorecard, the scan raised the critical alert of
    # the week-late line, and its email went out once.
    assert SupplierScorecard.objects.filter(supplier=supplier_a, period="rolling-90").exists()
    alert = Alert.objects.get(kind="line_past_due", line__line_number=2)
    assert alert.severity == "critical"
    assert [m.to for m in outbox] == [["buyer@example.com"]]
    assert EmailDelivery.objects.get().state == "sent"


def test_a_run_with_nothing_waiting_skips_the_refresh_and_the_rules(clock, owned, counted):
    run = pipeline.pipeline_run()
    assert run.summary["refresh scorecards"] is None
    assert run.summary["evaluate rules"] is None
    assert counted.get("rules_evaluate") is None
    assert counted["alerts_scan"] == 1


def test_planning_runs_in_the_nightly_and_rebuild_runs_not_after_postings(clock, owned, counted):
    assert pipeline.pipeline_run().summary["plan replenishment"] is None
    assert counted.get("planning_run") is None
    nightly = pipeline.pipeline_run(mode=pipeline.NIGHTLY)
    assert nightly.summary["plan replenishment"]["planned"] == 0
    pipeline.pipeline_run(mode=pipeline.REBUILD)
    assert counted["planning_run"] == 2


def test_a_burst_of_postings_scans_once(clock, owned, counted):
    requested = timezone.now()  # both postings committed before the first run started
    clock.shift(dt.timedelta(seconds=1))
    pipeline.pipeline_run(requested_at=requested)
    second = pipeline.pipeline_run(requested_at=requested)
    assert second.summary["scan alerts"]["skipped"] is True


def test_the_beat_runs_the_pipeline_every_quarter_hour_and_nightly():
    schedule = {entry["task"]: entry for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule["engine.run"]["options"]["expires"] < 15 * 60
    assert "engine.nightly" in schedule and "engine.rebuild" in schedule
    # The pipeline replaces the separate scan and rule entries: no step runs twice a night.
    assert "alerts.scan" not in schedule and "rules.evaluate" not in schedule
    assert "planning.run" not in schedule  # planning is the nightly pipeline's step


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(tmp_path):
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.skip("the worker test needs DATABASE_URL (PostgreSQL) and REDIS_URL")
    emails = tmp_path / "emails"
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("celery")),
            *("-A", "dualsource", "worker", "--pool=solo", "--loglevel=WARNING"),
            *("--without-heartbeat", "--without-gossip", "--without-mingle"),
            *("--hostname", f"engine-test-{os.getpid()}@%h"),
        ],
        cwd=settings.BASE_DIR,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "dualsource.settings",
            "DATABASE_URL": _database_url(),
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(emails),
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    yield emails
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_pipeline_from_a_posting_to_one_email(
    worker, supplier_a, buyer, api_for
):
    supplier_a.owner = buyer
    supplier_a.save(update_fields=["owner"])
    today = timezone.localdate()
    order = PurchaseOrderFactory(
        number="PO-PIPE", supplier=supplier_a, order_date=today - dt.timedelta(days=40)
    )
    PurchaseOrderLineFactory(purchase_order=order, line_number=1, requested_date=today)
    PurchaseOrderLineFactory(
        purchase_order=order,
        line_number=2,
        requested_date=today - dt.timedelta(days=9),
        acknowledged_at=timezone.now() - dt.timedelta(days=30),
    )
    body = {
        "number": "GR-PIPE-W",
        "purchase_order": "PO-PIPE",
        "line": 1,
        "receipt_date": today.isoformat(),
        "quantity": "1",
    }
    assert api_for(buyer).post("/api/v1/receipts/", body, format="json").status_code == 201
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        sent = EmailDelivery.objects.filter(state="sent").count()
        refreshed = SupplierScorecard.objects.filter(supplier=supplier_a).exists()
        if sent and refreshed:
            break
        time.sleep(0.5)
    assert SupplierScorecard.objects.filter(supplier=supplier_a, period="rolling-90").exists()
    assert Alert.objects.get(kind="line_past_due", line__line_number=2).severity == "critical"
    time.sleep(2)  # nothing more arrives: one email, not one per hop
    assert len(list(worker.glob("*.log"))) == 1
    assert EmailDelivery.objects.get().state == "sent"


def test_the_two_minute_sweep_runs_the_pipeline_only_when_something_waits(clock, supplier_a):
    from engine.tasks import engine_run
    from purchasing.services import kpi_inputs_changed

    assert engine_run.run(if_waiting=True) == {"skipped": "nothing waits"}
    kpi_inputs_changed(supplier_ids=[supplier_a.pk])  # marked while the broker was down
    summary = engine_run.run(if_waiting=True)
    assert summary["steps"]["refresh scorecards"]["supplier_count"] == 1
