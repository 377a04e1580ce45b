from django.urls import path

from suppliers import views

urlpatterns = [
    path("", views.home, name="home"),
]
