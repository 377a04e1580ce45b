"""Buyer pages over suppliers and parts. Every queryset comes from a scoped selector (SPEC §1)."""

import json

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render

from accounts.roles import INTERNAL_ROLES, user_role
from accounts.selectors import scope_for_user, user_supplier_id
from parts.models import Part
from scorecards import kpis
from scorecards.selectors import (
    part_sources_compared,
    supplier_scorecard_current,
    supplier_scorecard_trend,
    suppliers_with_current_scores,
)
from suppliers.filters import SupplierFilter
from suppliers.selectors import visible_suppliers

PAGE_SIZE = 50


@login_required
def home(request):
    """Buyers land on the supplier list; a supplier contact on its own supplier's page."""
    if user_role(request.user) in INTERNAL_ROLES:
        return redirect("suppliers:list")
    supplier = visible_suppliers(request.user).first()
    if supplier is None:
        return render(request, "suppliers/no_access.html", status=403)
    return redirect("suppliers:detail", code=supplier.code)


@login_required
def supplier_list(request):
    suppliers = suppliers_with_current_scores(user=request.user).select_related("owner")
    filterset = SupplierFilter(request.GET, queryset=suppliers, request=request)
    page = Paginator(filterset.qs.order_by("code"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "suppliers/supplier_list.html",
        {"filter": filterset, "page": page, "query": query.urlencode()},
    )


@login_required
def supplier_detail(request, code: str):
    supplier = get_object_or_404(
        visible_suppliers(request.user).select_related("owner", "primary_contact__user"),
        code=code,
    )
    current = supplier_scorecard_current(user=request.user, supplier_id=supplier.pk)
    trend = supplier_scorecard_trend(user=request.user, supplier_id=supplier.pk)
    sources = scope_for_user(supplier.sources.select_related("part"), request.user).order_by(
        "part__number"
    )
    contracts = scope_for_user(supplier.contracts.all(), request.user).order_by("-valid_from")
    return render(
        request,
        "suppliers/supplier_detail.html",
        {
            "supplier": supplier,
            "current": current,
            "trend": trend,
            "trend_json": json.dumps(_trend_series(trend, current)),
            "sources": sources,
            "contracts": contracts,
            "is_own_supplier": user_supplier_id(request.user) == supplier.pk,
            "rolling_days": kpis.ROLLING_WINDOW_DAYS,
        },
    )


def _trend_series(trend, current) -> dict:
    """Monthly figures for the plotly chart; nulls stay gaps, never zeros."""
    targets = {c.kpi: float(c.default_target) for c in kpis.CRITERIA}
    template = current.template if current is not None else None
    if template is not None:
        targets = {c.kpi: float(c.target) for c in template.criteria()}

    def column(name):
        return [None if getattr(row, name) is None else float(getattr(row, name)) for row in trend]

    return {
        "periods": [row.period for row in trend],
        "otd_pct": column("otd_pct"),
        "otif_pct": column("otif_pct"),
        "defect_ppm": column("defect_ppm"),
        "composite_score": column("composite_score"),
        "targets": {
            "otd_pct": targets["otd_pct"],
            "defect_ppm": targets["defect_ppm"],
            "composite_score": kpis.GRADE_BANDS[0][1],
        },
    }


@login_required
def part_detail(request, number: str):
    part = get_object_or_404(scope_for_user(Part.objects.all(), request.user), number=number)
    sources = part_sources_compared(user=request.user, part_id=part.pk)
    return render(
        request,
        "parts/part_detail.html",
        {
            "part": part,
            "sources": sources,
            "single_sourced": len(sources) < 2,
            "checklist": part.checklist.all(),
            "rolling_days": kpis.ROLLING_WINDOW_DAYS,
        },
    )
