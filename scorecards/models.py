"""Scorecards: the KPIs of docs/kpis.md per supplier and per (part, supplier), and how they score.

Rows are written only by `scorecards.services.scorecard_recompute`, set-based in the
database. `period` is a calendar month `YYYY-MM` or `rolling-90` (the 90 days ending on
the as-of date, `period_start`..`period_end`). Population sizes are stored next to every
figure so a buyer can tell how much rests behind it (low sample: fewer than 5).
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q

from scorecards import kpis

# Figures are doubles (15 significant digits), computed and compared in the database; the
# API serves them as decimal strings with 6 places (8 for the index and unit cost).
FIGURE = {"null": True, "blank": True}
SUM = {"default": 0}


def figure_field(figure: kpis.Figure) -> models.Field:
    """The model field of a registry figure: a count, a sum, a letter (the grade), or a
    KPI value (null for an empty population)."""
    extra = {"help_text": figure.help_text} if figure.help_text else {}
    if figure.is_count:
        return models.PositiveIntegerField(**SUM, **extra)
    if figure.is_sum:
        return models.FloatField(**SUM, **extra)
    if figure.decimals is None:
        return models.CharField(max_length=1, **FIGURE, **extra)
    return models.FloatField(**FIGURE, **extra)


class FigureFields:
    """In a model's class body: the fields of the registry figures stored on `rows`, in
    registry order, where the line stands among the other fields."""

    def __init__(self, rows: str):
        self.fields = {f.name: figure_field(f) for f in kpis.figures(rows=rows)}

    def contribute_to_class(self, cls, name: str) -> None:
        for field_name, field in self.fields.items():
            cls.add_to_class(field_name, field)


class ScorecardTemplate(models.Model):
    """How KPIs turn into a 0–100 composite: a floor (scores 0) and a target (scores 100)
    per criterion, and the criterion weights. Suppliers without an assignment use the default.
    """

    supplier_field = None  # scoring settings are internal

    supplier_field = None  # internal: buyers' scoring rules, never shown to supplier contacts

    name = models.CharField(max_length=100, unique=True)
    is_default = models.BooleanField(
        default=False, help_text="Scores every supplier that has no template of its own."
    )
    otd_floor_pct = models.DecimalField(max_digits=7, decimal_places=3, default=Decimal("80"))
    otd_target_pct = models.DecimalField(max_digits=7, decimal_places=3, default=Decimal("98"))
    otd_weight = models.DecimalField(
        max_digits=7, decimal_places=3, default=Decimal("40"), validators=[MinValueValidator(0)]
    )
    defect_ppm_floor = models.DecimalField(max_digits=12, decimal_places=3, default=Decimal("5000"))
    defect_ppm_target = models.DecimalField(max_digits=12, decimal_places=3, default=Decimal("100"))
    defect_ppm_weight = models.DecimalField(
        max_digits=7, decimal_places=3, default=Decimal("30"), validators=[MinValueValidator(0)]
    )
    lead_time_floor_days = models.DecimalField(
        max_digits=9, decimal_places=3, default=Decimal("60")
    )
    lead_time_target_days = models.DecimalField(
        max_digits=9, decimal_places=3, default=Decimal("14")
    )
    lead_time_weight = models.DecimalField(
        max_digits=7, decimal_places=3, default=Decimal("10"), validators=[MinValueValidator(0)]
    )
    landed_cost_index_floor = models.DecimalField(
        max_digits=9, decimal_places=4, default=Decimal("1.15")
    )
    landed_cost_index_target = models.DecimalField(
        max_digits=9, decimal_places=4, default=Decimal("0.95")
    )
    landed_cost_weight = models.DecimalField(
        max_digits=7, decimal_places=3, default=Decimal("20"), validators=[MinValueValidator(0)]
    )
    # The supplier's ESG score (already 0–100) enters the composite with this weight; 0 by
    # default, so composites without it do not change (docs/qualification.md).
    esg_weight = models.DecimalField(
        max_digits=7,
        decimal_places=3,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
        help_text="Weight of the ESG score (0–100) in the composite; 0 leaves it out.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_template"
            ),
            models.CheckConstraint(
                condition=~Q(otd_floor_pct=F("otd_target_pct"))
                & ~Q(defect_ppm_floor=F("defect_ppm_target"))
                & ~Q(lead_time_floor_days=F("lead_time_target_days"))
                & ~Q(landed_cost_index_floor=F("landed_cost_index_target")),
                name="template_floor_differs_from_target",
            ),
            models.CheckConstraint(
                condition=Q(otd_weight__gte=0)
                & Q(defect_ppm_weight__gte=0)
                & Q(lead_time_weight__gte=0)
                & Q(landed_cost_weight__gte=0),
                name="template_weights_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (default)" if self.is_default else self.name

    def clean(self) -> None:
        errors = {}
        for criterion in kpis.CRITERIA:
            floor = getattr(self, criterion.floor_field)
            target = getattr(self, criterion.target_field)
            if floor is not None and floor == target:
                errors[criterion.target_field] = "The target must differ from the floor."
        weights = [getattr(self, c.weight_field) or 0 for c in kpis.CRITERIA]
        if not any(weights):
            errors["otd_weight"] = "At least one criterion needs a weight above zero."
        if errors:
            raise ValidationError(errors)

    def criteria(self) -> list[kpis.CriterionSetting]:
        """The template as plain numbers for `kpis.composite_score`."""
        return [
            kpis.CriterionSetting(
                kpi=c.kpi,
                floor=getattr(self, c.floor_field),
                target=getattr(self, c.target_field),
                weight=getattr(self, c.weight_field),
            )
            for c in kpis.CRITERIA
        ]


class ScorecardAssignment(models.Model):
    """A supplier scored with a template other than the default."""

    supplier_field = None  # internal, like the templates themselves

    supplier = models.OneToOneField(
        "suppliers.Supplier", on_delete=models.CASCADE, related_name="scorecard_assignment"
    )
    template = models.ForeignKey(
        ScorecardTemplate, on_delete=models.CASCADE, related_name="assignments"
    )

    class Meta:
        ordering = ["supplier__code"]

    def __str__(self) -> str:
        return f"{self.supplier.code} → {self.template.name}"


class ScorecardFigures(models.Model):
    """Columns shared by supplier and part scorecards: populations, sums and KPI values."""

    period = models.CharField(max_length=10, help_text="YYYY-MM, or rolling-90.")
    period_start = models.DateField()
    period_end = models.DateField(help_text="For rolling-90 this is the as-of date.")

    # The population sums and KPI values of `kpis.FIGURES` both kinds of row store.
    _figures = FigureFields(kpis.BOTH)
    computed_at = models.DateTimeField(help_text="When these figures last changed.")

    class Meta:
        abstract = True

    @property
    def is_rolling(self) -> bool:
        return self.period == kpis.ROLLING_PERIOD

    @property
    def otd_low_sample(self) -> bool:
        return kpis.is_low_sample(self.lines_due)

    @property
    def defect_low_sample(self) -> bool:
        return kpis.is_low_sample(self.inspections_count)

    @property
    def lead_time_low_sample(self) -> bool:
        return kpis.is_low_sample(self.receipts_count)

    @property
    def landed_cost_low_sample(self) -> bool:
        return kpis.is_low_sample(self.priced_receipts_count)

    @property
    def low_sample(self) -> bool:
        """Some figure shown on this row rests on fewer than 5 lines, receipts or inspections."""
        return (
            self.otd_low_sample
            or self.defect_low_sample
            or self.lead_time_low_sample
            or self.landed_cost_low_sample
        )


class SupplierScorecard(ScorecardFigures):
    supplier_field = "supplier"

    # Derived rows, rebuilt from the facts: no database foreign-key checks (a full rebuild
    # would pay one per written row); deleting a supplier still cascades in the ORM.
    supplier = models.ForeignKey(
        "suppliers.Supplier",
        on_delete=models.CASCADE,
        related_name="scorecards",
        db_index=False,
        db_constraint=False,
    )  # the unique (supplier, period) serves lookups by supplier
    # Landed cost index, composite score and grade (`kpis.FIGURES`, supplier rows).
    _figures = FigureFields(kpis.SUPPLIER)
    template = models.ForeignKey(
        ScorecardTemplate,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The template the composite score was computed with.",
    )

    class Meta:
        ordering = ["supplier", "-period"]
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "period"], name="one_scorecard_per_supplier_period"
            )
        ]
        indexes = [models.Index(fields=["period", "supplier"])]

    def __str__(self) -> str:
        return f"{self.supplier.code} {self.period}"


class PartScorecard(ScorecardFigures):
    """KPIs 1–5 of one source (part × supplier), so two sources can be compared side by side."""

    supplier_field = "supplier"

    # No single-column indexes: the unique (supplier, part, period) and (part, period) cover
    # every lookup, and each extra index slows the nightly write of half a million rows.
    # Derived rows: no database foreign-key checks, as for SupplierScorecard.
    supplier = models.ForeignKey(
        "suppliers.Supplier",
        on_delete=models.CASCADE,
        related_name="part_scorecards",
        db_index=False,
        db_constraint=False,
    )
    part = models.ForeignKey(
        "parts.Part",
        on_delete=models.CASCADE,
        related_name="scorecards",
        db_index=False,
        db_constraint=False,
    )
    _figures = FigureFields(kpis.PART)  # the landed unit cost (`kpis.FIGURES`, part rows)

    class Meta:
        ordering = ["part", "supplier", "-period"]
        constraints = [
            # Supplier and period lead: a refresh reaches the part rows of each
            # (supplier, period) it rebuilds by one index range, not the whole table.
            models.UniqueConstraint(
                fields=["supplier", "period", "part"], name="one_part_scorecard_per_period"
            )
        ]
        indexes = [models.Index(fields=["part", "period"])]

    def __str__(self) -> str:
        return f"{self.part.number} × {self.supplier.code} {self.period}"


class RefreshState(models.Model):
    """Bookmarks of the incremental KPI refresh, one row per name (see scorecards.outbox):
    the last ContractChange consumed, the as-of date of the last nightly or full run, and
    whether scores wait for a re-score after a template or assignment change."""

    supplier_field = None  # internal bookkeeping, never shown

    name = models.CharField(max_length=40, primary_key=True)
    value = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name} = {self.value}"
