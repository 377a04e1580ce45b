"""`manage.py scan_alerts`, `manage.py send_digests [--date]`, and the beat schedule."""

import datetime as dt
import io

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from alerts.models import Alert
from alerts.selectors import alert_counts_open
from tests.alerts.conftest import NOW, TODAY
from tests.factories import PurchaseOrderLineFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def late(clock, owned):
    for days in (2, 9):
        PurchaseOrderLineFactory(
            purchase_order__supplier=owned[0],
            purchase_order__order_date=TODAY - dt.timedelta(days=40),
            requested_date=TODAY - dt.timedelta(days=days),
            acknowledged_at=NOW,
        )


def test_scan_alerts_shows_progress_and_a_summary(late, outbox):
    out = io.StringIO()
    call_command("scan_alerts", stdout=out)
    text = out.getvalue()
    assert "line_past_due, line_not_acknowledged: 2 conditions" in text
    assert "2 opened, 0 still open, 0 resolved" in text
    out = io.StringIO()
    call_command("scan_alerts", stdout=out)
    assert "0 opened, 2 still open, 0 resolved" in out.getvalue()
    assert Alert.objects.count() == 2


def test_send_digests_sends_the_days_digest_without_a_worker(late, outbox, buyer):
    call_command("scan_alerts", stdout=io.StringIO())
    outbox.clear()
    out = io.StringIO()
    call_command("send_digests", "--date", "2026-03-21", stdout=out)
    assert "Digests for 2026-03-21: 1 sent." in out.getvalue()
    assert [m.to for m in outbox] == [["buyer@example.com"]]
    out = io.StringIO()
    call_command("send_digests", "--date", "2026-03-21", stdout=out)
    assert "1 not pending" in out.getvalue() or "none due" in out.getvalue()
    assert len(outbox) == 1


def test_send_digests_refuses_a_malformed_date(db):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_digests", "--date", "21.03.2026")


def test_open_counts_per_severity(late, buyer):
    call_command("scan_alerts", stdout=io.StringIO())
    assert alert_counts_open(user=buyer) == {"critical": 1, "warning": 1, "info": 0}


def test_the_beat_runs_the_scan_the_digest_and_the_sweeper_each_expiring_before_its_next_run():
    schedule = {entry["task"]: entry for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule["engine.run"]["options"]["expires"] < 15 * 60  # its third step scans
    digest = schedule["alerts.send_digests"]
    assert (digest["schedule"].hour, digest["schedule"].minute) == ({7}, {0})
    assert digest["options"]["expires"] < 24 * 3600
    assert schedule["alerts.sweep_deliveries"]["options"]["expires"] < 5 * 60
