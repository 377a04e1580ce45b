"""Scorecard reads for pages and the API, always scoped to what the user may see."""

from django.db.models import QuerySet

from scorecards import kpis
from scorecards.models import PartScorecard, SupplierScorecard
from suppliers.selectors import scope_for_user


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
