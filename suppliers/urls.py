from django.urls import path

from suppliers import views

app_name = "suppliers"

urlpatterns = [
    path("suppliers/", views.supplier_list, name="list"),
    path("suppliers/<str:code>/", views.supplier_detail, name="detail"),
]
