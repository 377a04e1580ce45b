"""Scorecard reads for pages and the API, always scoped to what the user may see."""

from django.db.models import F, FilteredRelation, Q, QuerySet

from accounts.selectors import scope_for_user
from parts.models import ApprovedSource
from scorecards import kpis
from scorecards.models import PartScorecard, SupplierScorecard
from suppliers.selectors import visible_suppliers


def supplier_scorecards_visible(*, user) -> QuerySet[SupplierScorecard]:
    return scope_for_user(
        SupplierScorecard.objects.select_related("supplier", "template"), user
    ).order_by("supplier__code", "-period")


def part_scorecards_visible(*, user) -> QuerySet[PartScorecard]:
    return scope_for_user(PartScorecard.objects.select_related("supplier", "part"), user).order_by(
        "part__number", "supplier__code", "-period"
    )


def supplier_scorecard_current(*, user, supplier_id: int) -> SupplierScorecard | None:
    """The rolling-90 scorecard: a supplier's figures as of the last recompute."""
    return (
        supplier_scorecards_visible(user=user)
        .filter(supplier_id=supplier_id, period=kpis.ROLLING_PERIOD)
        .first()
    )


def suppliers_with_current_scores(*, user, suppliers: QuerySet | None = None) -> QuerySet:
    """Visible suppliers with their rolling-90 figures as columns, in one query (list pages)."""
    queryset = suppliers if suppliers is not None else visible_suppliers(user)
    current = FilteredRelation("scorecards", condition=Q(scorecards__period=kpis.ROLLING_PERIOD))
    return queryset.annotate(current=current).annotate(
        **{
            name: F(f"current__{name}")
            for name in (
                "otd_pct",
                "otif_pct",
                "defect_ppm",
                "lead_time_mean_days",
                "landed_cost_index",
                "composite_score",
                "grade",
                "lines_due",
                "receipts_count",
                "inspections_count",
            )
        }
    )


def supplier_scorecard_trend(
    *, user, supplier_id: int, months: int = 24
) -> list[SupplierScorecard]:
    """The last `months` monthly scorecards of a supplier, oldest first (trend charts)."""
    rows = (
        supplier_scorecards_visible(user=user)
        .filter(supplier_id=supplier_id)
        .exclude(period=kpis.ROLLING_PERIOD)
        .order_by("-period")[:months]
    )
    return list(reversed(rows))


def part_sources_compared(*, user, part_id: int) -> list:
    """The part's visible sources with their rolling-90 part scorecards, side by side."""
    current = FilteredRelation(
        "supplier__part_scorecards",
        condition=Q(supplier__part_scorecards__part_id=part_id)
        & Q(supplier__part_scorecards__period=kpis.ROLLING_PERIOD),
    )
    return list(
        scope_for_user(ApprovedSource.objects.filter(part_id=part_id), user)
        .select_related("supplier")
        .annotate(current=current)
        .annotate(
            otd_pct=F("current__otd_pct"),
            defect_ppm=F("current__defect_ppm"),
            lead_time_mean_days=F("current__lead_time_mean_days"),
            landed_unit_cost=F("current__landed_unit_cost"),
            quantity_received=F("current__quantity_received"),
            lines_due=F("current__lines_due"),
            inspections_count=F("current__inspections_count"),
            receipts_count=F("current__receipts_count"),
        )
        .order_by("-target_share_pct", "supplier__code")
    )
