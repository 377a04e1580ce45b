"""Supplier list and supplier page."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.db.models import F
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from accounts.access import internal_only, signed_in
from accounts.roles import user_is_internal
from accounts.selectors import user_supplier_id
from contracts.models import Contract
from core.pagination import page_of
from prediction.selectors import supplier_expected_otd
from scorecards import kpis
from scorecards.models import SupplierScorecard
from scorecards.selectors import (
    supplier_scorecard_current,
    supplier_scorecard_trend,
    suppliers_with_current_scores,
)
from suppliers.filters import SupplierFilter
from suppliers.selectors import esg_assessments_visible, visible_suppliers
from workspace import charts, slots
from workspace.selectors import (
    scorecard_template_for,
    supplier_contracts,
    supplier_open_lines_first,
    supplier_over_delivered_lines,
    supplier_sources_first,
)
from workspace.views.common import export, export_format
from workspace.views.qualification import qualification_context

SPARKLINE_MONTHS = 12
OPEN_LINES_SHOWN = 20
SOURCES_SHOWN = 50
SORTS = {
    "code": "code",
    "name": "name",
    "status": "status",
    "region": "region",
    "owner": "owner__username",
    "otd": "otd_pct",
    "otif": "otif_pct",
    "ppm": "defect_ppm",
    "lead": "lead_time_mean_days",
    "lci": "landed_cost_index",
    "score": "composite_score",
    "grade": "grade",
}
LIST_COLUMNS = [
    ("code", "text"),
    ("name", "text"),
    ("country", "text"),
    ("region", "text"),
    ("status", "text"),
    ("owner", "text"),
    ("otd_pct", "decimal"),
    ("otif_pct", "decimal"),
    ("lines_due", "integer"),
    ("defect_ppm", "decimal"),
    ("inspections_count", "integer"),
    ("lead_time_mean_days", "decimal"),
    ("receipts_count", "integer"),
    ("landed_cost_index", "decimal"),
    ("composite_score", "decimal"),
    ("grade", "text"),
    ("low_sample", "boolean"),
]


def _ordering(request) -> tuple[str, list]:
    """`?sort=score` or `?sort=-score`; empty figures sort last either way."""
    requested = request.GET.get("sort", "code")
    key = requested.lstrip("-")
    if key not in SORTS:
        requested, key = "code", "code"
    field = F(SORTS[key])
    order = field.desc(nulls_last=True) if requested.startswith("-") else field.asc(nulls_last=True)
    return requested, [order, "code"]


def _low_sample(row) -> bool:
    return any(
        kpis.is_low_sample(n or 0)
        for n in (row.lines_due, row.inspections_count, row.receipts_count)
    )


@internal_only
def supplier_list(request):
    suppliers = suppliers_with_current_scores(user=request.user).select_related("owner")
    filterset = SupplierFilter(request.GET, queryset=suppliers, request=request)
    sort, ordering = _ordering(request)
    rows = filterset.qs.order_by(*ordering)
    fmt = export_format(request)
    if fmt and filterset.is_valid():
        return export(
            fmt=fmt,
            name=f"suppliers-{timezone.localdate().isoformat()}",
            columns=LIST_COLUMNS,
            rows=(
                {
                    **{c: getattr(s, c) for c, _ in LIST_COLUMNS if hasattr(s, c)},
                    "owner": s.owner.username if s.owner else "",
                    "low_sample": _low_sample(s),
                }
                for s in rows.iterator(chunk_size=2000)
            ),
        )
    page = page_of(request, rows)
    _attach_sparklines(page.object_list)
    owners = (
        get_user_model()
        .objects.filter(owned_suppliers__isnull=False)
        .distinct()
        .order_by("username")
        .values_list("username", flat=True)
    )
    return render(
        request,
        "suppliers/supplier_list.html",
        {
            "filter": filterset,
            "page": page,
            "sort": sort,
            "owners": owners,
            "status_choices": SupplierFilter.base_filters["status"].extra["choices"],
            "grade_choices": SupplierFilter.base_filters["grade"].extra["choices"],
        },
    )


def _attach_sparklines(suppliers) -> None:
    """The last 12 monthly composite scores of the suppliers on the page, in one query."""
    suppliers = list(suppliers)
    first = kpis.period_of(timezone.localdate() - dt.timedelta(days=31 * SPARKLINE_MONTHS))
    by_supplier: dict[int, dict[str, float]] = {s.pk: {} for s in suppliers}
    rows = (
        SupplierScorecard.objects.filter(supplier_id__in=by_supplier, period__gte=first)
        .exclude(period=kpis.ROLLING_PERIOD)
        .values_list("supplier_id", "period", "composite_score")
    )
    periods = set()
    for supplier_id, period, score in rows:
        by_supplier[supplier_id][period] = score
        periods.add(period)
    ordered = sorted(periods)[-SPARKLINE_MONTHS:]
    for supplier in suppliers:
        supplier.low_sample = _low_sample(supplier)
        supplier.sparkline = [by_supplier[supplier.pk].get(p) for p in ordered]


def _targets(*, template, contract) -> dict:
    """Each KPI's target: the contract's where it sets one, else the scorecard template's."""
    criteria = template.criteria() if template is not None else kpis.DEFAULT_CRITERIA
    targets = {c.kpi: c.target for c in criteria}
    if contract is not None:
        targets["otd_pct"] = contract.otd_target_pct
        targets["defect_ppm"] = contract.defect_ppm_target
    targets["otif_pct"] = targets["otd_pct"]
    targets["composite_score"] = kpis.GRADE_BANDS[0][1]
    return targets


def _contract_in_force(contracts, today) -> Contract | None:
    for contract in contracts:  # newest first
        if contract.valid_from <= today and (
            contract.valid_to is None or contract.valid_to >= today
        ):
            return contract
    return None


TREND_CHARTS = (
    ("otd_pct", "OTD %", "%"),
    ("otif_pct", "OTIF %", "%"),
    ("defect_ppm", "Defects PPM", "PPM"),
    ("lead_time_mean_days", "Mean lead time", "days"),
    ("landed_cost_index", "Landed cost index", "index"),
    ("composite_score", "Score", "0–100"),
)


def _trend_charts(*, trend, targets: dict) -> list:
    periods = [row.period for row in trend]
    return [
        charts.to_json(
            charts.kpi_trend(
                periods=periods,
                values=[getattr(row, kpi) for row in trend],
                title=title,
                target=targets.get(kpi),
                unit=unit,
            )
        )
        for kpi, title, unit in TREND_CHARTS
    ]


def _criteria_rows(*, template, current) -> list[dict]:
    """Each criterion of the template with the current value and its score."""
    criteria = []
    for setting in template.criteria() if template is not None else kpis.DEFAULT_CRITERIA:
        value = getattr(current, setting.kpi) if current is not None else None
        criteria.append(
            {
                "kpi": setting.kpi,
                "value": value,
                "floor": setting.floor,
                "target": setting.target,
                "weight": setting.weight,
                "score": kpis.criterion_score(value, setting.floor, setting.target),
            }
        )
    return criteria


def _internal_context(*, supplier, user, today) -> dict:
    """Risk, ESG and qualification: internal only, a contact's page never computes them."""
    return {
        "expected_otd": supplier_expected_otd(supplier_id=supplier.pk),
        "esg_history": list(esg_assessments_visible(user=user, supplier_id=supplier.pk)),
        **qualification_context(supplier=supplier, user=user, today=today),
    }


@signed_in
def supplier_detail(request, code: str):
    user = request.user
    supplier = get_object_or_404(
        visible_suppliers(user).select_related("owner", "primary_contact__user"),
        code=code,
    )
    is_internal = user_is_internal(user)
    current = supplier_scorecard_current(user=user, supplier_id=supplier.pk)
    trend = supplier_scorecard_trend(user=user, supplier_id=supplier.pk, months=24)
    contracts = supplier_contracts(user=user, supplier=supplier)
    today = timezone.localdate()
    contract = _contract_in_force(contracts, today)
    template = scorecard_template_for(current=current)
    targets = _targets(template=template, contract=contract)
    sources = supplier_sources_first(user=user, supplier=supplier, limit=SOURCES_SHOWN)
    shown_lines = supplier_open_lines_first(user=user, supplier=supplier, limit=OPEN_LINES_SHOWN)
    context = {
        "over_delivered": supplier_over_delivered_lines(
            user=user, supplier=supplier, limit=OPEN_LINES_SHOWN
        ),
        "supplier": supplier,
        "current": current,
        "trend": list(reversed(trend)),
        "trend_charts": _trend_charts(trend=trend, targets=targets),
        "criteria": _criteria_rows(template=template, current=current),
        "template": template,
        "contract": contract,
        "contracts": contracts,
        "sources": sources[:SOURCES_SHOWN],
        "more_sources": len(sources) > SOURCES_SHOWN,
        "open_lines": shown_lines[:OPEN_LINES_SHOWN],
        "more_open_lines": len(shown_lines) > OPEN_LINES_SHOWN,
        "today": today,
        "is_own_supplier": user_supplier_id(user) == supplier.pk,
        "rolling": kpis.ROLLING_PERIOD,
        "rolling_days": kpis.ROLLING_WINDOW_DAYS,
        "slots": [
            slots.open_alerts_by_severity(user=user, supplier_id=supplier.pk),
            slots.supplier_messages(user=user, supplier_id=supplier.pk),
        ],
        "show_internal": is_internal,
        "expected_otd": None,
        "esg_history": [],
    }
    if is_internal:
        context.update(_internal_context(supplier=supplier, user=user, today=today))
    return render(request, "suppliers/supplier_detail.html", context)
