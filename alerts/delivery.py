"""Who gets which email, and sending each exactly once (docs/emails.md, the healthchecks pattern).

1. A delivery row per (alert, recipient) or (digest day, recipient) is created under a
   unique constraint, so however many scans or digest runs ask, there is one row.
2. A sender claims the row with a conditional update (`pending → sending`) and goes on only
   if it changed exactly one row: two workers never both send.
3. The outcome is recorded: `sent`, or back to `pending` with `attempts + 1` after a
   transient SMTP failure (the task retries with backoff), `failed` after MAX_ATTEMPTS.
4. The row is marked `sent` the moment the mail server accepts the message (its 250 to
   DATA, reported by `core.mail.EmailBackend`), before the connection is closed: nothing
   after the acceptance can make it pending again.
5. The sweeper (`email_deliveries_sweep`) handles rows a dead worker left in `sending`;
   the guarantee and its one gap are in docs/emails.md.

Recipients: the supplier's owner buyer (for an alert without a supplier, the owners of the
part's sources; failing those, every buyer), and for a supplier's late and unconfirmed
lines also that supplier's contacts. Each person's `UserProfile.email_frequency` decides:
immediate (critical at once, the rest in the digest), daily (all in the digest), off.
"""

import datetime as dt
import logging
import smtplib
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import UserProfile
from accounts.roles import Role
from alerts import emails
from alerts.inserts import deliveries_insert
from alerts.kinds import CONTACT_KINDS
from alerts.models import Alert, EmailDelivery, Severity
from core import task_names
from core.pgarray import ids_in
from core.tasks import task_queue_on_commit

logger = logging.getLogger(__name__)

SEND_TASK = task_names.ALERTS_SEND_DELIVERY
MAX_ATTEMPTS = 8
# The send task's hard time limit: no worker is still sending a row after it.
SEND_TIME_LIMIT_SECONDS = 90
# A row in `sending` longer than that (plus a margin for clocks) was left by a worker
# that died; the sweep (every minute) sends it again within about three minutes.
STUCK_AFTER = dt.timedelta(seconds=SEND_TIME_LIMIT_SECONDS + 30)
# A `pending` row nobody has tried for this long lost its task (broker down): queue again.
RETRY_PENDING_AFTER = dt.timedelta(minutes=3)
DIGEST_HOUR = 7
# Errors worth another try later: the mail server is down, busy or unreachable.
TRANSIENT_ERRORS = (smtplib.SMTPException, OSError)


def _frequencies(user_ids) -> dict[int, str]:
    """Each user's email setting (the model default where a user has no profile yet), for
    active users with an email address only."""
    users = (
        get_user_model()
        .objects.filter(pk__in=user_ids, is_active=True)
        .exclude(email="")
        .values_list("pk", flat=True)
    )
    default = UserProfile._meta.get_field("email_frequency").default
    chosen = dict(
        UserProfile.objects.filter(user_id__in=user_ids).values_list("user_id", "email_frequency")
    )
    return {pk: chosen.get(pk, default) for pk in users}


def audience(alerts) -> dict[int, set[int]]:
    """alert id → the users it concerns, for a queryset of alerts (a few set-based queries)."""
    pairs: dict[int, set[int]] = defaultdict(set)
    for alert_id, owner_id in alerts.filter(supplier__owner__isnull=False).values_list(
        "pk", "supplier__owner_id"
    ):
        pairs[alert_id].add(owner_id)
    for alert_id, owner_id in alerts.filter(
        supplier__isnull=True, part__sources__supplier__owner__isnull=False
    ).values_list("pk", "part__sources__supplier__owner_id"):
        pairs[alert_id].add(owner_id)
    orphans = set(alerts.values_list("pk", flat=True)) - set(pairs)
    if orphans:
        buyers = list(
            get_user_model()
            .objects.filter(groups__name=Role.BUYER, is_active=True)
            .values_list("pk", flat=True)
        )
        for alert_id in orphans:
            pairs[alert_id].update(buyers)
    for alert_id, user_id in alerts.filter(
        kind__in=CONTACT_KINDS, supplier__contacts__isnull=False
    ).values_list("pk", "supplier__contacts__user_id"):
        pairs[alert_id].add(user_id)
    return pairs


def immediate_emails_request(*, alert_ids, queue_sends: bool = True) -> list[int]:
    """Create the deliveries of these alerts (those open and critical) for recipients who
    want critical alerts at once, and queue their sends on commit (`queue_sends`; else the
    caller queues the returned ids). An alert already emailed to a recipient is never
    emailed to them again (the unique delivery row)."""
    alerts = Alert.objects.filter(
        ids_in("pk", alert_ids), state=Alert.State.OPEN, severity=Severity.CRITICAL
    )
    targets = audience(alerts)
    frequency = _frequencies({u for users in targets.values() for u in users})
    rows = [
        (alert_id, user_id, emails.alert_message_id(alert_id=alert_id, user_id=user_id))
        for alert_id, users in targets.items()
        for user_id in sorted(users)
        if frequency.get(user_id) == UserProfile.EmailFrequency.IMMEDIATE
    ]
    if not rows:
        return []
    with transaction.atomic():
        deliveries_insert(rows)
        return _pending_queue(
            ids_in("alert_id", targets),
            recipients={user_id for _, user_id, _ in rows},
            queue_sends=queue_sends,
        )


def digest_window(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The 24 hours a digest of `day` covers: up to 07:00 organisation time that day."""
    end = timezone.make_aware(dt.datetime.combine(day, dt.time(DIGEST_HOUR)))
    return end - dt.timedelta(days=1), end


def digests_request(*, day: dt.date) -> list[int]:
    """One digest per user for `day`: the alerts raised in its window and not resolved,
    critical ones only for users on the daily setting (immediate users had them at once)."""
    start, end = digest_window(day)
    alerts = Alert.objects.filter(first_seen__gte=start, first_seen__lt=end).exclude(
        state=Alert.State.RESOLVED
    )
    severity = dict(alerts.values_list("pk", "severity"))
    targets = audience(alerts)
    frequency = _frequencies({u for users in targets.values() for u in users})
    per_user: dict[int, list[int]] = defaultdict(list)
    for alert_id, users in targets.items():
        for user_id in users:
            setting = frequency.get(user_id)
            if setting == UserProfile.EmailFrequency.DAILY or (
                setting == UserProfile.EmailFrequency.IMMEDIATE
                and severity[alert_id] != Severity.CRITICAL
            ):
                per_user[user_id].append(alert_id)
    rows = [
        EmailDelivery(
            digest_date=day,
            recipient_id=user_id,
            alert_ids=sorted(ids),
            message_id=emails.digest_message_id(day=day, user_id=user_id),
        )
        for user_id, ids in sorted(per_user.items())
    ]
    return _deliveries_create(rows, Q(digest_date=day))


def _deliveries_create(
    rows: list[EmailDelivery], scope: Q, *, queue_sends: bool = True
) -> list[int]:
    """Insert the rows (an existing one for the same alert or day and recipient wins) and
    queue a send for every pending delivery in `scope` once the transaction commits."""
    if not rows:
        return []
    with transaction.atomic():
        EmailDelivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
        return _pending_queue(
            scope, recipients={r.recipient_id for r in rows}, queue_sends=queue_sends
        )


def _pending_queue(scope: Q, *, recipients: set[int], queue_sends: bool) -> list[int]:
    """The pending deliveries in `scope` to these recipients, their sends queued on commit
    (`queue_sends`)."""
    pending = list(
        EmailDelivery.objects.filter(
            scope, recipient_id__in=recipients, state=EmailDelivery.State.PENDING
        ).values_list("pk", flat=True)
    )
    if queue_sends:
        deliveries_queue(pending)
    return pending


def deliveries_queue(delivery_ids: list[int]) -> int:
    """Queue the send of each delivery once the current transaction commits (at once
    outside one); the sender claims the row, so a duplicate send request is harmless."""
    for delivery_id in delivery_ids:
        task_queue_on_commit(SEND_TASK, delivery_id)
    return len(delivery_ids)


# --- sending ---------------------------------------------------------------------------


class SendDeferred(Exception):
    """A transient failure: the delivery is pending again and the task should retry."""


def _message_build(delivery: EmailDelivery):
    if delivery.alert_id is not None:
        return emails.critical_alert_message(
            alert=delivery.alert, recipient=delivery.recipient, message_id=delivery.message_id
        )
    alerts = list(
        Alert.objects.filter(pk__in=delivery.alert_ids)
        .select_related("supplier", "part")
        .order_by("kind", "-severity", "pk")
    )
    return emails.digest_message(
        recipient=delivery.recipient,
        day=delivery.digest_date,
        alerts=alerts,
        message_id=delivery.message_id,
    )


def email_delivery_send(*, delivery_id: int) -> str:
    """Send one delivery if this caller wins the claim; returns what happened."""
    claimed = EmailDelivery.objects.filter(
        pk=delivery_id, state=EmailDelivery.State.PENDING
    ).update(state=EmailDelivery.State.SENDING, claimed_at=timezone.now())
    if claimed != 1:
        return "not pending"  # sent, failed, gone, or another worker has it
    delivery = EmailDelivery.objects.select_related(
        "recipient", "alert__supplier", "alert__part", "alert__purchase_order", "alert__line"
    ).get(pk=delivery_id)
    message = _message_build(delivery)
    accepted = []

    def record_sent() -> None:
        # The server answered 250 to DATA: the message is delivered to it. Recorded now,
        # in its own autocommit, before a slow QUIT or a time limit can interfere.
        if not accepted:
            accepted.append(True)
            _delivery_sent(delivery_id=delivery_id, attempts=delivery.attempts + 1)

    message.on_accepted = record_sent  # core.mail.EmailBackend calls it after the 250
    try:
        message.send()
    except TRANSIENT_ERRORS as exc:
        if accepted:
            logger.warning(
                "Delivery %s accepted; the connection failed after: %s", delivery_id, exc
            )
            return "sent"
        attempts = delivery.attempts + 1
        gave_up = attempts >= MAX_ATTEMPTS
        EmailDelivery.objects.filter(pk=delivery_id, state=EmailDelivery.State.SENDING).update(
            state=EmailDelivery.State.FAILED if gave_up else EmailDelivery.State.PENDING,
            attempts=attempts,
            error=f"{type(exc).__name__}: {exc}"[:1000],
        )
        if gave_up:
            logger.error("Email delivery %s failed %d times; giving up", delivery_id, attempts)
            return "failed"
        raise SendDeferred(str(exc)) from exc
    record_sent()  # backends without the acceptance hook (console, file, memory)
    return "sent"


def _delivery_sent(*, delivery_id: int, attempts: int) -> None:
    EmailDelivery.objects.filter(pk=delivery_id).update(
        state=EmailDelivery.State.SENT, sent_at=timezone.now(), attempts=attempts, error=""
    )


def email_deliveries_sweep(*, now: dt.datetime | None = None) -> dict:
    """Recover deliveries a dead worker left in `sending`, and re-queue pending ones whose
    task was lost. Policy (docs/emails.md): a stuck delivery was not accepted by the mail
    server (an accepted one is recorded sent at once), unless the worker died in the
    instant between the acceptance and that record; it is sent again with the same
    Message-ID, which the recipient's mail system recognises. After MAX_ATTEMPTS it is
    marked failed."""
    now = now or timezone.now()
    stuck = EmailDelivery.objects.filter(
        state=EmailDelivery.State.SENDING, claimed_at__lt=now - STUCK_AFTER
    )
    failed = stuck.filter(attempts__gte=MAX_ATTEMPTS - 1).update(
        state=EmailDelivery.State.FAILED,
        attempts=F("attempts") + 1,
        error="The worker stopped while sending, too often; not sent again.",
    )
    stuck_ids = list(stuck.values_list("pk", flat=True))
    recovered = EmailDelivery.objects.filter(
        pk__in=stuck_ids, state=EmailDelivery.State.SENDING
    ).update(
        state=EmailDelivery.State.PENDING,
        attempts=F("attempts") + 1,
        error="The worker stopped while sending; sent again with the same Message-ID.",
    )
    # Pending rows nobody tried lately (their task was lost), and the ones just recovered.
    waiting = set(stuck_ids) | set(
        EmailDelivery.objects.filter(state=EmailDelivery.State.PENDING)
        .filter(
            Q(claimed_at__lt=now - RETRY_PENDING_AFTER)
            | Q(claimed_at__isnull=True, created_at__lt=now - RETRY_PENDING_AFTER)
        )
        .values_list("pk", flat=True)
    )
    with transaction.atomic():
        for delivery_id in sorted(waiting):
            task_queue_on_commit(SEND_TASK, delivery_id)
    return {"recovered": recovered, "failed": failed, "queued": len(waiting)}
