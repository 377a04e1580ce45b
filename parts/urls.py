from django.urls import path

from parts import views

app_name = "parts"

urlpatterns = [
    path("parts/<str:number>/", views.part_detail, name="detail"),
]
