"""The one outbox of KPI inputs (docs/engine.md): what a change touched, written in the
transaction of the change by the lowest layer that changes a KPI input (contracts,
purchasing, scorecard templates), and consumed by the engine pipeline's first step.

The tables keep their first names (they started in purchasing)."""

from django.db import models


class PendingRefresh(models.Model):
    """A supplier whose whole history is to be refreshed (e.g. after a large import)."""

    supplier_field = None  # internal bookkeeping, never shown

    supplier = models.OneToOneField(
        "suppliers.Supplier", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "purchasing_pendingrefresh"

    def __str__(self) -> str:
        return f"{self.supplier_id} since {self.requested_at:%Y-%m-%d %H:%M:%S}"


class PendingCell(models.Model):
    """A (supplier, month) whose KPI inputs changed: a fact, an FX rate, a contract's
    tolerances or validity. The refresh recomputes only these cells (and the rolling
    window of their suppliers), and clears them."""

    supplier_field = None  # internal bookkeeping, never shown

    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="First day of the month.")
    requested_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "purchasing_pendingcell"
        constraints = [
            models.UniqueConstraint(fields=["supplier", "month"], name="one_pending_cell"),
        ]

    def __str__(self) -> str:
        return f"{self.supplier_id} {self.month:%Y-%m}"


class PendingRescore(models.Model):
    """A scorecard template or assignment changed: composite scores and grades are to be
    recomputed (the KPI figures themselves are not)."""

    supplier_field = None  # internal bookkeeping, never shown

    requested_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"re-score since {self.requested_at:%Y-%m-%d %H:%M:%S}"
