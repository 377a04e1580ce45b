import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.validators import (
    country_code_validator,
    currency_code_validator,
    natural_key_validator,
)


class SupplierQuerySet(models.QuerySet):
    """Reads about suppliers that every engine shares (allocation, planning, risk)."""

    def with_expired_certificate(self, as_of):
        """Suppliers holding a certificate kind whose newest certificate ended before
        `as_of` (a renewal filed next to the old certificate clears it)."""
        expired = (
            Certificate.objects.filter(supplier__in=self.values("pk"))
            .values("supplier_id", "kind")
            .annotate(latest=models.Max("valid_until"))
            .filter(latest__lt=as_of)
            .values("supplier_id")
        )
        return self.filter(pk__in=expired)

    def usable(self, as_of=None):
        """Suppliers whose sources may receive share or orders: approved (not on hold,
        disqualified or merely qualified) and no required certificate expired
        (docs/rules.md, "usable sources")."""
        as_of = as_of or timezone.localdate()
        approved = self.filter(status=Supplier.Status.APPROVED)
        return approved.exclude(pk__in=approved.with_expired_certificate(as_of).values("pk"))


class Supplier(models.Model):
    class Status(models.TextChoices):
        PROSPECT = "prospect", "Prospect"
        QUALIFIED = "qualified", "Qualified"
        APPROVED = "approved", "Approved"
        ON_HOLD = "on_hold", "On hold"
        DISQUALIFIED = "disqualified", "Disqualified"

    # Lifecycle: prospect → qualified → approved ⇄ on_hold; any state may end in disqualified.
    TRANSITIONS = {
        Status.PROSPECT: {Status.QUALIFIED, Status.DISQUALIFIED},
        Status.QUALIFIED: {Status.APPROVED, Status.ON_HOLD, Status.DISQUALIFIED},
        Status.APPROVED: {Status.ON_HOLD, Status.DISQUALIFIED},
        Status.ON_HOLD: {Status.APPROVED, Status.QUALIFIED, Status.DISQUALIFIED},
        Status.DISQUALIFIED: {Status.PROSPECT},
    }

    supplier_field = "pk"

    code = models.CharField(max_length=32, unique=True, validators=[natural_key_validator])
    name = models.CharField(max_length=200)
    country = models.CharField(max_length=2, validators=[country_code_validator])
    region = models.CharField(max_length=64, blank=True)
    currency = models.CharField(max_length=3, validators=[currency_code_validator])
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROSPECT)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_suppliers",
        help_text="The buyer who owns the relationship and receives critical alerts.",
    )
    primary_contact = models.ForeignKey(
        "SupplierContact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Single point of contact at the supplier.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SupplierQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def can_transition_to(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, set())


class SupplierContact(models.Model):
    """A user who works at one supplier; sees only that supplier's business."""

    supplier_field = "supplier"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supplier_contact"
    )
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="contacts")
    job_title = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    is_admin = models.BooleanField(
        default=False,
        help_text="The supplier's administrator: may invite and deactivate colleagues.",
    )

    class Meta:
        ordering = ["supplier__code", "user__username"]

    def __str__(self) -> str:
        return f"{self.user.get_full_name() or self.user.username} ({self.supplier.code})"


class QualificationCriterion(models.Model):
    """A scored criterion of the qualification assessment (financial stability, ...)."""

    supplier_field = None  # shared master data, internal only

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    weight = models.DecimalField(
        max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "qualification criteria"
        constraints = [
            models.CheckConstraint(condition=Q(weight__gte=0), name="criterion_weight_not_negative")
        ]

    def __str__(self) -> str:
        return self.name


class QualificationAssessment(models.Model):
    """One assessment of a supplier; all are kept, the latest counts."""

    supplier_field = "supplier"

    supplier = models.ForeignKey(
        Supplier, on_delete=models.CASCADE, related_name="qualification_assessments"
    )
    assessed_on = models.DateField()
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    minimum_score = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        default=Decimal("3.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("5"))],
        help_text="Weighted score (0–5) needed for approval.",
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["supplier", "-assessed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.supplier.code} assessed {self.assessed_on}"

    @property
    def weighted_score(self) -> Decimal | None:
        scores = list(self.scores.all())
        total_weight = sum((s.weight for s in scores), Decimal("0"))
        if not total_weight:
            return None
        return sum((s.score * s.weight for s in scores), Decimal("0")) / total_weight

    @property
    def passed(self) -> bool:
        score = self.weighted_score
        return score is not None and score >= self.minimum_score


class QualificationScore(models.Model):
    supplier_field = "assessment__supplier"

    assessment = models.ForeignKey(
        QualificationAssessment, on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.ForeignKey(QualificationCriterion, on_delete=models.PROTECT)
    score = models.PositiveSmallIntegerField(validators=[MaxValueValidator(5)])
    weight = models.DecimalField(
        max_digits=6, decimal_places=2, help_text="The criterion's weight when assessed."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "criterion"], name="one_score_per_criterion"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=5), name="qualification_score_0_to_5"
            ),
        ]


def certificate_document_path(instance, filename: str) -> str:
    """A random name under the supplier's folder: the uploader's file name is never a path."""
    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(
        instance.document_content_type, "bin"
    )
    return f"certificates/{instance.supplier_id}/{uuid.uuid4().hex}.{extension}"


class Certificate(models.Model):
    class Kind(models.TextChoices):
        ISO_9001 = "iso_9001", "ISO 9001"
        IATF_16949 = "iatf_16949", "IATF 16949"
        ISO_14001 = "iso_14001", "ISO 14001"
        ISO_45001 = "iso_45001", "ISO 45001"
        AS_9100 = "as_9100", "AS9100"
        OTHER = "other", "Other"

    supplier_field = "supplier"

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="certificates")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    number = models.CharField(max_length=64)
    issued_by = models.CharField(max_length=100, blank=True)
    valid_until = models.DateField()
    # Stored under the private MEDIA_ROOT (never served by a URL pattern or whitenoise);
    # downloaded only through the scoped certificate document view.
    document = models.FileField(upload_to=certificate_document_path, blank=True, max_length=200)
    document_name = models.CharField(
        max_length=200, blank=True, help_text="The file name as uploaded, for the download."
    )
    document_content_type = models.CharField(
        max_length=40, blank=True, help_text="Detected from the file's bytes, not its name."
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["supplier", "valid_until"]
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "kind", "number"], name="unique_certificate_per_supplier"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    def days_to_expiry(self, today) -> int:
        return (self.valid_until - today).days


class EsgAssessment(models.Model):
    """Answers to the ESG questionnaire, scored 0–5 per topic."""

    supplier_field = "supplier"

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="esg_assessments")
    answered_on = models.DateField()
    emissions_score = models.PositiveSmallIntegerField(validators=[MaxValueValidator(5)])
    waste_score = models.PositiveSmallIntegerField(validators=[MaxValueValidator(5)])
    labour_score = models.PositiveSmallIntegerField(validators=[MaxValueValidator(5)])
    traceability_score = models.PositiveSmallIntegerField(validators=[MaxValueValidator(5)])
    comments = models.TextField(blank=True)
    # The questionnaire's facts behind the scores (SPEC §2), answered by the supplier.
    emissions_tco2e = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Scope 1 and 2 emissions of the last full year, tonnes CO2e.",
    )
    emissions_reduction_target = models.BooleanField(
        default=False, help_text="A published emissions reduction target."
    )
    waste_recycled_pct = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="Share of production waste recycled or recovered, %.",
    )
    labour_code_of_conduct = models.BooleanField(
        default=False, help_text="Signed the buyer's supplier code of conduct (labour, safety)."
    )
    labour_last_audit_on = models.DateField(
        null=True, blank=True, help_text="Date of the last social or labour audit."
    )
    traceability_origin_known_pct = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="Share of raw material spend traced to its origin, %.",
    )
    conflict_minerals_report = models.BooleanField(
        default=False, help_text="Provides a conflict minerals report (CMRT)."
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["supplier", "-answered_on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(emissions_score__lte=5)
                & Q(waste_score__lte=5)
                & Q(labour_score__lte=5)
                & Q(traceability_score__lte=5),
                name="esg_scores_0_to_5",
            )
        ]

    @property
    def overall_score(self) -> Decimal:
        total = (
            self.emissions_score + self.waste_score + self.labour_score + self.traceability_score
        )
        return Decimal(total) / 4
