from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from core.validators import natural_key_validator


class Contract(models.Model):
    supplier_field = "supplier"

    supplier = models.ForeignKey(
        "suppliers.Supplier", on_delete=models.PROTECT, related_name="contracts"
    )
    reference = models.CharField(max_length=40, unique=True, validators=[natural_key_validator])
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True, help_text="Empty: open-ended.")
    early_tolerance_days = models.PositiveSmallIntegerField(
        default=3, help_text="Days before the promised date a delivery still counts as on time."
    )
    late_tolerance_days = models.PositiveSmallIntegerField(
        default=0, help_text="Days after the promised date a delivery still counts as on time."
    )
    otd_target_pct = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("95"), help_text="KPI target."
    )
    defect_ppm_target = models.DecimalField(
        max_digits=10, decimal_places=2, default=Decimal("500"), help_text="KPI target."
    )
    # Three-way match of supplier invoices (docs/invoices.md).
    invoice_quantity_tolerance = models.DecimalField(
        max_digits=14,
        decimal_places=3,
        default=Decimal("0"),
        help_text="Units an invoice line may bill above what was received and not yet billed.",
    )
    invoice_price_tolerance_pct = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("0.5"),
        help_text="How far (%) an invoiced unit price may differ from the order's price.",
    )
    over_delivery_tolerance_pct = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("10"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="How far above the ordered quantity a line may be received before it is "
        "flagged as over-delivered (%).",
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["supplier", "-valid_from"]
        indexes = [models.Index(fields=["supplier", "valid_from"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="contract_valid_to_after_valid_from",
                violation_error_message="A contract cannot end before it starts.",
            )
        ]

    def __str__(self) -> str:
        return self.reference


class VolumeCommitment(models.Model):
    supplier_field = "contract__supplier"

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="commitments")
    part = models.ForeignKey("parts.Part", on_delete=models.PROTECT)
    min_quantity_per_year = models.DecimalField(max_digits=14, decimal_places=3, default=0)
    max_quantity_per_year = models.DecimalField(
        max_digits=14, decimal_places=3, null=True, blank=True
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contract", "part"], name="one_commitment_per_part"),
            models.CheckConstraint(
                condition=Q(min_quantity_per_year__gte=0)
                & (
                    Q(max_quantity_per_year__isnull=True)
                    | Q(max_quantity_per_year__gte=F("min_quantity_per_year"))
                ),
                name="commitment_min_le_max",
                violation_error_message="The maximum cannot be below the minimum.",
            ),
        ]


class PriceTier(models.Model):
    """From `min_quantity` ordered per year on, the part costs `unit_price`."""

    supplier_field = "contract__supplier"

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="price_tiers")
    part = models.ForeignKey("parts.Part", on_delete=models.PROTECT)
    min_quantity = models.DecimalField(max_digits=14, decimal_places=3)
    unit_price = models.DecimalField(max_digits=14, decimal_places=4)
    is_applied = models.BooleanField(default=False)

    class Meta:
        ordering = ["contract", "part", "min_quantity"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "part", "min_quantity"], name="unique_price_tier"
            ),
            models.CheckConstraint(
                condition=Q(min_quantity__gte=0) & Q(unit_price__gte=0),
                name="price_tier_not_negative",
            ),
        ]


class ContractRule(models.Model):
    """A contract rule (docs/rules.md): when `metric` over `window` breaches, take `action`."""

    class Metric(models.TextChoices):
        OTD_PCT = "otd_pct", "On-time delivery %"
        OTIF_PCT = "otif_pct", "OTIF %"
        DEFECT_PPM = "defect_ppm", "Defect rate (PPM)"
        LEAD_TIME_MEAN_DAYS = "lead_time_mean_days", "Mean lead time (days)"
        LEAD_TIME_P90_DAYS = "lead_time_p90_days", "Lead time p90 (days)"
        LANDED_COST_INDEX = "landed_cost_index", "Landed cost index"
        COMPOSITE_SCORE = "composite_score", "Composite score"
        ORDERED_QUANTITY_YTD = "ordered_quantity_ytd", "Ordered quantity year-to-date"
        PREDICTED_OTD_PCT = "predicted_otd_pct", "Predicted OTD % (open lines due in 30 days)"

    class Window(models.TextChoices):
        ROLLING_DAYS = "rolling_days", "Rolling days"
        PERIOD = "period", "Calendar month"

    class Comparator(models.TextChoices):
        LT = "lt", "<"
        LTE = "lte", "≤"
        GT = "gt", ">"
        GTE = "gte", "≥"

    class Action(models.TextChoices):
        SHIFT_SHARE = "shift_share", "Shift share to the other source(s)"
        NOTIFY = "notify", "Raise an alert"
        HOLD = "hold", "Put the supplier on hold"
        PRICE_TIER = "price_tier", "Apply the next price tier"

    # Internal: a supplier contact never sees the rules that move its volume (docs/roles.md).
    supplier_field = None

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="rules")
    name = models.CharField(max_length=100)
    part = models.ForeignKey(
        "parts.Part", null=True, blank=True, on_delete=models.CASCADE, help_text="Empty: all parts."
    )
    metric = models.CharField(max_length=32, choices=Metric.choices)
    window = models.CharField(max_length=16, choices=Window.choices, default=Window.ROLLING_DAYS)
    window_days = models.PositiveIntegerField(default=90)
    comparator = models.CharField(max_length=3, choices=Comparator.choices)
    threshold = models.DecimalField(max_digits=14, decimal_places=4)
    action = models.CharField(max_length=16, choices=Action.choices)
    amount = models.DecimalField(
        max_digits=7, decimal_places=2, default=Decimal("0"), help_text="Share points to move."
    )
    cooldown_days = models.PositiveIntegerField(default=30)
    is_active = models.BooleanField(default=True)
    last_fired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["contract", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="rule_amount_not_negative"),
            models.CheckConstraint(condition=Q(window_days__gte=1), name="rule_window_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class ContractChange(models.Model):
    """Audit trail of every change to a contract, its rules, tiers and commitments."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        UPDATED = "updated", "Updated"
        DELETED = "deleted", "Deleted"

    # Internal: the audit holds rule snapshots, which contacts never see.
    supplier_field = None

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="changes")
    object_type = models.CharField(max_length=40)
    object_id = models.BigIntegerField()
    kind = models.CharField(max_length=8, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
