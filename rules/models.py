"""The allocation engine's state (docs/rules.md): share changes, rule firings, exceptions, totals.

All of it is internal: a supplier contact never sees rules, shares or the other source,
so every model here has `supplier_field = None` and `scope_for_user` shows contacts none.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

# The references the engine writes by the thousand (a first evaluation of the large demo
# writes 40,000 rows) have no foreign-key constraint in the database: PostgreSQL would
# queue a check per row and reference while inserting, and run them all at commit.
# Deleting a referenced row still deletes or empties them (`on_delete`, done by Django).


class AllocationChange(models.Model):
    """One change of a part's target shares: by the engine (actor empty) or a buyer."""

    supplier_field = None

    part = models.ForeignKey(
        "parts.Part",
        on_delete=models.CASCADE,
        related_name="allocation_changes",
        db_constraint=False,
    )
    shares_before = models.JSONField(help_text="Supplier code → target share % before.")
    shares_after = models.JSONField(help_text="Supplier code → target share % after.")
    rule = models.ForeignKey(
        "contracts.ContractRule",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="allocation_changes",
        db_constraint=False,
    )
    metric_value = models.FloatField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty: the engine decided alone.",
    )
    reason = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["part", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.part_id}: {self.shares_before} → {self.shares_after}"

    @property
    def actor_name(self) -> str:
        return self.actor.get_username() if self.actor_id else "system"


class AllocationException(models.Model):
    """A decision the engine must not take alone; a buyer approves or rejects it."""

    class Kind(models.TextChoices):
        BOUND_BREAK = "bound_break", "Shift would break a share bound"
        BOTH_IN_BREACH = "both_in_breach", "Every source of the part is in breach"
        HOLD = "hold", "Put the supplier on hold"
        SINGLE_USABLE_SOURCE = "single_usable_source", "Part left with one usable source"
        RECEIVER_DOES_WORSE = "receiver_does_worse", "Receiving source does worse on the metric"
        PREDICTED = "predicted", "Predicted breach: share shift for review"

    class State(models.TextChoices):
        OPEN = "open", "Open"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        # Closed by the engine: the part's shares moved and nothing was left to propose.
        SUPERSEDED = "superseded", "Superseded"

    supplier_field = None

    kind = models.CharField(max_length=24, choices=Kind.choices)
    part = models.ForeignKey(
        "parts.Part",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
    )
    supplier = models.ForeignKey(
        "suppliers.Supplier",
        on_delete=models.CASCADE,
        related_name="allocation_exceptions",
        db_constraint=False,
    )
    rule = models.ForeignKey(
        "contracts.ContractRule",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="exceptions",
        db_constraint=False,
    )
    proposed_shares = models.JSONField(
        null=True, blank=True, help_text="Supplier code → share % if approved; empty for a hold."
    )
    evidence = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]  # the queue works oldest first
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.state})"


class RuleFiring(models.Model):
    """A rule that fired for a (part, supplier): the cooldown state, kept across restarts."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", "Share shift applied"
        EXCEPTION = "exception", "Exception raised"
        NOTIFIED = "notified", "Notified"
        PRICE_TIER = "price_tier", "Price tier applied"
        SKIPPED = "skipped", "Skipped"

    supplier_field = None

    # Its own index would repeat the first column of (rule, part, -fired_at) below.
    rule = models.ForeignKey(
        "contracts.ContractRule",
        on_delete=models.CASCADE,
        related_name="firings",
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
    supplier = models.ForeignKey(
        "suppliers.Supplier", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    metric_value = models.FloatField(null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    allocation_change = models.ForeignKey(
        AllocationChange,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="firings",
        db_constraint=False,
    )
    exception = models.ForeignKey(
        AllocationException,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="firings",
        db_constraint=False,
    )
    reason = models.TextField(blank=True)
    fired_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-fired_at", "-id"]
        indexes = [models.Index(fields=["rule", "part", "-fired_at"])]

    def __str__(self) -> str:
        return f"{self.rule_id} on {self.part_id}: {self.outcome}"


class AllocationBalance(models.Model):
    """Running total of the quantity allocated to one source since its shares were re-based.

    The order-allocation split serves the source furthest below its share first; after a
    share shift every source of the part starts again from zero, so the gaining source
    does not absorb the whole backlog at once (docs/rules.md).
    """

    supplier_field = None

    source = models.OneToOneField(
        "parts.ApprovedSource", on_delete=models.CASCADE, related_name="allocation_balance"
    )
    allocated_quantity = models.DecimalField(max_digits=16, decimal_places=3, default=0)
    rebased_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(allocated_quantity__gte=0), name="allocation_balance_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source_id}: {self.allocated_quantity}"
