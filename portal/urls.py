from django.urls import path

from portal import invoices, order_views, qualification_views, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("lines/", order_views.line_list, name="lines"),
    path("lines/acknowledge/", order_views.acknowledge, name="acknowledge"),
    path("lines/<int:pk>/", order_views.line_detail, name="line_detail"),
    path("ship-notices/", order_views.ship_notice_list, name="ship_notices"),
    path("ship-notices/new/", order_views.ship_notice_new, name="ship_notice_new"),
    path("ship-notices/<int:pk>/", order_views.ship_notice_detail, name="ship_notice_detail"),
    path("receipts/", views.receipt_list, name="receipts"),
    path("invoices/", invoices.invoices, name="invoices"),
    path("invoices/new/", invoices.invoice_new, name="invoice_new"),
    path("invoices/<int:pk>/", invoices.invoice_detail, name="invoice_detail"),
    path("inspections/", views.inspection_list, name="inspections"),
    path("scorecard/", views.scorecard, name="scorecard"),
    path("certificates/", views.certificate_list, name="certificates"),
    path("esg/", qualification_views.esg, name="esg"),
    path("qualification/", qualification_views.qualification, name="qualification"),
    path("account/", views.account, name="account"),
    path("colleagues/", views.colleagues, name="colleagues"),
    path(
        "colleagues/<int:pk>/deactivate/",
        views.colleague_deactivate,
        name="colleague_deactivate",
    ),
    path("invitations/<int:pk>/withdraw/", views.invitation_withdraw, name="invitation_withdraw"),
    path("invitation/<str:token>/", views.invitation_accept_view, name="invitation_accept"),
]
