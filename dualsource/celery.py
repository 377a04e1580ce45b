import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dualsource.settings")

app = Celery("dualsource")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="dualsource.ping")
def ping() -> str:
    """Round-trip check used by health checks and the worker test."""
    return "pong"
