"""Imports run as background jobs with progress, and every run is kept in the history."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from imports.jobs import import_job_run
from imports.models import FileJob
from suppliers.models import Supplier

pytestmark = pytest.mark.django_db

SUPPLIERS = "code,name,country,currency\nCAST,Castings,DE,EUR\nFORG,Forge,PL,PLN\n"
BAD = "code,name,country,currency\nCAST,Castings,XX,EUR\n"


def _upload(client, content, *, name="suppliers.csv", **extra):
    return client.post(
        "/imports/",
        {"kind": "suppliers", "file": SimpleUploadedFile(name, content.encode()), **extra},
    )


def test_an_upload_is_queued_and_the_page_follows_its_progress(
    client_for, buyer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        response = _upload(client_for(buyer), SUPPLIERS)
    job = FileJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/imports/jobs/{job.pk}/"
    assert len(queued) == 1  # the worker is asked once the upload is saved
    assert job.state == "queued" and not Supplier.objects.filter(code="CAST").exists()
    page = client_for(buyer).get(f"/imports/jobs/{job.pk}/").content.decode()
    assert 'id="job-bar"' in page and 'hx-trigger="every 1s"' in page

    import_job_run(job_id=job.pk)
    fragment = client_for(buyer).get(f"/imports/jobs/{job.pk}/", HTTP_HX_REQUEST="true")
    html = fragment.content.decode()
    assert "Imported 2 rows." in html and "hx-trigger" not in html  # polling stops
    assert "<html" not in html  # only the part htmx swaps in
    assert Supplier.objects.filter(code__in=["CAST", "FORG"]).count() == 2


def test_a_job_runs_once_even_when_two_workers_get_it(buyer):
    from imports.jobs import import_job_create

    job = import_job_create(
        kind="suppliers", content=SUPPLIERS.encode(), filename="s.csv", user=buyer
    )
    assert import_job_run(job_id=job.pk).state == "succeeded"
    assert import_job_run(job_id=job.pk) is None
    assert Supplier.objects.filter(code="CAST").count() == 1


def test_a_bad_file_imports_nothing_and_keeps_its_report(buyer):
    from imports.jobs import import_job_create

    job = import_job_create(kind="suppliers", content=BAD.encode(), filename="bad.csv", user=buyer)
    job = import_job_run(job_id=job.pk)
    assert job.state == "failed" and job.outcome == "Nothing was imported."
    assert job.error_count == 1 and job.errors[0]["row"] == 2
    assert job.errors[0]["column"] == "country"
    assert not Supplier.objects.filter(code="CAST").exists()


def test_a_100000_row_file_is_queued_without_being_read_in_the_request(
    client_for, buyer, django_capture_on_commit_callbacks
):
    rows = "".join(f"S{n:06d},Supplier {n},DE,EUR\n" for n in range(100_000))
    with django_capture_on_commit_callbacks():
        response = _upload(client_for(buyer), "code,name,country,currency\n" + rows)
    assert response.status_code == 302
    job = FileJob.objects.get()
    assert job.state == "queued" and job.rows == 0 and Supplier.objects.count() == 0


def test_the_history_says_who_when_what_rows_errors_and_outcome(buyer, viewer, client_for):
    from imports.jobs import import_job_create

    for content, name in ((SUPPLIERS, "good.csv"), (BAD, "bad.csv")):
        job = import_job_create(
            kind="suppliers", content=content.encode(), filename=name, user=buyer
        )
        import_job_run(job_id=job.pk)
    page = client_for(viewer).get("/imports/history/").content.decode()  # viewers read it
    assert "good.csv" in page and "Imported 2 rows." in page
    assert "bad.csv" in page and "Nothing was imported." in page
    assert page.count("<td>buyer</td>") == 2
    job = FileJob.objects.get(filename="bad.csv")
    assert client_for(viewer).get(f"/imports/jobs/{job.pk}/").status_code == 200
    assert client_for(viewer).get("/imports/").status_code == 403  # but import nothing


def test_contacts_never_see_the_import_history(client_for, contact_a, buyer):
    from imports.jobs import import_job_create

    job = import_job_create(
        kind="suppliers", content=SUPPLIERS.encode(), filename="s.csv", user=buyer
    )
    assert client_for(contact_a).get("/imports/history/").status_code == 403
    assert client_for(contact_a).get(f"/imports/jobs/{job.pk}/").status_code == 404
    assert client_for(contact_a).get(f"/imports/jobs/{job.pk}/file/").status_code == 404


def test_a_large_excel_export_is_built_by_a_worker_and_then_downloaded(
    client_for, contact_a, supplier_a, settings, django_capture_on_commit_callbacks
):
    import io

    from openpyxl import load_workbook

    import imports.tasks  # noqa: F401  (registers the task queued by name)
    from core import exports
    from tests.factories import PurchaseOrderFactory

    settings.CELERY_TASK_ALWAYS_EAGER = True
    for n in range(4):
        PurchaseOrderFactory(number=f"PO-BIG-{n}", supplier=supplier_a)
    PurchaseOrderFactory(number="PO-OTHER")  # another supplier's: never in the file
    client = client_for(contact_a)
    exports.BACKGROUND_ROWS, before = 3, exports.BACKGROUND_ROWS
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.get("/exports/purchase-orders.xlsx")
    finally:
        exports.BACKGROUND_ROWS = before
    assert response.status_code == 302
    job = FileJob.objects.get(direction="export")
    assert response["Location"] == f"/imports/jobs/{job.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Your file is ready." in page and f"/imports/jobs/{job.pk}/file/" in page
    download = client.get(f"/imports/jobs/{job.pk}/file/")
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).worksheets[0]
    numbers = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert numbers == {f"PO-BIG-{n}" for n in range(4)}


def test_an_export_job_is_its_requesters_alone(client_for, buyer, viewer):
    from imports.jobs import export_job_create

    job = export_job_create(user=buyer, resource="parts", fmt="xlsx", query="")
    assert client_for(buyer).get(f"/imports/jobs/{job.pk}/").status_code == 200
    assert client_for(viewer).get(f"/imports/jobs/{job.pk}/").status_code == 404


def test_imports_from_the_command_line_are_in_the_history_too(tmp_path, buyer):
    from django.core.management import call_command

    path = tmp_path / "cli.csv"
    path.write_text(SUPPLIERS)
    call_command("import_data", "suppliers", str(path), "--user", "buyer")
    job = FileJob.objects.get()
    assert (job.filename, job.user, job.rows, job.outcome) == (
        "cli.csv",
        buyer,
        2,
        "Imported 2 rows.",
    )
