"""The buyer's pages. URL names keep the namespace of the object they show."""

from django.urls import include, path

from workspace.views import dashboard, drilldown, editing, orders, parts, risk, suppliers

supplier_patterns = [
    path("suppliers/", suppliers.supplier_list, name="list"),
    path("suppliers/new/", editing.supplier_edit, name="create"),
    path("suppliers/<str:code>/", suppliers.supplier_detail, name="detail"),
    path("suppliers/<str:code>/edit/", editing.supplier_edit, name="edit"),
]
part_patterns = [
    path("parts/", parts.part_list, name="list"),
    path("parts/new/", editing.part_edit, name="create"),
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
drilldown_patterns = [
    path("kpi/lines/", drilldown.rows_behind, {"kind": "lines"}, name="lines"),
    path("kpi/receipts/", drilldown.rows_behind, {"kind": "receipts"}, name="receipts"),
    path("kpi/inspections/", drilldown.rows_behind, {"kind": "inspections"}, name="inspections"),
]

prediction_patterns = [
    path("prediction/", risk.model_page, name="model"),
    path("prediction/lines/", risk.lines_at_risk, name="lines"),
]

urlpatterns = [
    path("", dashboard.home, name="home"),
    path("", include((supplier_patterns, "suppliers"))),
    path("", include((part_patterns, "parts"))),
    path("", include((order_patterns, "orders"))),
    path("", include((drilldown_patterns, "drilldown"))),
    path("", include((prediction_patterns, "prediction"))),
]
