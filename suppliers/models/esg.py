from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from suppliers.models.supplier import Supplier


class EsgAssessment(models.Model):
    """One set of answers to the ESG questionnaire; all are kept, the latest counts.

    The ESG score (0–100) comes from the four facts with an evidence date
    (`suppliers.esg.esg_score`, docs/qualification.md); the 0–5 self-ratings are the
    older questionnaire's and optional.
    """

    class Labour(models.TextChoices):
        AUDIT = "audit", "Passed a third-party labour audit"
        CODE_OF_CONDUCT = "code_of_conduct", "Signed our code of conduct only"
        NONE = "none", "Neither"

    supplier_field = "supplier"

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="esg_assessments")
    answered_on = models.DateField()
    emissions_score = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(5)]
    )
    waste_score = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(5)]
    )
    labour_score = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(5)]
    )
    traceability_score = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(5)]
    )
    comments = models.TextField(blank=True)
    # The older questionnaire's facts behind its 0–5 self-ratings, answered by the supplier.
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
    emissions_kg_co2e_per_eur = models.DecimalField(
        max_digits=10,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Emissions intensity: kg CO2e per EUR of sales to us.",
    )
    labour = models.CharField(max_length=16, choices=Labour.choices, blank=True)
    evidence_date = models.DateField(
        null=True, blank=True, help_text="Date of the evidence behind these answers."
    )
    evidence = models.FileField(upload_to="esg/", blank=True, max_length=200)
    evidence_name = models.CharField(max_length=200, blank=True)
    evidence_content_type = models.CharField(max_length=40, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["supplier", "-answered_on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(emissions_score__isnull=True) | Q(emissions_score__lte=5))
                & (Q(waste_score__isnull=True) | Q(waste_score__lte=5))
                & (Q(labour_score__isnull=True) | Q(labour_score__lte=5))
                & (Q(traceability_score__isnull=True) | Q(traceability_score__lte=5)),
                name="esg_scores_0_to_5",
            )
        ]

    @property
    def overall_score(self) -> Decimal | None:
        """The mean of the 0–5 self-ratings given (the older questionnaire)."""
        given = [
            s
            for s in (
                self.emissions_score,
                self.waste_score,
                self.labour_score,
                self.traceability_score,
            )
            if s is not None
        ]
        return Decimal(sum(given)) / len(given) if given else None


class SupplierEsgScore(models.Model):
    """Each supplier's current ESG score (0–100), kept for set-based readers (the scorecard
    composite, lists): refreshed when answers or certificates change and before every
    scorecard recompute, since evidence ages (docs/qualification.md)."""

    supplier_field = "supplier"

    supplier = models.OneToOneField(
        Supplier, on_delete=models.CASCADE, primary_key=True, related_name="esg_score_current"
    )
    esg_score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    as_of = models.DateField()
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "supplier ESG score"
