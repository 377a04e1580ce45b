from django.urls import path, re_path

from imports import views

app_name = "imports"

urlpatterns = [
    path("imports/", views.import_home, name="home"),
    path("imports/history/", views.import_history, name="history"),
    path("imports/jobs/<int:job_id>/", views.job_detail, name="job"),
    path("imports/jobs/<int:job_id>/file/", views.job_download, name="job-file"),
    re_path(
        r"^imports/templates/(?P<kind>[a-z_]+)\.(?P<fmt>csv|xlsx)$",
        views.import_template,
        name="template",
    ),
    path("exports/", views.export_home, name="exports"),
    re_path(
        r"^exports/(?P<resource>[a-z0-9-]+)\.(?P<fmt>csv|xlsx)$",
        views.export_resource,
        name="export",
    ),
]
