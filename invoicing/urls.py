from django.urls import path

from invoicing import views

app_name = "invoicing"

urlpatterns = [
    path("invoices/", views.invoice_list_page, name="list"),
    path("invoices/new/", views.invoice_new, name="new"),
    path("invoices/<int:pk>/", views.invoice_detail, name="detail"),
    path("invoices/<int:pk>/decide/", views.invoice_decide, name="decide"),
]
