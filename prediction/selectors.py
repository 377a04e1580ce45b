"""Reads of the late-risk figures. All internal: callers show them to buyers and viewers
only (a supplier contact sees no risk anywhere)."""

import datetime as dt

from django.conf import settings
from django.db.models import Count, F, FloatField, Max, QuerySet, Sum
from django.db.models.functions import Cast

from accounts.selectors import scope_for_user
from prediction.models import LineRisk, PredictionModel
from purchasing.models import PurchaseOrderLine

PREDICTED_OTD_DAYS = 30
ALERT_WITHIN_DAYS = 21


def risk_alert_threshold() -> float:
    """`late_risk` from which an open line without ship notice is alerted (0–1)."""
    return settings.LATE_RISK_ALERT_PCT / 100


def model_current() -> PredictionModel | None:
    """The latest trained model: the product uses it, or its baseline, as it recorded."""
    return PredictionModel.objects.defer("model_bytes").order_by("-version").first()


def _expected_otd(risks: QuerySet) -> dict:
    weighted = Cast(F("line__quantity"), FloatField())
    totals = risks.aggregate(
        ordered=Sum(weighted),
        on_time=Sum(weighted * (1.0 - F("late_risk"))),
        lines=Count("line_id"),
        scored_at=Max("scored_at"),
    )
    pct = None
    if totals["ordered"]:
        pct = 100.0 * totals["on_time"] / totals["ordered"]
    return {"pct": pct, "lines": totals["lines"] or 0, "scored_at": totals["scored_at"]}


def supplier_expected_otd(*, supplier_id: int) -> dict:
    """Expected OTD % of the supplier's open lines: quantity-weighted 1 − late_risk."""
    return _expected_otd(
        LineRisk.objects.filter(
            line__purchase_order__supplier_id=supplier_id,
            line__status=PurchaseOrderLine.Status.OPEN,
        )
    )


def predicted_otd_by_supplier(*, supplier_ids, as_of: dt.date) -> dict[int, dict]:
    """Per supplier, the expected OTD % of its open lines promised in the next 30 days
    (from `as_of`), with the number of lines and when they were scored."""
    until = as_of + dt.timedelta(days=PREDICTED_OTD_DAYS)
    rows = (
        LineRisk.objects.filter(
            line__purchase_order__supplier_id__in=sorted(supplier_ids),
            line__status=PurchaseOrderLine.Status.OPEN,
            line__promised_date__gte=as_of,
            line__promised_date__lte=until,
        )
        .values("line__purchase_order__supplier_id")
        .annotate(
            ordered=Sum(Cast(F("line__quantity"), FloatField())),
            on_time=Sum(Cast(F("line__quantity"), FloatField()) * (1.0 - F("late_risk"))),
            lines=Count("line_id"),
            scored_at=Max("scored_at"),
        )
    )
    return {
        row["line__purchase_order__supplier_id"]: {
            "pct": 100.0 * row["on_time"] / row["ordered"] if row["ordered"] else None,
            "lines": row["lines"],
            "scored_at": row["scored_at"],
        }
        for row in rows
    }


def lines_with_risk(*, user) -> QuerySet[PurchaseOrderLine]:
    """Open lines with their risk, for buyers' lists (contacts get none: risk is internal)."""
    lines = scope_for_user(
        PurchaseOrderLine.objects.filter(status=PurchaseOrderLine.Status.OPEN), user
    )
    return (
        scope_for_user(LineRisk.objects.all(), user)
        .filter(line__in=lines)
        .select_related("line__purchase_order__supplier", "line__part")
    )
