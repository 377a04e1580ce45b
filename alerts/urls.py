from django.urls import path

from alerts import views

app_name = "alerts"
urlpatterns = [
    path("alerts/", views.inbox, name="inbox"),
    path("alerts/actions/", views.bulk_action, name="bulk-action"),
    path("alerts/<int:pk>/", views.detail, name="detail"),
    path("alerts/<int:pk>/notes/", views.note_add, name="note"),
    path("account/notifications/", views.notifications, name="notifications"),
]
