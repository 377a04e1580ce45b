"""Message threads between buyers and a supplier's contacts (docs/messages.md).

One general thread per supplier and subject, and one per purchase order. Each message is stored
once; the other side is told once: in the portal through a per-user read marker (unread
counts), and by email through one MessageNotification row per (message, recipient),
claimed with a conditional update before it is sent, so no one gets it twice.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower


class Thread(models.Model):
    supplier_field = "supplier"

    supplier = models.ForeignKey(
        "suppliers.Supplier", on_delete=models.CASCADE, related_name="message_threads"
    )
    purchase_order = models.ForeignKey(
        "purchasing.PurchaseOrder",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="message_threads",
    )
    subject = models.CharField(max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_message_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-last_message_at", "-id"]
        constraints = [
            # A supplier's general threads are one per subject: a new subject is a new
            # conversation, the same subject (any case) joins the open one.
            models.UniqueConstraint(
                "supplier",
                Lower("subject"),
                condition=Q(purchase_order__isnull=True),
                name="one_general_thread_per_supplier_subject",
            ),
            models.UniqueConstraint(
                fields=["purchase_order"],
                condition=Q(purchase_order__isnull=False),
                name="one_thread_per_purchase_order",
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class Message(models.Model):
    supplier_field = "thread__supplier"

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(max_length=10_000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["thread", "created_at", "id"]
        indexes = [models.Index(fields=["thread", "id"])]

    def __str__(self) -> str:
        return f"{self.thread_id}#{self.pk}"


class ThreadReadMarker(models.Model):
    """The last message a user has seen in a thread; everything after it is unread."""

    supplier_field = "thread__supplier"

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="read_markers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_message_id = models.BigIntegerField(default=0)
    read_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["thread", "user"], name="one_read_marker_per_user")
        ]


class MessageNotification(models.Model):
    """One email owed to one recipient for one message; sent once, outcome stored."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        DIGEST = "digest", "Waiting for the daily digest"
        SENDING = "sending", "Claimed by a worker"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Not sent (email off or no address)"
        FAILED = "failed", "Failed"

    supplier_field = None  # internal bookkeeping, never listed

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="notifications")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["message", "recipient"], name="one_notification_per_recipient"
            )
        ]
        indexes = [models.Index(fields=["status", "recipient"])]
