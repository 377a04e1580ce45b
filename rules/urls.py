from django.urls import path

from rules import views

app_name = "rules"

urlpatterns = [
    path("exceptions/", views.exception_queue, name="exceptions"),
    path("exceptions/<int:exception_id>/decide/", views.exception_decide, name="decide"),
    path("exceptions/decide/", views.exceptions_bulk_decide, name="bulk_decide"),
    path("allocations/split/", views.split_demand, name="split"),
]
