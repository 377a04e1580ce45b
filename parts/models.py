from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from core.units import DEFAULT_UNIT, UNIT_CHOICES
from core.validators import currency_code_validator, natural_key_validator
from suppliers.certificate_kinds import KIND_CHOICES


class PartCategory(models.Model):
    """A family of parts and the certificate kinds a supplier must hold to source one
    (docs/qualification.md)."""

    supplier_field = None  # shared master data

    code = models.CharField(max_length=32, unique=True, validators=[natural_key_validator])
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "part categories"

    def __str__(self) -> str:
        return self.name

    @property
    def required_kinds(self) -> list[str]:
        return sorted(r.kind for r in self.required_certificates.all())


class RequiredCertificate(models.Model):
    """One certificate kind a category requires."""

    supplier_field = None

    category = models.ForeignKey(
        PartCategory, on_delete=models.CASCADE, related_name="required_certificates"
    )
    kind = models.CharField(max_length=20, choices=KIND_CHOICES)

    class Meta:
        ordering = ["category", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["category", "kind"], name="one_requirement_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.category.code}: {self.get_kind_display()}"


class Part(models.Model):
    # A supplier contact sees the parts it is an approved source of.
    supplier_field = "sources__supplier"

    number = models.CharField(max_length=40, unique=True, validators=[natural_key_validator])
    name = models.CharField(max_length=200)
    # Stored as a UN/ECE Rec 20 code; `core.units.unit_normalise` turns input into one.
    unit = models.CharField(max_length=8, choices=UNIT_CHOICES, default=DEFAULT_UNIT)
    category = models.ForeignKey(
        PartCategory,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="parts",
        help_text="Its category decides the certificates a source must hold.",
    )
    specification_reference = models.CharField(max_length=64, blank=True)
    specification_revision = models.CharField(max_length=16, blank=True)
    is_critical = models.BooleanField(default=True)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class InspectionCharacteristic(models.Model):
    """One line of the part's standard QC checklist; defect codes refer to `code`."""

    supplier_field = "part__sources__supplier"

    part = models.ForeignKey(Part, on_delete=models.CASCADE, related_name="checklist")
    code = models.CharField(max_length=32)
    description = models.CharField(max_length=200)
    is_critical = models.BooleanField(default=False)

    class Meta:
        ordering = ["part", "code"]
        constraints = [
            models.UniqueConstraint(fields=["part", "code"], name="unique_checklist_code_per_part")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


class ApprovedSource(models.Model):
    """A qualified (part, supplier) pair with its share of the part's volume."""

    supplier_field = "supplier"

    part = models.ForeignKey(Part, on_delete=models.CASCADE, related_name="sources")
    supplier = models.ForeignKey(
        "suppliers.Supplier", on_delete=models.CASCADE, related_name="sources"
    )
    target_share_pct = models.DecimalField(max_digits=5, decimal_places=2)
    min_share_pct = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0"))
    max_share_pct = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("100"))
    unit_price = models.DecimalField(max_digits=14, decimal_places=4)
    currency = models.CharField(max_length=3, validators=[currency_code_validator])
    lead_time_days = models.PositiveIntegerField()
    monthly_capacity = models.DecimalField(
        max_digits=14, decimal_places=3, null=True, blank=True, help_text="Empty: unlimited."
    )
    moq = models.DecimalField(
        "minimum order quantity", max_digits=14, decimal_places=3, default=Decimal("1")
    )
    # Orders, splits and suggestions to this source are whole packs (docs/invoices.md).
    pack_size = models.DecimalField(
        max_digits=14,
        decimal_places=3,
        default=Decimal("1"),
        help_text="Units per pack; orders to this source are rounded up to whole packs.",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["part", "-target_share_pct"]
        constraints = [
            models.UniqueConstraint(fields=["part", "supplier"], name="one_source_per_supplier"),
            models.CheckConstraint(
                condition=Q(min_share_pct__gte=0)
                & Q(max_share_pct__lte=100)
                & Q(min_share_pct__lte=F("target_share_pct"))
                & Q(target_share_pct__lte=F("max_share_pct")),
                name="source_shares_within_0_min_target_max_100",
            ),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="source_price_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(monthly_capacity__isnull=True) | Q(monthly_capacity__gte=0),
                name="source_capacity_not_negative",
            ),
            models.CheckConstraint(condition=Q(moq__gte=0), name="source_moq_not_negative"),
            models.CheckConstraint(condition=Q(pack_size__gt=0), name="source_pack_size_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.part.number} ← {self.supplier.code} ({self.target_share_pct}%)"


class SourceChange(models.Model):
    """Audit of an approved source: who changed what, when, before → after (docs/api.md).

    Internal: the shares in `before` / `after` would tell a supplier about its alternate.
    """

    supplier_field = None

    source = models.ForeignKey(
        ApprovedSource, null=True, on_delete=models.SET_NULL, related_name="changes"
    )
    # Kept as text so the entry still reads after the source itself is deleted.
    part_number = models.CharField(max_length=40)
    supplier_code = models.CharField(max_length=32)
    action = models.CharField(
        max_length=8, choices=[("create", "created"), ("update", "changed"), ("delete", "deleted")]
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["part_number", "changed_at"])]

    def __str__(self) -> str:
        return f"{self.part_number} ← {self.supplier_code} {self.action} {self.changed_at:%Y-%m-%d}"
