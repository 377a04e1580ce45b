"""The buyer's pages. URL names keep the namespace of the object they show."""

from django.urls import include, path

from workspace.views import (
    dashboard,
    drilldown,
    editing,
    lateness,
    orders,
    parts,
    qualification,
    risk,
    stock,
    suppliers,
)

supplier_patterns = [
    path("suppliers/", suppliers.supplier_list, name="list"),
    path("suppliers/new/", editing.supplier_edit, name="create"),
    path("suppliers/requalification/", qualification.requalification_list, name="requalification"),
    path("suppliers/<str:code>/", suppliers.supplier_detail, name="detail"),
    path("suppliers/<str:code>/edit/", editing.supplier_edit, name="edit"),
    path(
        "suppliers/<str:code>/assessments/new/",
        qualification.assessment_edit,
        name="assessment_create",
    ),
    path(
        "suppliers/<str:code>/assessments/<int:pk>/",
        qualification.assessment_detail,
        name="assessment",
    ),
    path(
        "suppliers/<str:code>/assessments/<int:pk>/edit/",
        qualification.assessment_edit,
        name="assessment_edit",
    ),
]
part_patterns = [
    path("parts/", parts.part_list, name="list"),
    path("parts/new/", editing.part_edit, name="create"),
    path("parts/sourcing-risk/", risk.sourcing_risk_page, name="sourcing_risk"),
    path("parts/<str:number>/", parts.part_detail, name="detail"),
    path("parts/<str:number>/edit/", editing.part_edit, name="edit"),
    path("parts/<str:number>/sources/new/", editing.source_edit, name="source_create"),
    path("parts/<str:number>/sources/<str:code>/edit/", editing.source_edit, name="source_edit"),
]
order_patterns = [
    path("orders/", orders.order_list, name="list"),
    path("orders/new/", editing.order_create, name="create"),
    path("orders/<str:number>/", orders.order_detail, name="detail"),
]
inventory_patterns = [
    path("inventory/", stock.inventory_list, name="list"),
    path("inventory/rejects/", stock.reject_list, name="rejects"),
    path("inventory/<str:site_code>/<str:part_number>/", stock.stock_detail, name="detail"),
]
drilldown_patterns = [
    path("kpi/lines/", drilldown.rows_behind, {"kind": "lines"}, name="lines"),
    path("kpi/receipts/", drilldown.rows_behind, {"kind": "receipts"}, name="receipts"),
    path("kpi/inspections/", drilldown.rows_behind, {"kind": "inspections"}, name="inspections"),
]

prediction_patterns = [
    path("prediction/", lateness.model_page, name="model"),
    path("prediction/lines/", lateness.lines_at_risk, name="lines"),
]

urlpatterns = [
    path("", dashboard.home, name="home"),
    path("", include((supplier_patterns, "suppliers"))),
    path("", include((part_patterns, "parts"))),
    path("", include((order_patterns, "orders"))),
    path("", include((drilldown_patterns, "drilldown"))),
    path("", include((inventory_patterns, "inventory"))),
    path("", include((prediction_patterns, "prediction"))),
]
