"""Reads for the buyer's portfolio dashboard: the whole supply base from stored scorecards.

Supply-base figures are the stored sums added up and divided once (never an average of
percentages), so they equal what one scorecard over every supplier would show. Each
function is one query whatever the number of suppliers.
"""

from dataclasses import dataclass

from django.db.models import Count, F, FloatField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from accounts.selectors import scope_for_user
from parts.models import ApprovedSource, Part
from scorecards import kpis
from scorecards.models import SupplierScorecard
from suppliers.models import Supplier

# A supplier this much dearer than the average source of its parts is worth a look.
DEAR_INDEX = 1.05
USABLE_STATUSES = (Supplier.Status.APPROVED,)


@dataclass(frozen=True)
class PortfolioFigures:
    period: str
    suppliers: int
    lines_due: int
    lines_in_full: int
    ordered_quantity: float
    on_time_quantity: float
    receipts_count: int
    inspections_count: int
    units_inspected: float
    units_defective: float
    lead_time_days_total: float
    dear_suppliers: int
    indexed_suppliers: int

    @property
    def otd_pct(self):
        return kpis.ratio(self.on_time_quantity, self.ordered_quantity, 100)

    @property
    def otif_pct(self):
        return kpis.otif_pct(self.lines_in_full, self.lines_due)

    @property
    def defect_ppm(self):
        return kpis.defect_ppm(self.units_defective, self.units_inspected)

    @property
    def lead_time_mean_days(self):
        return kpis.lead_time_mean_days(self.lead_time_days_total, self.receipts_count)


def scorecard_months(*, user, limit: int = 24) -> list[str]:
    """The latest months that have scorecards, newest first."""
    return list(
        scope_for_user(SupplierScorecard.objects.all(), user)
        .exclude(period=kpis.ROLLING_PERIOD)
        .order_by("-period")
        .values_list("period", flat=True)
        .distinct()[:limit]
    )


def portfolio_by_period(*, user, periods: list[str]) -> dict[str, PortfolioFigures]:
    """Supply-base sums per period, one query for all of them."""
    rows = (
        scope_for_user(SupplierScorecard.objects.filter(period__in=periods), user)
        .values("period")
        .annotate(
            suppliers=Count("id"),
            lines_due_sum=Coalesce(Sum("lines_due"), 0),
            lines_in_full_sum=Coalesce(Sum("lines_in_full"), 0),
            ordered_quantity_sum=Coalesce(Sum("ordered_quantity"), 0.0),
            on_time_quantity_sum=Coalesce(Sum("on_time_quantity"), 0.0),
            receipts_count_sum=Coalesce(Sum("receipts_count"), 0),
            inspections_count_sum=Coalesce(Sum("inspections_count"), 0),
            units_inspected_sum=Coalesce(Sum("units_inspected"), 0.0),
            units_defective_sum=Coalesce(Sum("units_defective"), 0.0),
            # The stored mean times its receipts gives back the lead-time total.
            lead_time_days_total=Coalesce(
                Sum(F("lead_time_mean_days") * F("receipts_count"), output_field=FloatField()),
                0.0,
            ),
            dear_suppliers=Count("id", filter=Q(landed_cost_index__gt=DEAR_INDEX)),
            indexed_suppliers=Count("id", filter=Q(landed_cost_index__isnull=False)),
        )
        .order_by("period")
    )
    return {
        row["period"]: PortfolioFigures(
            period=row["period"],
            suppliers=row["suppliers"],
            lines_due=row["lines_due_sum"],
            lines_in_full=row["lines_in_full_sum"],
            ordered_quantity=row["ordered_quantity_sum"],
            on_time_quantity=row["on_time_quantity_sum"],
            receipts_count=row["receipts_count_sum"],
            inspections_count=row["inspections_count_sum"],
            units_inspected=row["units_inspected_sum"],
            units_defective=row["units_defective_sum"],
            lead_time_days_total=row["lead_time_days_total"],
            dear_suppliers=row["dear_suppliers"],
            indexed_suppliers=row["indexed_suppliers"],
        )
        for row in rows
    }


def grade_distribution(*, user) -> dict[str, int]:
    """Suppliers per current (rolling-90) grade; "none" for those without a composite."""
    rows = (
        scope_for_user(SupplierScorecard.objects.filter(period=kpis.ROLLING_PERIOD), user)
        .values("grade")
        .annotate(n=Count("id"))
    )
    counts = {g: 0 for g, _ in kpis.GRADE_BANDS}
    counts[kpis.LOWEST_GRADE] = 0
    counts["none"] = 0
    for row in rows:
        counts[row["grade"] or "none"] += row["n"]
    return counts


def worst_movers(*, user, period: str, previous: str, limit: int = 10) -> list:
    """Suppliers whose composite score fell most from `previous` to `period`."""
    before = SupplierScorecard.objects.filter(
        supplier_id=OuterRef("supplier_id"), period=previous
    ).values("composite_score")[:1]
    return list(
        scope_for_user(SupplierScorecard.objects.filter(period=period), user)
        .filter(composite_score__isnull=False)
        .annotate(previous_score=Subquery(before, output_field=FloatField()))
        .filter(previous_score__isnull=False)
        .annotate(change=F("composite_score") - F("previous_score"))
        .filter(change__lt=0)
        .select_related("supplier")
        .order_by("change", "supplier__code")[:limit]
    )


def _usable_sources() -> Q:
    return Q(
        sources__is_active=True,
        sources__supplier__status__in=USABLE_STATUSES,
    )


def parts_single_sourced(*, user) -> QuerySet[Part]:
    """Parts with fewer than two usable sources (active, at an approved supplier)."""
    return (
        scope_for_user(Part.objects.all(), user)
        .annotate(usable_sources=Count("sources", filter=_usable_sources()))
        .filter(usable_sources__lt=2)
        .order_by("-is_critical", "number")
    )


def parts_one_region(*, user) -> QuerySet[Part]:
    """Parts with two or more usable sources that all sit in one region."""
    return (
        scope_for_user(Part.objects.all(), user)
        .annotate(
            usable_sources=Count("sources", filter=_usable_sources()),
            regions=Count("sources__supplier__region", filter=_usable_sources(), distinct=True),
        )
        .filter(usable_sources__gte=2, regions=1)
        .order_by("-is_critical", "number")
    )


def source_regions(*, part_ids: list[int]) -> dict[int, str]:
    """The one region of each listed part's usable sources (for the dashboard list)."""
    rows = (
        ApprovedSource.objects.filter(
            part_id__in=part_ids, is_active=True, supplier__status__in=USABLE_STATUSES
        )
        .values_list("part_id", "supplier__region")
        .distinct()
    )
    return dict(rows)
