"""Alerts (docs/alerts.md): one open alert per condition, and every email sent about them.

An alert is raised and resolved only by `alerts.services.alerts_scan`, which evaluates
every condition set-based; people acknowledge or resolve alerts through
`alert_acknowledge` / `alert_resolve`. `EmailDelivery` is the record of one email to one
recipient (about one critical alert, or one day's digest): claimed with a conditional
update before it is sent, so no email ever goes out twice (the healthchecks pattern).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


def kind_choices() -> list[tuple[str, str]]:
    """The kinds of the registry (`alerts/kinds.py`); a callable, so a new kind needs no
    migration. Imported late: the registry's finders read the other apps' models."""
    from alerts.kinds import Kind

    return Kind.choices


class Severity(models.TextChoices):
    INFO = "info", "Info"
    WARNING = "warning", "Warning"
    CRITICAL = "critical", "Critical"


class Alert(models.Model):
    class State(models.TextChoices):
        OPEN = "open", "Open"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        RESOLVED = "resolved", "Resolved"

    # Scoped to the supplier; `alerts.selectors` narrows contacts to the kinds they may see.
    supplier_field = "supplier"

    kind = models.CharField(max_length=24, choices=kind_choices)
    # The variant of the condition the severity was looked up for ("base", "below_safety_stock").
    variant = models.CharField(max_length=24, default="base")
    severity = models.CharField(max_length=8, choices=Severity.choices)
    state = models.CharField(max_length=12, choices=State.choices, default=State.OPEN)
    dedupe_key = models.CharField(max_length=120)
    message = models.CharField(max_length=500)

    # What the alert is about, and who acknowledged, resolved or owns it. No foreign-key
    # constraints in the database: the first scan of a portfolio inserts tens of thousands
    # of alerts, and PostgreSQL would queue a check of every reference of every row, even
    # an empty one, and run them one by one at commit. Deleting a referenced row still
    # deletes its alerts or empties the person (`on_delete`, done by Django), and every
    # scan re-derives the references.
    supplier = models.ForeignKey(
        "suppliers.Supplier",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    part = models.ForeignKey(
        "parts.Part",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
    )
    purchase_order = models.ForeignKey(
        "purchasing.PurchaseOrder",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    line = models.ForeignKey(
        "purchasing.PurchaseOrderLine",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
    )
    ship_notice = models.ForeignKey(
        "purchasing.ShipNotice",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    certificate = models.ForeignKey(
        "suppliers.Certificate",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    contract = models.ForeignKey(
        "contracts.Contract",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    rule_firing = models.ForeignKey(
        "rules.RuleFiring",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    exception = models.ForeignKey(
        "rules.AllocationException",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    site = models.CharField(max_length=40, blank=True)

    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        db_index=False,
        help_text="Empty: resolved automatically when the condition cleared.",
    )
    # Who follows the alert up: empty means the supplier's owner buyer (docs/alerts.md).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        db_index=False,
        help_text="Empty: the supplier's owner buyer.",
    )
    # When a scan last found the condition gone. A person may resolve an alert while its
    # condition holds; the scan then opens no new alert until the condition has cleared.
    cleared_at = models.DateTimeField(null=True, blank=True)

    # Few indexes, and none on last_seen: every scan bumps last_seen of every open alert,
    # which PostgreSQL then does in place (HOT, with the fillfactor of migration 0002).
    # Every index costs each new alert an insertion: the open alerts are found by dedupe
    # key through the unique constraint's index alone.
    class Meta:
        ordering = ["-last_seen", "-id"]
        indexes = [
            models.Index(fields=["state", "kind"]),
            models.Index(fields=["supplier", "state"]),
            models.Index(fields=["first_seen"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=Q(state__in=["open", "acknowledged"]),
                name="one_open_alert_per_dedupe_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.message}"

    @property
    def is_active(self) -> bool:
        return self.state != self.State.RESOLVED


class AlertSeverity(models.Model):
    """An admin's choice of severity for one kind (and variant), over its default
    (docs/alerts.md)."""

    supplier_field = None  # settings, internal

    kind = models.CharField(max_length=24, choices=kind_choices)
    variant = models.CharField(
        max_length=24,
        default="base",
        help_text="base, or the escalated variant: below_safety_stock (low stock), "
        "seven_days_past (past due), applied_shift (rule fired).",
    )
    severity = models.CharField(max_length=8, choices=Severity.choices)

    class Meta:
        ordering = ["kind", "variant"]
        verbose_name_plural = "alert severities"
        constraints = [
            models.UniqueConstraint(fields=["kind", "variant"], name="one_severity_per_variant")
        ]

    def __str__(self) -> str:
        return f"{self.kind}/{self.variant}: {self.severity}"


class AlertScanRun(models.Model):
    """One row: when the last scan started. Scans lock it, so they run one at a time, and a
    scan requested before the last one started is skipped (a burst of postings, one scan)."""

    supplier_field = None

    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"scan started {self.started_at}"


class EmailDelivery(models.Model):
    """One email to one recipient: about one alert, or the digest of one day."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    supplier_field = None  # internal bookkeeping

    alert = models.ForeignKey(
        Alert, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    digest_date = models.DateField(null=True, blank=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # The alerts the email is about, fixed when the delivery is created (a digest's list).
    alert_ids = models.JSONField(default=list)
    message_id = models.CharField(max_length=200)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "email deliveries"
        indexes = [models.Index(fields=["state", "claimed_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "recipient"],
                condition=Q(alert__isnull=False),
                name="one_email_per_alert_and_recipient",
            ),
            models.UniqueConstraint(
                fields=["digest_date", "recipient"],
                condition=Q(digest_date__isnull=False),
                name="one_digest_per_day_and_recipient",
            ),
            models.CheckConstraint(
                condition=Q(alert__isnull=False, digest_date__isnull=True)
                | Q(alert__isnull=True, digest_date__isnull=False),
                name="delivery_is_for_an_alert_or_a_digest",
            ),
        ]

    def __str__(self) -> str:
        about = f"alert {self.alert_id}" if self.alert_id else f"digest {self.digest_date}"
        return f"{about} → {self.recipient_id}: {self.state}"


class AlertNote(models.Model):
    """A buyer's note on an alert (what was done, who was called). Internal."""

    supplier_field = None

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:60]
