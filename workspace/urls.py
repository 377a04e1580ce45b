"""The buyer's pages. URL names keep the namespace of the object they show."""

from django.urls import include, path

from workspace import views

supplier_patterns = [
    path("suppliers/", views.supplier_list, name="list"),
    path("suppliers/<str:code>/", views.supplier_detail, name="detail"),
]
part_patterns = [
    path("parts/<str:number>/", views.part_detail, name="detail"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("", include((supplier_patterns, "suppliers"))),
    path("", include((part_patterns, "parts"))),
]
