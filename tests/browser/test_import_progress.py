"""The import page follows a queued file's progress without reloading (htmx polling)."""

import pytest

from imports.jobs import import_job_run
from imports.models import FileJob
from suppliers.models import Supplier
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_progress_bar_fills_and_the_outcome_appears_when_the_worker_is_done(
    page, live_server, buyer, tmp_path, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "memory://"  # nothing runs the job until the test does
    csv = tmp_path / "suppliers.csv"
    csv.write_text("code,name,country,currency\nCAST,Castings,DE,EUR\nFORG,Forge,PL,PLN\n")
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "buyer")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/imports/")
    page.select_option("#id_kind", "suppliers")
    page.set_input_files("#id_file", str(csv))
    page.click("form.card button[type=submit]")
    page.wait_for_selector("#job-bar")
    assert "Waiting for a worker" in page.inner_text("#job-progress")
    assert page.get_attribute("#job-bar", "value") == "0"

    job = FileJob.objects.get()
    import_job_run(job_id=job.pk)  # the worker runs it; the open page polls for news
    page.locator("#job-progress", has_text="Imported 2 rows.").wait_for(timeout=10_000)
    assert page.get_attribute("#job-bar", "value") == "100"
    assert Supplier.objects.filter(code__in=["CAST", "FORG"]).count() == 2
