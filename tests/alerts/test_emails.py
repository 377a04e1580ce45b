"""Who gets which email, and every email exactly once (docs/emails.md)."""

import datetime as dt
import io
import smtplib
from unittest import mock

import pytest
from django.utils import timezone

from accounts.services import user_profile_update
from alerts import delivery
from alerts.delivery import (
    digests_request,
    email_deliveries_sweep,
    email_delivery_send,
    immediate_emails_request,
)
from alerts.kinds import Kind
from alerts.models import Alert, EmailDelivery
from alerts.services import alerts_scan
from tests.alerts.conftest import NOW, TODAY
from tests.factories import PurchaseOrderLineFactory, UserFactory

pytestmark = pytest.mark.django_db


def past_due_line(supplier, *, days):
    return PurchaseOrderLineFactory(
        purchase_order__supplier=supplier,
        purchase_order__order_date=TODAY - dt.timedelta(days=40),
        requested_date=TODAY - dt.timedelta(days=days),
        acknowledged_at=NOW - dt.timedelta(days=30),
    )


def unconfirmed_line(supplier):
    return PurchaseOrderLineFactory(
        purchase_order__supplier=supplier,
        purchase_order__order_date=TODAY - dt.timedelta(days=5),
        requested_date=TODAY + dt.timedelta(days=20),
    )


@pytest.fixture
def scan_and_send(django_capture_on_commit_callbacks, eager):
    """Scan (or run a function) and let the queued sends run, as a worker would."""

    def run(function=None, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return (function or alerts_scan)(**kwargs)

    return run


def recipients(outbox):
    return sorted(m.to[0] for m in outbox)


# --- routing -----------------------------------------------------------------------------


def test_a_critical_alert_goes_at_once_to_the_owner_and_the_suppliers_contacts(
    clock, owned, contact_a, contact_b, outbox, scan_and_send
):
    supplier_a, _ = owned
    past_due_line(supplier_a, days=9)
    scan_and_send()
    assert recipients(outbox) == ["buyer@example.com", "contact_a@example.com"]
    message = outbox[0]
    alert = Alert.objects.get(kind=Kind.LINE_PAST_DUE)
    assert "Critical" in message.subject and "ACME" in message.subject
    assert alert.message in message.body
    assert f"/alerts/{alert.pk}/" in message.body
    html = message.alternatives[0][0]
    assert f"/alerts/{alert.pk}/" in html
    assert message.extra_headers["X-Dualsource-Alert"] == str(alert.pk)
    assert message.extra_headers["List-Unsubscribe"].endswith("/account/notifications/>")
    assert message.extra_headers["Message-ID"] == (
        f"<alert-{alert.pk}.user-{message_user(message).pk}@127.0.0.1>"
    )
    # Each delivery is recorded with its outcome.
    assert set(EmailDelivery.objects.values_list("state", flat=True)) == {"sent"}


def message_user(message):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(email=message.to[0])


def test_warnings_wait_for_the_digest(clock, owned, contact_a, outbox, scan_and_send):
    supplier_a, _ = owned
    past_due_line(supplier_a, days=2)  # warning
    scan_and_send()
    assert outbox == []


def test_a_second_scan_sends_nothing_new(clock, owned, outbox, scan_and_send):
    past_due_line(owned[0], days=9)
    scan_and_send()
    scan_and_send()
    assert recipients(outbox) == ["buyer@example.com"]


def test_an_alert_that_escalates_to_critical_is_emailed_then(clock, owned, outbox, scan_and_send):
    past_due_line(owned[0], days=6)
    scan_and_send()
    assert outbox == []
    scan_and_send(as_of=NOW + dt.timedelta(days=1))
    assert recipients(outbox) == ["buyer@example.com"]


def test_the_user_setting_decides_immediate_daily_or_nothing(
    clock, owned, contact_a, outbox, scan_and_send
):
    buyer = owned[0].owner
    user_profile_update(user=buyer, email_frequency="daily")
    user_profile_update(user=contact_a, email_frequency="off")
    past_due_line(owned[0], days=9)
    scan_and_send()
    assert outbox == []  # daily: in tomorrow's digest; off: never
    scan_and_send(digests_request, day=TODAY + dt.timedelta(days=1))
    assert recipients(outbox) == ["buyer@example.com"]
    assert "1 new alert" in outbox[0].subject


def test_a_supplier_contact_gets_only_its_own_late_and_unconfirmed_lines(
    clock, owned, contact_a, contact_b, outbox, scan_and_send
):
    supplier_a, supplier_b = owned
    unconfirmed_line(supplier_a)
    unconfirmed_line(supplier_b)
    from suppliers.models import Certificate

    Certificate.objects.create(
        supplier=supplier_a, kind="iso9001", number="X", valid_until=TODAY + dt.timedelta(days=3)
    )
    scan_and_send()
    scan_and_send(digests_request, day=TODAY + dt.timedelta(days=1))
    by_person = {m.to[0]: m for m in outbox}
    assert set(by_person) == {
        "buyer@example.com",
        "buyer2@example.com",
        "contact_a@example.com",
        "contact_b@example.com",
    }
    a_text = by_person["contact_a@example.com"].body
    assert "PO line not acknowledged (1)" in a_text
    assert "Certificate" not in a_text
    assert supplier_b.purchase_orders.get().number not in a_text
    assert "Certificate expiring (1)" in by_person["buyer@example.com"].body
    assert "buyer2" not in by_person["buyer@example.com"].body


def test_an_alert_without_a_supplier_owner_goes_to_every_buyer(clock, buyer, outbox):
    from decimal import Decimal

    from tests.factories import InventoryPositionFactory

    other = UserFactory(username="purchasing2", role="buyer")
    InventoryPositionFactory(on_hand=Decimal("0"), safety_stock=Decimal("5"), read_at=NOW)
    alerts_scan()
    alert = Alert.objects.get(kind=Kind.LOW_STOCK)
    assert delivery.audience(Alert.objects.filter(pk=alert.pk)) == {alert.pk: {buyer.pk, other.pk}}


# --- digest ------------------------------------------------------------------------------


def test_the_digest_groups_the_days_alerts_by_kind_with_counts_and_links(
    clock, owned, outbox, scan_and_send
):
    supplier_a, _ = owned
    for _ in range(3):
        unconfirmed_line(supplier_a)
    past_due_line(supplier_a, days=2)
    past_due_line(supplier_a, days=9)  # critical: the owner had it at once
    scan_and_send()
    assert len(outbox) == 1
    outbox.clear()
    scan_and_send(digests_request, day=TODAY + dt.timedelta(days=1))
    [digest] = outbox
    assert digest.to == ["buyer@example.com"]
    assert "5 new alerts" not in digest.subject and "4 new alerts" in digest.subject
    assert "PO line not acknowledged (3): " in digest.body
    assert "PO line past due (1)" in digest.body
    ids = sorted(
        Alert.objects.filter(severity__in=["warning", "info"], supplier=supplier_a).values_list(
            "pk", flat=True
        )
    )
    assert digest.extra_headers["X-Dualsource-Alert"] == ", ".join(map(str, ids))
    for pk in ids:
        assert f"/alerts/{pk}/" in digest.body
    html = digest.alternatives[0][0]
    assert "/alerts/?kind=line_not_acknowledged&amp;state=open" in html
    tomorrow = TODAY + dt.timedelta(days=1)
    assert digest.extra_headers["Message-ID"].startswith(f"<digest-{tomorrow:%Y%m%d}.user-")


def test_one_digest_per_user_and_day_however_often_it_runs(clock, owned, outbox, scan_and_send):
    unconfirmed_line(owned[0])
    scan_and_send()
    day = TODAY + dt.timedelta(days=1)
    scan_and_send(digests_request, day=day)
    scan_and_send(digests_request, day=day)
    from django.core.management import call_command

    call_command("send_digests", "--date", day.isoformat(), stdout=io.StringIO())
    assert len(outbox) == 1
    assert EmailDelivery.objects.filter(digest_date=day).count() == 1


def test_the_digest_covers_the_24_hours_up_to_seven_oclock(clock, owned, outbox, scan_and_send):
    unconfirmed_line(owned[0])
    scan_and_send()  # 10:00 Berlin on the 20th: after the 20th's digest
    scan_and_send(digests_request, day=TODAY)
    assert outbox == []
    scan_and_send(digests_request, day=TODAY + dt.timedelta(days=2))
    assert outbox == []  # a day later it is old news
    scan_and_send(digests_request, day=TODAY + dt.timedelta(days=1))
    assert len(outbox) == 1


def test_no_digest_when_nothing_new(clock, owned, outbox, scan_and_send):
    scan_and_send(digests_request, day=TODAY)
    assert outbox == [] and EmailDelivery.objects.count() == 0


# --- exactly once ------------------------------------------------------------------------


@pytest.fixture
def one_delivery(clock, owned):
    past_due_line(owned[0], days=9)
    with mock.patch("alerts.delivery.task_queue_on_commit"):
        alerts_scan()
    return EmailDelivery.objects.get()


def test_two_senders_of_one_delivery_send_one_email(one_delivery, outbox):
    assert email_delivery_send(delivery_id=one_delivery.pk) == "sent"
    assert email_delivery_send(delivery_id=one_delivery.pk) == "not pending"
    assert len(outbox) == 1


def test_the_second_claim_of_a_delivery_changes_no_row(one_delivery):
    pending = EmailDelivery.objects.filter(pk=one_delivery.pk, state="pending")
    assert pending.update(state="sending", claimed_at=timezone.now()) == 1
    assert pending.update(state="sending", claimed_at=timezone.now()) == 0


def test_asking_twice_for_the_same_alert_creates_no_second_delivery(one_delivery):
    with mock.patch("alerts.delivery.task_queue_on_commit"):
        immediate_emails_request(alert_ids=[one_delivery.alert_id])
    assert EmailDelivery.objects.count() == 1


def test_smtp_failure_then_success_sends_once_with_the_attempts_recorded(one_delivery, outbox):
    with (
        mock.patch(
            "django.core.mail.backends.locmem.EmailBackend.send_messages",
            side_effect=smtplib.SMTPServerDisconnected("connection lost"),
        ),
        pytest.raises(delivery.SendDeferred),
    ):
        email_delivery_send(delivery_id=one_delivery.pk)
    one_delivery.refresh_from_db()
    assert (one_delivery.state, one_delivery.attempts) == ("pending", 1)
    assert "connection lost" in one_delivery.error
    assert outbox == []
    assert email_delivery_send(delivery_id=one_delivery.pk) == "sent"
    one_delivery.refresh_from_db()
    assert (one_delivery.state, one_delivery.attempts, one_delivery.error) == ("sent", 2, "")
    assert len(outbox) == 1


def test_the_send_task_retries_a_smtp_failure(one_delivery, outbox, eager, settings):
    from alerts.tasks import alerts_send_delivery_task

    settings.CELERY_TASK_EAGER_PROPAGATES = False  # retries run inline, as a worker would

    calls = {"n": 0}
    from django.core.mail.backends.locmem import EmailBackend

    real = EmailBackend.send_messages

    def flaky(self, messages):
        calls["n"] += 1
        if calls["n"] < 3:
            raise ConnectionRefusedError("SMTP down")
        return real(self, messages)

    with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", flaky):
        alerts_send_delivery_task.apply(args=[one_delivery.pk], throw=False)
    one_delivery.refresh_from_db()
    assert (one_delivery.state, one_delivery.attempts) == ("sent", 3)
    assert len(outbox) == 1


def test_a_delivery_gives_up_after_too_many_failures(one_delivery, outbox):
    EmailDelivery.objects.update(attempts=delivery.MAX_ATTEMPTS - 1)
    with mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages",
        side_effect=smtplib.SMTPException("no"),
    ):
        assert email_delivery_send(delivery_id=one_delivery.pk) == "failed"
    one_delivery.refresh_from_db()
    assert one_delivery.state == "failed"


def test_a_worker_killed_between_claim_and_send_neither_loses_nor_duplicates(
    one_delivery, outbox, clock
):
    with (
        mock.patch("alerts.delivery._message_build", side_effect=SystemExit("killed")),
        pytest.raises(SystemExit),
    ):
        email_delivery_send(delivery_id=one_delivery.pk)
    one_delivery.refresh_from_db()
    assert one_delivery.state == "sending" and outbox == []

    # A redelivered task (acks_late) finds the delivery claimed and does nothing.
    assert email_delivery_send(delivery_id=one_delivery.pk) == "not pending"
    # Too early for the sweeper: the worker may still be sending.
    with mock.patch("alerts.delivery.task_queue_on_commit") as queue:
        assert email_deliveries_sweep()["recovered"] == 0
    clock.shift(delivery.STUCK_AFTER + dt.timedelta(seconds=1))
    with mock.patch("alerts.delivery.task_queue_on_commit") as queue:
        summary = email_deliveries_sweep()
    assert summary["recovered"] == 1
    queue.assert_called_once_with(delivery.SEND_TASK, one_delivery.pk)
    assert email_delivery_send(delivery_id=one_delivery.pk) == "sent"
    assert len(outbox) == 1
    # The resend carries the Message-ID of the first try, so a copy is recognised.
    assert outbox[0].extra_headers["Message-ID"] == one_delivery.message_id
    with mock.patch("alerts.delivery.task_queue_on_commit") as queue:
        email_deliveries_sweep(now=timezone.now() + dt.timedelta(hours=1))
    queue.assert_not_called()


def test_the_sweeper_requeues_deliveries_whose_task_was_lost(one_delivery, clock):
    clock.shift(delivery.RETRY_PENDING_AFTER + dt.timedelta(seconds=1))
    with mock.patch("alerts.delivery.task_queue_on_commit") as queue:
        assert email_deliveries_sweep()["queued"] == 1
    queue.assert_called_once_with(delivery.SEND_TASK, one_delivery.pk)


def test_the_text_part_is_plain_text_not_html_escaped(clock, owned, outbox, scan_and_send):
    owned[0].name = "Smith & Sons <Castings>"
    owned[0].save(update_fields=["name"])
    past_due_line(owned[0], days=9)
    scan_and_send()
    [message] = outbox
    assert "Smith & Sons <Castings>" in message.body
    assert "Smith &amp; Sons &lt;Castings&gt;" in message.alternatives[0][0]
