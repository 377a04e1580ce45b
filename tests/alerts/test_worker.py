"""A real Celery worker on Redis runs the scan, and the critical alert's email lands in
Django's file backend, once. Needs PostgreSQL and Redis (the worker is another process
and must share the test database); skipped on the in-memory SQLite default."""

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

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(tmp_path):
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.skip("the worker test needs DATABASE_URL (PostgreSQL) and REDIS_URL")
    emails = tmp_path / "emails"
    celery = Path(sys.executable).with_name("celery")
    process = subprocess.Popen(
        [
            str(celery),
            "-A",
            "dualsource",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--hostname",
            f"alerts-test-{os.getpid()}@%h",
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


def test_a_real_worker_scans_and_the_critical_email_lands_in_the_file_backend(
    worker, supplier_a, buyer
):
    from tests.factories import PurchaseOrderLineFactory

    supplier_a.owner = buyer
    supplier_a.save(update_fields=["owner"])
    today = timezone.localdate()
    PurchaseOrderLineFactory(
        purchase_order__supplier=supplier_a,
        purchase_order__order_date=today - dt.timedelta(days=40),
        requested_date=today - dt.timedelta(days=10),
        acknowledged_at=timezone.now(),
    )
    from core.tasks import task_queue

    task_queue("alerts.scan", timezone.now().isoformat())
    deadline = time.monotonic() + 90
    files = []
    while time.monotonic() < deadline:
        files = list(worker.glob("*.log")) if worker.exists() else []
        if files and EmailDelivery.objects.filter(state="sent").exists():
            break
        time.sleep(0.5)
    alert = Alert.objects.get(kind="line_past_due")
    assert alert.severity == "critical"
    assert len(files) == 1, "one email, in the file backend"
    text = files[0].read_text()
    assert "To: buyer@example.com" in text
    assert f"Message-ID: <alert-{alert.pk}.user-{buyer.pk}@" in text
    assert f"X-Dualsource-Alert: {alert.pk}" in text
    assert EmailDelivery.objects.get().state == "sent"
