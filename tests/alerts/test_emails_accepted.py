"""An email the mail server accepted is recorded sent at once: a server slow or gone
after its 250 to DATA causes no second send; the sweep picks up a dead worker's
delivery within minutes, with the same Message-ID."""

import datetime as dt
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from alerts import delivery
from alerts.delivery import email_deliveries_sweep, email_delivery_send
from alerts.models import EmailDelivery
from alerts.services import alerts_scan
from bench.smtpstub import SmtpStub
from tests.alerts.test_emails import past_due_line


@pytest.fixture
def deliveries(clock, owned):
    for days in range(8, 14):
        past_due_line(owned[0], days=days)
    with mock.patch("alerts.delivery.task_queue_on_commit"):
        alerts_scan()
    return list(EmailDelivery.objects.order_by("pk"))


@pytest.fixture
def smtp(settings):
    def start(**behaviour):
        stub = SmtpStub(**behaviour).start()
        settings.EMAIL_BACKEND = "core.mail.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", stub.port
        settings.EMAIL_TIMEOUT = 0.5
        started.append(stub)
        return stub

    started: list[SmtpStub] = []
    yield start
    for stub in started:
        stub.stop()


def test_smtp_email_backend_is_the_accepting_one_by_default():
    # Deployments that name Django's SMTP backend get the one with the acceptance hook.
    assert django_settings.EMAIL_BACKEND != "django.core.mail.backends.smtp.EmailBackend"


@pytest.mark.parametrize("behaviour", [{"quit_delay": 2.0}, {"hang_up_after_accept": True}])
def test_a_server_misbehaving_after_accepting_gets_each_email_once(deliveries, smtp, behaviour):
    stub = smtp(**behaviour)
    assert len(deliveries) >= 2
    for item in deliveries:
        # A slow QUIT times out, a hang-up drops the connection: both after the 250.
        assert email_delivery_send(delivery_id=item.pk) == "sent"
    assert set(EmailDelivery.objects.values_list("state", flat=True)) == {"sent"}
    assert EmailDelivery.objects.filter(sent_at__isnull=True).count() == 0
    # Sweeps later in the day find nothing to send again.
    with mock.patch("alerts.delivery.task_queue_on_commit") as queue:
        email_deliveries_sweep(now=timezone.now() + dt.timedelta(hours=2))
    queue.assert_not_called()
    assert sorted(stub.message_ids) == sorted(d.message_id for d in deliveries)


def test_acceptance_is_recorded_before_the_connection_closes(deliveries, smtp):
    smtp(quit_delay=2.0)
    item = deliveries[0]
    states = []
    real = delivery._delivery_sent

    def spy(**kwargs):
        real(**kwargs)
        states.append(EmailDelivery.objects.get(pk=item.pk).state)

    with (
        mock.patch("alerts.delivery._delivery_sent", side_effect=spy),
        mock.patch(
            "django.core.mail.backends.smtp.EmailBackend._close_connection",
            side_effect=SystemExit("worker killed while closing"),
        ),
        pytest.raises(SystemExit),
    ):
        email_delivery_send(delivery_id=item.pk)
    assert states == ["sent"]
    item.refresh_from_db()
    assert item.state == "sent"


def test_a_refused_message_is_retried_not_recorded(deliveries, smtp):
    stub = smtp()
    stub.accepting = False
    with pytest.raises(delivery.SendDeferred):
        email_delivery_send(delivery_id=deliveries[0].pk)
    deliveries[0].refresh_from_db()
    assert (deliveries[0].state, deliveries[0].attempts) == ("pending", 1)


def test_a_dead_workers_delivery_is_sent_again_within_minutes(deliveries, clock):
    item = deliveries[0]
    EmailDelivery.objects.filter(pk=item.pk).update(state="sending", claimed_at=timezone.now())
    clock.shift(dt.timedelta(minutes=2, seconds=1))
    with mock.patch("alerts.delivery.task_queue_on_commit") as queue:
        assert email_deliveries_sweep()["recovered"] == 1
    queue.assert_any_call(delivery.SEND_TASK, item.pk)


def test_the_beat_sweeps_deliveries_and_waiting_cells_every_few_minutes():
    schedule = {e["task"]: e for e in django_settings.CELERY_BEAT_SCHEDULE.values()}

    def every(entry) -> float:
        value = entry["schedule"]
        return value if isinstance(value, float) else value.run_every.total_seconds()

    assert every(schedule["alerts.sweep_deliveries"]) <= 120
    cells = django_settings.CELERY_BEAT_SCHEDULE["engine-waiting-kpi-cells"]
    assert cells["task"] == "engine.run" and cells["kwargs"] == {"if_waiting": True}
    assert every(cells) <= 300
