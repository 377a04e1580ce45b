from django.urls import path

from planning import views

app_name = "planning"

urlpatterns = [
    path("planning/suggestions/", views.suggestions, name="suggestions"),
    path("planning/suggestions/release/", views.release, name="release"),
    path("planning/parts/<str:part_number>/", views.part_planning, name="part"),
]
