"""Alerts for the demo: scanned once after seeding, so the first `make run` shows an inbox,
and today's digests sent to the email backend (console by default, or EMAIL_FILE_PATH)."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from alerts.delivery import digest_window, digests_request, email_delivery_send
from alerts.models import Alert, EmailDelivery
from alerts.services import alerts_scan


def alerts_seed(*, today: dt.date) -> str:
    """Scan as of the start of today's digest window (so today's 07:00 digest has the
    portfolio's alerts), send that digest, then scan as of now. Emails go out here, not
    through the worker, so a seeded database has no backlog of sends."""
    window_start, _ = digest_window(today)
    with transaction.atomic():
        first = alerts_scan(as_of=window_start + dt.timedelta(minutes=1))
        digests_request(day=today)
    now = timezone.now() if today == timezone.localdate() else window_start + dt.timedelta(days=1)
    with transaction.atomic():
        second = alerts_scan(as_of=now)
    sent = 0
    for delivery_id in EmailDelivery.objects.filter(state="pending").values_list("pk", flat=True):
        sent += email_delivery_send(delivery_id=delivery_id) == "sent"
    still_open = Alert.objects.exclude(state=Alert.State.RESOLVED).count()
    return f"{still_open} open, {sent} emails sent (scans {first.seconds + second.seconds:.1f} s)"
