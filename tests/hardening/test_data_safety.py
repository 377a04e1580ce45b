"""Deleting what other rows refer to is refused with the reason; disqualifying a supplier
ends its contacts' logins; a certificate's file goes with its row."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from messaging.models import Thread
from parts.models import InspectionCharacteristic, Part
from suppliers.models import Certificate, Supplier, SupplierContact
from suppliers.services import certificate_upload, supplier_delete, supplier_update
from tests.factories import (
    PASSWORD,
    ApprovedSourceFactory,
    PartFactory,
    SupplierContactFactory,
    SupplierFactory,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def furnished(db):
    """A supplier with a contact, a certificate with its file and a message thread, and
    no orders: the case that used to cascade away."""
    supplier = SupplierFactory(code="GONE")
    contact = SupplierContactFactory(supplier=supplier, user__username="gone_contact")
    certificate = certificate_upload(
        supplier=supplier,
        kind="iso_9001",
        number="C-1",
        valid_until=dt.date(2027, 1, 1),
        document=SimpleUploadedFile("c.pdf", PDF, content_type="application/pdf"),
    )
    Thread.objects.create(supplier=supplier, subject="Hello")
    return supplier, contact, certificate


def test_a_supplier_anything_refers_to_is_not_deleted(furnished):
    supplier, contact, certificate = furnished
    with pytest.raises(ValidationError) as caught:
        supplier_delete(supplier=supplier)
    message = " ".join(caught.value.messages)
    assert "1 supplier contact" in message and "1 certificate" in message
    assert "Disqualify" in message
    assert Supplier.objects.filter(pk=supplier.pk).exists()
    assert SupplierContact.objects.filter(pk=contact.pk).exists()
    assert certificate.document.storage.exists(certificate.document.name)


def test_the_api_refuses_with_the_reason(furnished, api_for, admin_user):
    response = api_for(admin_user).delete("/api/v1/suppliers/GONE/")
    assert response.status_code == 409
    assert "supplier contact" in response.json()["detail"]
    assert Supplier.objects.filter(code="GONE").exists()


def test_the_admin_shows_the_reason_and_deletes_nothing(furnished, client_for, admin_user):
    supplier = furnished[0]
    url = reverse("admin:suppliers_supplier_delete", args=[supplier.pk])
    client = client_for(admin_user)
    page = client.get(url)
    assert page.status_code == 200
    assert "supplier contact" in page.content.decode()
    client.post(url, {"post": "yes"})
    assert Supplier.objects.filter(pk=supplier.pk).exists()


def test_a_supplier_entered_by_mistake_can_be_deleted(db):
    supplier = SupplierFactory(code="OOPS")
    supplier_delete(supplier=supplier)
    assert not Supplier.objects.filter(code="OOPS").exists()


def test_disqualifying_a_supplier_ends_its_contacts_logins(furnished, client):
    supplier, contact, _ = furnished
    supplier.status = Supplier.Status.APPROVED
    supplier.save(update_fields=["status"])
    data = {"status": Supplier.Status.DISQUALIFIED, "reason": "Quality we could not fix."}
    supplier_update(supplier=supplier, data=data)
    contact.user.refresh_from_db()
    assert not contact.user.is_active
    assert not client.login(username="gone_contact", password=PASSWORD)


def test_a_part_with_sources_is_not_deleted_but_its_checklist_goes_with_it(
    db, api_for, buyer, supplier_a
):
    used = PartFactory(number="USED")
    ApprovedSourceFactory(part=used, supplier=supplier_a)
    response = api_for(buyer).delete("/api/v1/parts/USED/")
    assert response.status_code == 409 and "approved source" in response.json()["detail"]
    lone = PartFactory(number="LONE")
    InspectionCharacteristic.objects.create(part=lone, code="DIM", description="Dimensions")
    assert api_for(buyer).delete("/api/v1/parts/LONE/").status_code == 204
    assert not Part.objects.filter(number="LONE").exists()


def test_a_certificates_file_goes_with_its_row(furnished, django_capture_on_commit_callbacks):
    _, _, certificate = furnished
    storage, name = certificate.document.storage, certificate.document.name
    with django_capture_on_commit_callbacks(execute=True):
        Certificate.objects.get(pk=certificate.pk).delete()
    assert not storage.exists(name)
