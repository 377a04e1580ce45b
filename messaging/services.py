"""Writes for threads and messages, and the one-time notifications they owe (docs/messages.md)."""

import datetime as dt
import logging

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import UserProfile
from accounts.roles import EDITOR_ROLES, Role, user_role
from accounts.selectors import user_supplier_id
from core import task_names
from core.emails import make_message
from core.tasks import task_queue_on_commit
from messaging.models import Message, MessageNotification, Thread, ThreadReadMarker

logger = logging.getLogger(__name__)

BODY_MAX_LENGTH = 10_000


def _may_post(*, user, supplier_id: int) -> bool:
    """Buyers and admins post in any thread; a contact only in its own supplier's threads."""
    role = user_role(user)
    if role in EDITOR_ROLES:
        return True
    return role == Role.SUPPLIER and user_supplier_id(user) == supplier_id


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Write a message."})
    if len(body) > BODY_MAX_LENGTH:
        raise ValidationError({"body": f"A message has at most {BODY_MAX_LENGTH:,} characters."})
    return body


def thread_existing(*, supplier, subject: str = "", purchase_order=None) -> Thread | None:
    """The order's thread, or the supplier's general thread on the same subject (any case),
    if it was opened already; a new subject is a new thread."""
    if purchase_order is not None:
        return Thread.objects.filter(purchase_order=purchase_order).first()
    return Thread.objects.filter(
        supplier=supplier, purchase_order__isnull=True, subject__iexact=(subject or "").strip()
    ).first()


@transaction.atomic
def thread_create(*, supplier, subject: str, user, purchase_order=None, body: str = "") -> Thread:
    """Open the supplier's thread (or the order's), with a first message when one is given."""
    if not _may_post(user=user, supplier_id=supplier.pk):
        raise ValidationError({"supplier": "You cannot write to this supplier."})
    if purchase_order is not None and purchase_order.supplier_id != supplier.pk:
        raise ValidationError({"purchase_order": "This order is not the supplier's."})
    subject = (subject or "").strip()
    if not subject:
        raise ValidationError({"subject": "Give the thread a subject."})
    if len(subject) > 200:
        raise ValidationError({"subject": "A subject has at most 200 characters."})
    if body:
        body = _clean_body(body)
    existing = thread_existing(supplier=supplier, subject=subject, purchase_order=purchase_order)
    if existing is not None:
        where = f"order {purchase_order.number}" if purchase_order else f"'{subject}'"
        raise ValidationError(
            {
                "purchase_order"
                if purchase_order
                else "supplier": f"There is a thread for {where} "
                f"already (id {existing.pk}); post your message there."
            }
        )
    try:
        with transaction.atomic():
            thread = Thread.objects.create(
                supplier=supplier, purchase_order=purchase_order, subject=subject, created_by=user
            )
    except IntegrityError:
        raise ValidationError(
            {"subject": "Someone opened this thread a moment ago; post your message there."}
        ) from None
    if body:
        message_post(thread=thread, author=user, body=body)
    return thread


@transaction.atomic
def message_post(*, thread: Thread, author, body: str) -> Message:
    """Store the message once, mark it read for its author, and owe the other side one
    notification each (an email now, in the digest, or none, by each user's setting)."""
    if not _may_post(user=author, supplier_id=thread.supplier_id):
        raise ValidationError({"thread": "You cannot post in this thread."})
    message = Message.objects.create(thread=thread, author=author, body=_clean_body(body))
    Thread.objects.filter(pk=thread.pk).update(last_message_at=message.created_at)
    thread.last_message_at = message.created_at
    thread_mark_read(thread=thread, user=author, message_id=message.pk)
    recipients = message_recipients(message=message)
    frequencies = dict(
        UserProfile.objects.filter(user__in=recipients).values_list("user_id", "email_frequency")
    )
    rows = []
    for user in recipients:
        frequency = frequencies.get(user.pk, UserProfile.EmailFrequency.IMMEDIATE)
        if frequency == UserProfile.EmailFrequency.OFF or not user.email:
            status = MessageNotification.Status.SKIPPED
        elif frequency == UserProfile.EmailFrequency.DAILY:
            status = MessageNotification.Status.DIGEST
        else:
            status = MessageNotification.Status.PENDING
        rows.append(MessageNotification(message=message, recipient=user, status=status))
    MessageNotification.objects.bulk_create(rows, ignore_conflicts=True)
    if any(r.status == MessageNotification.Status.PENDING for r in rows):
        task_queue_on_commit(task_names.MESSAGE_NOTIFICATIONS, message.pk)
    return message


def message_recipients(*, message: Message) -> list:
    """The other side of the thread: for a contact's message the supplier's owner buyer and
    the internal people in the thread (every buyer if there is none); for a buyer's message
    every active contact of the supplier."""
    users = get_user_model().objects.filter(is_active=True)
    thread = message.thread
    if user_role(message.author) == Role.SUPPLIER:
        internal = users.exclude(supplier_contact__isnull=False)
        people = set(Message.objects.filter(thread=thread).values_list("author_id", flat=True)) | {
            thread.created_by_id,
            thread.supplier.owner_id,
        }
        chosen = list(internal.filter(pk__in=people - {None, message.author_id}))
        if not chosen:
            chosen = list(internal.filter(groups__name=Role.BUYER.value).distinct())
        return chosen
    return list(
        users.filter(supplier_contact__supplier_id=thread.supplier_id).exclude(pk=message.author_id)
    )


def thread_mark_read(*, thread: Thread, user, message_id: int | None = None) -> None:
    """Everything in the thread up to `message_id` (default: the latest) is read by `user`."""
    if message_id is None:
        message_id = (
            Message.objects.filter(thread=thread).order_by("-id").values_list("id", flat=True)
        ).first() or 0
    marker, created = ThreadReadMarker.objects.get_or_create(
        thread=thread, user=user, defaults={"last_read_message_id": message_id}
    )
    if not created and marker.last_read_message_id < message_id:
        ThreadReadMarker.objects.filter(pk=marker.pk).update(
            last_read_message_id=message_id, read_at=timezone.now()
        )


def message_notifications_send(*, message_id: int) -> int:
    """Send the immediate emails owed for one message; each row is claimed first, so a
    retried or duplicated task never sends twice. Returns the number sent."""
    sent = 0
    pending = MessageNotification.objects.filter(
        message_id=message_id, status=MessageNotification.Status.PENDING
    ).select_related("recipient", "message__author", "message__thread__supplier")
    for notification in pending:
        claimed = MessageNotification.objects.filter(
            pk=notification.pk, status=MessageNotification.Status.PENDING
        ).update(status=MessageNotification.Status.SENDING, claimed_at=timezone.now())
        if claimed != 1:
            continue
        message = notification.message
        email = make_message(
            "message-notification",
            notification.recipient.email,
            {
                "message": message,
                "thread": message.thread,
                "author": _display_name(message.author),
                "recipient": notification.recipient,
                "thread_url": reverse("messaging:thread_detail", args=[message.thread_id]),
            },
            headers={"Auto-Submitted": "auto-generated"},
        )
        sent += _deliver(email, [notification.pk])
    return sent


def message_notifications_send_stale(*, older_than_minutes: int = 10) -> int:
    """Send immediate emails whose task never ran (no worker at the time, a lost queue).
    Claiming makes this safe beside a late task for the same message."""
    cutoff = timezone.now() - dt.timedelta(minutes=older_than_minutes)
    message_ids = (
        MessageNotification.objects.filter(
            status=MessageNotification.Status.PENDING, created_at__lt=cutoff
        )
        .values_list("message_id", flat=True)
        .distinct()
    )
    return sum(message_notifications_send(message_id=pk) for pk in list(message_ids))


def message_digests_send() -> int:
    """One email per recipient with every message waiting for the daily digest."""
    sent = 0
    recipients = (
        MessageNotification.objects.filter(status=MessageNotification.Status.DIGEST)
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    for recipient_id in list(recipients):
        stamp = timezone.now()
        MessageNotification.objects.filter(
            recipient_id=recipient_id, status=MessageNotification.Status.DIGEST
        ).update(status=MessageNotification.Status.SENDING, claimed_at=stamp)
        claimed = list(
            MessageNotification.objects.filter(
                recipient_id=recipient_id,
                status=MessageNotification.Status.SENDING,
                claimed_at=stamp,
            )
            .select_related("recipient", "message__author", "message__thread")
            .order_by("message__thread_id", "message_id")
        )
        if not claimed:
            continue
        recipient = claimed[0].recipient
        items = [
            {
                "message": n.message,
                "thread": n.message.thread,
                "author": _display_name(n.message.author),
                "thread_url": reverse("messaging:thread_detail", args=[n.message.thread_id]),
            }
            for n in claimed
        ]
        email = make_message(
            "message-digest",
            recipient.email,
            {"recipient": recipient, "items": items},
            headers={"Auto-Submitted": "auto-generated"},
        )
        sent += _deliver(email, [n.pk for n in claimed])
    return sent


def _deliver(email, notification_ids: list[int]) -> int:
    accepted = []

    def record_sent() -> None:
        # Recorded the moment the mail server accepts (core.mail.EmailBackend), before
        # anything after it can fail: an accepted email is never marked failed.
        if not accepted:
            accepted.append(True)
            MessageNotification.objects.filter(pk__in=notification_ids).update(
                status=MessageNotification.Status.SENT, sent_at=timezone.now()
            )

    email.on_accepted = record_sent
    try:
        email.send()
    except Exception as exc:  # an SMTP failure is stored with the notification
        if accepted:
            logger.warning("Message email to %s accepted; failed after: %s", email.to, exc)
            return 1
        logger.warning("Message email to %s failed: %s", email.to, exc)
        MessageNotification.objects.filter(pk__in=notification_ids).update(
            status=MessageNotification.Status.FAILED, error=str(exc)[:500]
        )
        return 0
    record_sent()  # backends without the acceptance hook
    return 1


def _display_name(user) -> str:
    if user is None:
        return "A former user"
    return user.get_full_name() or user.get_username()
