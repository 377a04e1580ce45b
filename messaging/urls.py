from django.urls import path

from messaging import views

app_name = "messaging"
urlpatterns = [
    path("messages/", views.thread_list, name="thread_list"),
    path("messages/new/", views.thread_new, name="thread_new"),
    path("messages/<int:pk>/", views.thread_detail, name="thread_detail"),
]
