from django.conf import settings

from dualsource.celery import app


def test_every_scheduled_message_task_is_registered():
    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"messaging.send_message_digests", "messaging.send_stale_notifications"} <= scheduled
    assert scheduled <= set(app.tasks)
    assert "messaging.send_message_notifications" in app.tasks
