import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from suppliers.models import Certificate

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CERTIFICATE_MAX_BYTES = 1024


def _upload(client, content=PDF, name="iso.pdf", **fields):
    data = {
        "kind": "iso_9001",
        "number": "Q-123",
        "issued_by": "TÜV",
        "valid_until": "2027-06-30",
        "document": SimpleUploadedFile(name, content, content_type="application/pdf"),
        **fields,
    }
    return client.post("/portal/certificates/", data)


def test_a_pdf_is_stored_privately_and_downloaded_as_an_attachment(portal_a, settings):
    assert _upload(portal_a).status_code == 302
    certificate = Certificate.objects.get(number="Q-123")
    assert certificate.supplier.code == "ACME"
    assert certificate.document_content_type == "application/pdf"
    stored = settings.MEDIA_ROOT / certificate.document.name
    assert stored.read_bytes() == PDF
    assert "iso" not in certificate.document.name  # the uploader's name is never the path
    assert not str(stored).startswith(str(settings.STATIC_ROOT))
    response = portal_a.get(f"/certificates/{certificate.pk}/document/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="iso.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF
    # Nothing serves the media folder directly.
    assert portal_a.get(f"/media/{certificate.document.name}").status_code == 404


def test_images_are_accepted_by_their_bytes(portal_a):
    assert _upload(portal_a, PNG, name="scan.png").status_code == 302
    assert Certificate.objects.get().document_content_type == "image/png"


def test_a_file_that_is_not_a_pdf_or_image_is_refused_whatever_its_name(portal_a):
    response = _upload(portal_a, b"<html><script>alert(1)</script>", name="evil.pdf")
    assert response.status_code == 400
    assert b"Upload a PDF, PNG or JPEG file." in response.content
    assert not Certificate.objects.exists()


def test_a_file_over_the_size_limit_is_refused(portal_a):
    response = _upload(portal_a, PDF + b"0" * 2000)
    assert response.status_code == 400
    assert b"the limit is 1,024 bytes" in response.content
    assert not Certificate.objects.exists()


def test_a_duplicate_number_is_a_form_error_and_leaves_no_file(portal_a, settings):
    assert _upload(portal_a).status_code == 302
    response = _upload(portal_a)
    assert response.status_code == 400
    assert Certificate.objects.count() == 1
    files = list((settings.MEDIA_ROOT / "certificates").rglob("*"))
    assert len([f for f in files if f.is_file()]) == 1


def test_another_suppliers_contact_gets_404_for_the_file(portal_a, client, contact_b, buyer):
    _upload(portal_a)
    certificate = Certificate.objects.get()
    client.force_login(contact_b)
    assert client.get(f"/certificates/{certificate.pk}/document/").status_code == 404
    assert b"Q-123" not in client.get("/portal/certificates/").content
    client.force_login(buyer)
    assert client.get(f"/certificates/{certificate.pk}/document/").status_code == 200
    client.logout()
    assert client.get(f"/certificates/{certificate.pk}/document/").status_code == 302


@time_machine.travel(dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC))
def test_expiring_and_expired_certificates_are_marked(portal_a, supplier_a):
    Certificate.objects.create(
        supplier=supplier_a, kind="iso_9001", number="OLD", valid_until=dt.date(2026, 5, 1)
    )
    Certificate.objects.create(
        supplier=supplier_a, kind="iso_14001", number="SOON", valid_until=dt.date(2026, 6, 21)
    )
    Certificate.objects.create(
        supplier=supplier_a, kind="iso_45001", number="FINE", valid_until=dt.date(2027, 6, 1)
    )
    page = portal_a.get("/portal/certificates/").content.decode()
    assert "Expired" in page
    assert "Expires in 20 days" in page
    home = portal_a.get("/portal/").content.decode()
    assert "Certificates to renew" in home and "SOON" in home and "FINE" not in home


def test_the_api_takes_a_multipart_upload(api_for, contact_a, contact_b, supplier_b):
    api = api_for(contact_a)
    response = api.post(
        "/api/v1/certificates/",
        {
            "kind": "iatf_16949",
            "number": "IATF-1",
            "issued_by": "DQS",
            "valid_until": "2027-01-31",
            "document": SimpleUploadedFile("cert.pdf", PDF, content_type="application/pdf"),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["supplier"] == "ACME" and body["number"] == "IATF-1"
    assert body["document_url"].endswith("/document/")
    bad = api.post(
        "/api/v1/certificates/",
        {
            "kind": "iatf_16949",
            "number": "IATF-2",
            "valid_until": "2027-01-31",
            "document": SimpleUploadedFile("x.pdf", b"MZ\x90\x00", content_type="application/pdf"),
        },
        format="multipart",
    )
    assert bad.status_code == 400 and "document" in bad.json()
    other = api_for(contact_b).get("/api/v1/certificates/")
    assert other.status_code == 200 and other.json()["count"] == 0
    pk = body["id"]
    assert api_for(contact_b).get(f"/api/v1/certificates/{pk}/").status_code == 404
    assert api_for(contact_b).get(body["document_url"]).status_code == 404
    download = api.get(body["document_url"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF
