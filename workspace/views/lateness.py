"""Late-delivery risk pages for buyers and viewers: open lines at risk, and the model."""

from django.db.models import F
from django.shortcuts import render
from django.utils import timezone

from accounts.access import internal_only
from core.pagination import page_of
from prediction.models import PredictionModel
from prediction.selectors import lines_with_risk, model_current, risk_alert_threshold
from workspace import risk_charts

SORTS = {
    "risk": (F("late_risk").desc(), "line__promised_date"),
    "-risk": ("late_risk", "line__promised_date"),
    "promised": ("line__promised_date", F("late_risk").desc()),
    "-promised": ("-line__promised_date", F("late_risk").desc()),
    "days": (F("expected_days_late").desc(), "line__promised_date"),
    "supplier": ("line__purchase_order__supplier__code", F("late_risk").desc()),
}


def _float(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


@internal_only
def lines_at_risk(request):
    """Open lines with their late risk, riskiest first; filter by supplier, part, minimum
    risk (percent) and "at risk only" (the alert threshold)."""
    risks = lines_with_risk(user=request.user)
    supplier = request.GET.get("supplier", "").strip()
    part = request.GET.get("part", "").strip()
    minimum = _float(request.GET.get("min_risk"))
    if supplier:
        risks = risks.filter(line__purchase_order__supplier__code__iexact=supplier)
    if part:
        risks = risks.filter(line__part__number__iexact=part)
    if request.GET.get("at_risk") == "1":
        risks = risks.filter(late_risk__gte=risk_alert_threshold())
    if minimum is not None:
        risks = risks.filter(late_risk__gte=minimum / 100)
    sort = request.GET.get("sort", "risk")
    risks = risks.order_by(*SORTS.get(sort, SORTS["risk"]), "line_id")
    return render(
        request,
        "prediction/lines_at_risk.html",
        {
            "page": page_of(request, risks),
            "sort": sort if sort in SORTS else "risk",
            # A second click on a sorted column reverses it.
            "next_sort": {
                "risk": "-risk" if sort == "risk" else "risk",
                "promised": "-promised" if sort == "promised" else "promised",
            },
            "model": model_current(),
            "threshold_pct": round(risk_alert_threshold() * 100),
            "today": timezone.localdate(),
        },
    )


@internal_only
def model_page(request):
    """The model in use against the baseline: backtest figures, reliability, importances."""
    model = model_current()
    metrics = model.metrics if model is not None else {}
    history = list(
        PredictionModel.objects.defer("model_bytes", "metrics").order_by("-version")[:10]
    )
    importances = list(metrics.get("importances", {}).items())[:15]
    return render(
        request,
        "prediction/model.html",
        {
            "model": model,
            "months": metrics.get("months", []),
            "importances": importances,
            "history": history,
            "reliability": risk_charts.to_json(
                risk_charts.reliability(metrics.get("reliability", {}))
            ),
            "threshold_pct": round(risk_alert_threshold() * 100),
        },
    )
