from django.urls import path

from suppliers import views

app_name = "certificates"
urlpatterns = [
    path("certificates/<int:pk>/document/", views.certificate_document, name="document"),
]
