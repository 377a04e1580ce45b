"""The rows behind a KPI figure: lines due, receipts, inspections (docs/kpis.md).

`?period=` (YYYY-MM or rolling-90, default rolling-90), `?supplier=` (code) and `?part=`
(number) name the figure; the other filters of the same FilterSet as the API narrow the
list. `?format=csv|xlsx` exports every row of the filtered list. Supplier contacts see
their own rows only (scope_for_user); another supplier's code is a 404.
"""

from django import forms
from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.utils.http import urlencode

from accounts.access import signed_in
from accounts.selectors import user_supplier_id
from core.chunks import chunked
from core.pagination import page_of
from purchasing.filters import InspectionFilter, PurchaseOrderLineFilter, ReceiptFilter
from scorecards import drilldown, kpis
from workspace.selectors import scorecard_stored_population
from workspace.views.common import export, export_format

LINE_COLUMNS = [
    ("supplier", "text"),
    ("purchase_order", "text"),
    ("line", "integer"),
    ("part", "text"),
    ("ordered_quantity", "decimal"),
    ("promised_date", "date"),
    ("window_from", "date"),
    ("window_to", "date"),
    ("received_quantity", "decimal"),
    ("on_time_quantity", "decimal"),
    ("in_full", "boolean"),
    ("status", "text"),
]
RECEIPT_COLUMNS = [
    ("receipt", "text"),
    ("supplier", "text"),
    ("purchase_order", "text"),
    ("line", "integer"),
    ("part", "text"),
    ("order_date", "date"),
    ("receipt_date", "date"),
    ("lead_time_days", "integer"),
    ("quantity", "decimal"),
    ("unit_price", "decimal"),
    ("currency", "text"),
    ("freight_duty_other", "decimal"),
    ("cost_currency", "text"),
    (f"landed_unit_cost_{settings.BASE_CURRENCY.lower()}", "decimal"),
]
INSPECTION_COLUMNS = [
    ("inspection_date", "date"),
    ("receipt", "text"),
    ("supplier", "text"),
    ("purchase_order", "text"),
    ("part", "text"),
    ("inspected_quantity", "decimal"),
    ("defective_quantity", "decimal"),
    ("defect_codes", "list"),
    ("disposition", "text"),
]


def _line_row(line) -> dict:
    return {
        "supplier": line.purchase_order.supplier.code,
        "purchase_order": line.purchase_order.number,
        "line": line.line_number,
        "part": line.part.number,
        "ordered_quantity": line.quantity,
        "promised_date": line.promised_date,
        "window_from": line.window_from,
        "window_to": line.window_to,
        "received_quantity": line.received_quantity,
        "on_time_quantity": line.on_time_quantity,
        "in_full": line.is_in_full,
        "status": line.status,
    }


def _receipt_row(receipt) -> dict:
    line = receipt.line
    return {
        "receipt": receipt.number,
        "supplier": line.purchase_order.supplier.code,
        "purchase_order": line.purchase_order.number,
        "line": line.line_number,
        "part": line.part.number,
        "order_date": line.purchase_order.order_date,
        "receipt_date": receipt.receipt_date,
        "lead_time_days": receipt.lead_time_days,
        "quantity": receipt.quantity,
        "unit_price": line.unit_price,
        "currency": line.purchase_order.currency,
        "freight_duty_other": receipt.extra_costs,
        "cost_currency": receipt.cost_currency,
        RECEIPT_COLUMNS[-1][0]: receipt.landed_unit_cost,
    }


def _inspection_row(inspection) -> dict:
    line = inspection.receipt.line
    return {
        "inspection_date": inspection.inspection_date,
        "receipt": inspection.receipt.number,
        "supplier": line.purchase_order.supplier.code,
        "purchase_order": line.purchase_order.number,
        "part": line.part.number,
        "inspected_quantity": inspection.inspected_quantity,
        "defective_quantity": inspection.defective_quantity,
        "defect_codes": inspection.defect_codes,
        "disposition": inspection.disposition,
    }


KINDS = {
    "lines": {
        "title": "Lines due",
        "figures": "OTD % and OTIF %",
        "filterset": PurchaseOrderLineFilter,
        "population": drilldown.lines_due,
        "enrich": drilldown.lines_with_on_time,
        "columns": LINE_COLUMNS,
        "row": _line_row,
        "stored_count": "lines_due",
        "template": "workspace/drilldown/lines.html",
    },
    "receipts": {
        "title": "Receipts",
        "figures": "lead time and landed cost",
        "filterset": ReceiptFilter,
        "population": drilldown.receipts_in,
        "enrich": drilldown.receipts_with_landed_cost,
        "columns": RECEIPT_COLUMNS,
        "row": _receipt_row,
        "stored_count": "receipts_count",
        "template": "workspace/drilldown/receipts.html",
    },
    "inspections": {
        "title": "Inspections",
        "figures": "defects PPM",
        "filterset": InspectionFilter,
        "population": drilldown.inspections_in,
        "enrich": list,
        "columns": INSPECTION_COLUMNS,
        "row": _inspection_row,
        "stored_count": "inspections_count",
        "template": "workspace/drilldown/inspections.html",
    },
}


def _narrowed(form) -> bool:
    """Filters beyond the figure's own supplier and part narrow the population."""
    return any(
        value not in (None, "", [], ())
        and not (isinstance(value, slice) and value.start is None and value.stop is None)
        for name, value in form.cleaned_data.items()
        if name not in ("supplier", "part")
    )


def _filterset(request, spec):
    filterset = spec["filterset"](request.GET, queryset=None, request=request)
    for field in filterset.form.fields.values():
        if isinstance(field, forms.ModelChoiceField):
            # A code to type, not a list of every supplier or part of the portfolio.
            field.widget = forms.TextInput(attrs={"placeholder": field.label})
    return filterset


def _export(*, kind: str, spec, rows, fmt: str, supplier, period: str):
    """Every row of the filtered list, enriched chunk by chunk, as CSV or Excel."""
    name = f"{kind}-{supplier.code if supplier else 'all'}-{period}"

    def all_rows():
        for chunk in chunked(rows):
            for obj in spec["enrich"](chunk):
                yield spec["row"](obj)

    return export(fmt=fmt, name=name, columns=spec["columns"], rows=all_rows())


def _base_context(request, *, kind: str, spec, filterset, period: str, supplier, part) -> dict:
    """What every state of the page shows: the figure named and the filters."""
    return {
        "kind": kind,
        "spec": spec,
        "filter": filterset,
        "period": period,
        "keep": [("period", period)],
        # Clearing the filters keeps the figure: its period, supplier and part.
        "clear_query": urlencode(
            {k: request.GET[k] for k in ("period", "supplier", "part") if request.GET.get(k)}
        ),
        "supplier": supplier,
        "part": part,
        "base_currency": settings.BASE_CURRENCY,
        "window": None,
        "page": None,
    }


@signed_in
def rows_behind(request, kind: str):
    spec = KINDS[kind]
    period = request.GET.get("period") or kpis.ROLLING_PERIOD
    filterset = _filterset(request, spec)
    form = filterset.form
    valid = form.is_valid()
    if "supplier" in form.errors or "part" in form.errors:
        raise Http404("No such supplier or part.")  # unknown, or another supplier's
    supplier = form.cleaned_data.get("supplier") if valid else None
    part = form.cleaned_data.get("part") if valid else None
    own_supplier_id = user_supplier_id(request.user)
    supplier_id = supplier.pk if supplier is not None else own_supplier_id
    context = _base_context(
        request,
        kind=kind,
        spec=spec,
        filterset=filterset,
        period=period,
        supplier=supplier,
        part=part,
    )
    try:
        window = drilldown.drilldown_window(period=period, supplier_id=supplier_id)
    except ValueError as exc:
        context["period_error"] = str(exc)
        return render(request, spec["template"], context, status=400)
    if not valid:
        return render(request, spec["template"], context, status=400)
    if window is None:
        return render(request, spec["template"], context)
    filterset.queryset = spec["population"](
        user=request.user,
        window=window,
        supplier_id=supplier.pk if supplier is not None else None,
        part_id=part.pk if part is not None else None,
    )
    rows = filterset.qs
    fmt = export_format(request)
    if fmt:
        return _export(kind=kind, spec=spec, rows=rows, fmt=fmt, supplier=supplier, period=period)
    stored, population = scorecard_stored_population(
        user=request.user,
        supplier=supplier,
        part=part,
        period=period,
        count_field=spec["stored_count"],
    )
    narrowed = _narrowed(form)
    page = page_of(request, rows, count=None if narrowed else population)
    page.object_list = spec["enrich"](page.object_list)
    context.update(
        window=window,
        page=page,
        stored=stored,
        stored_count=spec["stored_count"],
        narrowed=narrowed,
    )
    return render(request, spec["template"], context)
