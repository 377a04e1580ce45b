"""Replenishment planning (docs/planning.md): demand plans, per part × site settings,
the cached policy and the suggested orders.

Every model declares `supplier_field = None`: plans, policies and suggestions are
internal figures that supplier contacts never see (scope_for_user returns nothing).
Each row names its site by a foreign key to the site's code: `row.site` is the Site,
`row.site_id` its code, and filters and exports keep reading the code.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.fields.related_descriptors import ForwardManyToOneDescriptor

QUANTITY = {"max_digits": 14, "decimal_places": 3}


class _SiteOrCode(ForwardManyToOneDescriptor):
    """Accepts a Site or its code: a code sets the reference without a query."""

    def __set__(self, instance, value):
        if isinstance(value, str):
            instance._state.fields_cache.pop(self.field.cache_name, None)
            setattr(instance, self.field.attname, value)
            return
        super().__set__(instance, value)


class SiteField(models.ForeignKey):
    """The site of a planning row, by code (a site's code is its natural key)."""

    forward_related_accessor_class = _SiteOrCode

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to", "sites.Site")
        kwargs.setdefault("to_field", "code")
        kwargs.setdefault("on_delete", models.PROTECT)
        kwargs.setdefault("db_column", "site")
        kwargs.setdefault("related_name", "+")
        super().__init__(*args, **kwargs)


class DemandPlan(models.Model):
    """Planned demand of one part at one site for the planning period starting on a date."""

    supplier_field = None  # internal: contacts never see plans

    part = models.ForeignKey("parts.Part", on_delete=models.CASCADE, related_name="demand_plans")
    site = SiteField()
    period_start = models.DateField()
    quantity = models.DecimalField(**QUANTITY)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["part", "site", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["part", "site", "period_start"], name="one_plan_per_part_site_period"
            ),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="plan_quantity_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.part.number}@{self.site_id} {self.period_start}: {self.quantity}"


class PlanningSetting(models.Model):
    """Whether a part × site is planned, its service level and its auto-release limit."""

    supplier_field = None  # internal: contacts never see plans

    part = models.ForeignKey(
        "parts.Part", on_delete=models.CASCADE, related_name="planning_settings"
    )
    site = SiteField()
    is_planned = models.BooleanField(default=True)
    service_level = models.DecimalField(max_digits=5, decimal_places=4, default="0.95")
    # Value per order (base currency) the engine may release alone; 0 releases nothing.
    auto_release_limit = models.DecimalField(max_digits=14, decimal_places=2, default=0)

    class Meta:
        ordering = ["part", "site"]
        constraints = [
            models.UniqueConstraint(fields=["part", "site"], name="one_planning_setting"),
            models.CheckConstraint(
                condition=Q(service_level__gt=0) & Q(service_level__lt=1),
                name="service_level_between_0_and_1",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.part.number}@{self.site_id}"


class ReplenishmentPolicy(models.Model):
    """The policy of one part × site, cached while its inputs (fingerprint) are unchanged."""

    supplier_field = None  # internal: contacts never see plans

    class Kind(models.TextChoices):
        EXACT = "exact", "Optimal (value iteration)"
        CDI = "cdi", "Capped Dual Index"
        DI = "di", "Dual Index"
        TBS = "tbs", "Tailored Base-Surge"
        SINGLE = "single", "Single source"
        BASE_STOCK = "base_stock", "Base stock (one source)"

    part = models.ForeignKey("parts.Part", on_delete=models.CASCADE, related_name="policies")
    site = SiteField()
    kind = models.CharField(max_length=12, choices=Kind.choices)
    parameters = models.JSONField(default=dict)
    lot_size = models.DecimalField(**QUANTITY)
    expected_cost_per_period = models.FloatField()
    fill_rate = models.FloatField()
    share_fast = models.FloatField(default=0)
    single_cost = models.FloatField(null=True)
    split_cost = models.FloatField(null=True)
    saving_vs_single_pct = models.FloatField(null=True)
    saving_vs_split_pct = models.FloatField(null=True)
    fast_supplier = models.ForeignKey(
        "suppliers.Supplier", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    slow_supplier = models.ForeignKey(
        "suppliers.Supplier", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The model's inputs with where each came from (shown on the part's planning page).
    inputs = models.JSONField(default=dict)
    # Exact: the long-run cost of the policy's Markov chain; else a simulated estimate
    # (its chain too large to solve) with the standard error of that estimate.
    cost_exact = models.BooleanField(default=True)
    cost_stderr = models.FloatField(null=True, blank=True)
    # SHA-256 of the inputs above: the policy is recomputed only when it changes.
    fingerprint = models.CharField(max_length=64)
    table = models.BinaryField(null=True, editable=False)  # the optimal policy's order table
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["part", "site"]
        verbose_name_plural = "replenishment policies"
        constraints = [models.UniqueConstraint(fields=["part", "site"], name="one_policy")]

    def __str__(self) -> str:
        return f"{self.part.number}@{self.site_id}: {self.kind}"


class ReplenishmentSuggestion(models.Model):
    """One order the planning run suggests for this period."""

    supplier_field = None  # internal: contacts never see plans

    class State(models.TextChoices):
        OPEN = "open", "Open"
        RELEASED = "released", "Released"
        SUPERSEDED = "superseded", "Superseded"

    part = models.ForeignKey("parts.Part", on_delete=models.CASCADE, related_name="suggestions")
    site = SiteField()
    supplier = models.ForeignKey(
        "suppliers.Supplier", on_delete=models.CASCADE, related_name="suggestions"
    )
    quantity = models.DecimalField(**QUANTITY)
    unit_price = models.DecimalField(max_digits=14, decimal_places=4)
    currency = models.CharField(max_length=3)
    need_date = models.DateField()
    reason = models.CharField(max_length=300)
    state = models.CharField(max_length=12, choices=State.choices, default=State.OPEN)
    run_date = models.DateField()
    purchase_order = models.ForeignKey(
        "purchasing.PurchaseOrder",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    auto_released = models.BooleanField(default=False)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["need_date", "part", "site"]
        indexes = [
            models.Index(fields=["state", "created_at"]),
            models.Index(fields=["part", "site", "state"]),
            models.Index(fields=["auto_released", "released_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.part.number}@{self.site_id}: {self.quantity} from {self.supplier.code}"
