"""Qualification: the template (criteria, weights, knock-out minimums, pass mark,
re-qualification interval), assessments with their criterion scores, and the audit of
every supplier status change (docs/qualification.md)."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from suppliers.models.supplier import Supplier

ZERO_TO_FIVE = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("5"))]


class QualificationTemplate(models.Model):
    """The one qualification template (row 1); criteria are its lines."""

    supplier_field = None  # internal settings

    pass_mark = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        default=Decimal("3.00"),
        validators=ZERO_TO_FIVE,
        help_text="Weighted score (0–5) an assessment must reach to pass.",
    )
    requalification_months = models.PositiveSmallIntegerField(
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text="A passed assessment qualifies a supplier for this many months.",
    )
    esg_emissions_weight = models.DecimalField(max_digits=5, decimal_places=2, default=1)
    esg_waste_weight = models.DecimalField(max_digits=5, decimal_places=2, default=1)
    esg_labour_weight = models.DecimalField(max_digits=5, decimal_places=2, default=1)
    esg_traceability_weight = models.DecimalField(max_digits=5, decimal_places=2, default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(esg_emissions_weight__gte=0)
                & Q(esg_waste_weight__gte=0)
                & Q(esg_labour_weight__gte=0)
                & Q(esg_traceability_weight__gte=0),
                name="esg_weights_not_negative",
            )
        ]

    def __str__(self) -> str:
        return f"Qualification template (pass mark {self.pass_mark})"


class QualificationCriterion(models.Model):
    """A scored criterion of the qualification template (financial stability, ...)."""

    supplier_field = None  # shared master data, internal only

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    weight = models.DecimalField(
        max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    knockout_minimum = models.DecimalField(
        max_digits=2,
        decimal_places=1,
        null=True,
        blank=True,
        validators=ZERO_TO_FIVE,
        help_text="A score below this fails the assessment whatever the weighted score.",
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
    """One assessment of a supplier; `draft → submitted`, never edited once submitted.
    All are kept; the latest submitted one counts."""

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"

    supplier_field = "supplier"

    supplier = models.ForeignKey(
        Supplier, on_delete=models.CASCADE, related_name="qualification_assessments"
    )
    category = models.ForeignKey(
        "parts.PartCategory",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty: the supplier as a whole.",
    )
    assessed_on = models.DateField()
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.SUBMITTED)
    submitted_at = models.DateTimeField(null=True, blank=True)
    minimum_score = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        default=Decimal("3.00"),
        validators=ZERO_TO_FIVE,
        help_text="The template's pass mark when the assessment was opened.",
    )
    # Kept up to date by the services on every save of the scores (docs/qualification.md).
    weighted_score = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(default=False)
    outcome_reason = models.CharField(max_length=300, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, null=True)

    class Meta:
        ordering = ["supplier", "-assessed_on", "-id"]
        indexes = [models.Index(fields=["supplier", "state", "assessed_on"])]

    def __str__(self) -> str:
        return f"{self.supplier.code} assessed {self.assessed_on}"


def evidence_path(instance, filename: str) -> str:
    """A random name: the uploader's file name is never a path."""
    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(
        instance.evidence_content_type, "bin"
    )
    return f"evidence/{uuid.uuid4().hex}.{extension}"


class QualificationScore(models.Model):
    supplier_field = "assessment__supplier"

    assessment = models.ForeignKey(
        QualificationAssessment, on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.ForeignKey(QualificationCriterion, on_delete=models.PROTECT)
    score = models.DecimalField(
        max_digits=2, decimal_places=1, null=True, blank=True, validators=ZERO_TO_FIVE
    )
    weight = models.DecimalField(
        max_digits=6, decimal_places=2, help_text="The criterion's weight when assessed."
    )
    knockout_minimum = models.DecimalField(
        max_digits=2, decimal_places=1, null=True, blank=True, validators=ZERO_TO_FIVE
    )
    comment = models.TextField(blank=True)
    evidence = models.FileField(upload_to=evidence_path, blank=True, max_length=200)
    evidence_name = models.CharField(max_length=200, blank=True)
    evidence_content_type = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["assessment", "criterion__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "criterion"], name="one_score_per_criterion"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=5),
                name="qualification_score_0_to_5",
            ),
        ]


class SupplierStatusChange(models.Model):
    """Audit of a supplier's status: who, when, from → to, why (creation included)."""

    supplier_field = None  # internal: reasons and assessors are buyers' notes

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, blank=True, help_text="Empty: created.")
    to_status = models.CharField(max_length=16, choices=Supplier.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True)
    assessment = models.ForeignKey(
        QualificationAssessment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.supplier.code}: {self.from_status or 'new'} → {self.to_status}"
