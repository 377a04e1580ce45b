from django.urls import path

from contracts import views

app_name = "contracts"

urlpatterns = [
    path("contracts/", views.contract_list_view, name="list"),
    path("contracts/new/", views.contract_create, name="create"),
    path("contracts/<str:reference>/", views.contract_detail, name="detail"),
    path("contracts/<str:reference>/edit/", views.contract_edit, name="edit"),
    path("contracts/<str:reference>/rules/new/", views.rule_edit, name="rule-create"),
    path("contracts/<str:reference>/rules/<int:rule_id>/", views.rule_edit, name="rule-edit"),
    path("contracts/<str:reference>/<str:kind>/new/", views.child_edit, name="child-create"),
    path(
        "contracts/<str:reference>/<str:kind>/<int:child_id>/", views.child_edit, name="child-edit"
    ),
    path(
        "contracts/<str:reference>/<str:kind>/<int:child_id>/delete/",
        views.child_delete,
        name="child-delete",
    ),
    path(
        "contracts/<str:reference>/history/<int:change_id>/restore/",
        views.child_restore,
        name="child-restore",
    ),
]
