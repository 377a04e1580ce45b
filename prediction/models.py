"""Late-delivery prediction: the trained models and each open line's current risk.

Both are internal figures: a supplier contact never sees risk, so `supplier_field = None`
and `scope_for_user` shows contacts none of it (docs/prediction.md).
"""

from django.db import models


class PredictionModel(models.Model):
    """One training run: the fitted model, its backtest against the baseline, and which
    of the two the product uses until the next run.

    The fitted model is stored in the database (joblib bytes, a few hundred kB), not under
    MEDIA_ROOT: web and workers may run on different machines that share only the
    database, the bytes and their metrics commit in one transaction, and a backup of the
    database restores the model with the risks it produced."""

    class InUse(models.TextChoices):
        MODEL = "model", "Model"
        BASELINE = "baseline", "Baseline (supplier's trailing 90-day late-line rate)"

    supplier_field = None

    version = models.PositiveIntegerField(unique=True)
    trained_at = models.DateTimeField()
    as_of = models.DateField(help_text="The training's as-of date (today when it ran).")
    window_start = models.DateField(help_text="First scoring time of the training samples.")
    window_end = models.DateField(help_text="Outcomes known as of this date.")
    samples = models.PositiveIntegerField(default=0)
    lines = models.PositiveIntegerField(default=0)
    late_share = models.FloatField(null=True, blank=True)
    auc = models.FloatField(null=True, blank=True)
    baseline_auc = models.FloatField(null=True, blank=True)
    brier = models.FloatField(null=True, blank=True)
    baseline_brier = models.FloatField(null=True, blank=True)
    in_use = models.CharField(max_length=8, choices=InUse.choices, default=InUse.BASELINE)
    # Per month of the backtest, the reliability bins and the feature importances.
    metrics = models.JSONField(default=dict, blank=True)
    feature_names = models.JSONField(default=list, blank=True)
    model_bytes = models.BinaryField(null=True, blank=True, editable=False)
    seconds = models.FloatField(default=0)

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"v{self.version} ({self.in_use})"


class LineRisk(models.Model):
    """The current late risk of one open purchase-order line (deleted once it closes)."""

    class Source(models.TextChoices):
        MODEL = "model", "Model"
        BASELINE = "baseline", "Baseline"

    supplier_field = None

    line = models.OneToOneField(
        "purchasing.PurchaseOrderLine",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="risk",
    )
    late_risk = models.FloatField(help_text="Probability (0–1) of not being on time in full.")
    expected_days_late = models.FloatField()
    source = models.CharField(max_length=8, choices=Source.choices)
    model_version = models.PositiveIntegerField(null=True, blank=True)
    scored_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["-late_risk"], name="line_risk_desc")]

    def __str__(self) -> str:
        return f"{self.line_id}: {self.late_risk:.2f}"
