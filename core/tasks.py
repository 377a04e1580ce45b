"""Queue a task by its name, so a lower layer never imports the app that runs it."""

from celery import current_app


def task_queue(name: str, *args) -> None:
    """Queue the task registered as `name` (eager mode and test doubles still apply).

    A process that has not imported the task (a script outside Django) falls back to
    `send_task`, which any worker that knows the name will run.
    """
    task = current_app.tasks.get(name)
    if task is None:
        # A web process imports task modules only when something imports them: load the
        # apps' `tasks` modules (Celery's autodiscovery) so eager mode and retries apply.
        current_app.loader.import_default_modules()
        task = current_app.tasks.get(name)
    if task is not None:
        task.delay(*args)
    else:
        current_app.send_task(name, args=args)
