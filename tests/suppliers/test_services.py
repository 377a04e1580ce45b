"""Supplier rules in `suppliers.services`, and the admin that goes through them."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from suppliers.models import Supplier
from suppliers.services import supplier_create, supplier_update
from tests.factories import passed_assessment

pytestmark = pytest.mark.django_db


def test_create_validates_codes_and_the_owner(buyer, viewer):
    supplier = supplier_create(code="NEW", name="New", country="DE", currency="EUR", owner=buyer)
    assert supplier.owner == buyer
    with pytest.raises(ValidationError) as caught:
        supplier_create(code="NEW", name="Again", country="DE", currency="EUR")
    assert "already exists" in caught.value.message_dict["code"][0]
    with pytest.raises(ValidationError) as caught:
        supplier_create(code="NEW2", name="x", country="DE", currency="EUR", owner=viewer)
    assert "buyer" in caught.value.message_dict["owner"][0]
    with pytest.raises(ValidationError) as caught:
        supplier_create(code="NEW3", name="x", country="Germany", currency="EUR")
    assert "country" in caught.value.message_dict
    assert list(Supplier.objects.values_list("code", flat=True)) == ["NEW"]


def test_update_follows_the_lifecycle(supplier_a):
    supplier_a.status = "prospect"
    supplier_a.save()
    with pytest.raises(ValidationError) as caught:
        supplier_update(supplier=supplier_a, data={"status": "approved", "name": "Renamed"})
    assert "prospect to approved" in caught.value.message_dict["status"][0]
    supplier_a.refresh_from_db()
    assert supplier_a.name != "Renamed"  # nothing half-saved
    passed_assessment(supplier_a)
    supplier_update(supplier=supplier_a, data={"status": "qualified", "name": "Renamed"})
    supplier_a.refresh_from_db()
    assert (supplier_a.status, supplier_a.name) == ("qualified", "Renamed")


def test_primary_contact_must_work_at_the_supplier(supplier_a, contact_a, contact_b):
    with pytest.raises(ValidationError) as caught:
        supplier_update(supplier=supplier_a, data={"primary_contact": contact_b.supplier_contact})
    assert "must work at ACME" in caught.value.message_dict["primary_contact"][0]
    supplier_update(supplier=supplier_a, data={"primary_contact": contact_a.supplier_contact})
    assert supplier_a.primary_contact == contact_a.supplier_contact


def test_the_code_never_changes(supplier_a):
    with pytest.raises(ValidationError):
        supplier_update(supplier=supplier_a, data={"code": "OTHER"})


def _admin_form(supplier, **changes):
    data = {
        "code": supplier.code,
        "name": supplier.name,
        "country": supplier.country,
        "region": supplier.region,
        "currency": supplier.currency,
        "status": supplier.status,
        "owner": "",
        "primary_contact": "",
    }
    for prefix in ("contacts", "certificates"):
        data |= {
            f"{prefix}-TOTAL_FORMS": "0",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    return data | changes


def test_admin_refuses_a_status_jump_on_the_form(supplier_a, client_for, admin_user):
    supplier_a.status = "prospect"
    supplier_a.save()
    url = reverse("admin:suppliers_supplier_change", args=[supplier_a.pk])
    response = client_for(admin_user).post(url, _admin_form(supplier_a, status="on_hold"))
    assert response.status_code == 200
    assert "A supplier cannot go from prospect to on_hold." in response.content.decode()
    supplier_a.refresh_from_db()
    assert supplier_a.status == "prospect"
    response = client_for(admin_user).post(url, _admin_form(supplier_a, status="qualified"))
    assert response.status_code == 200
    assert "needs a submitted, passed assessment" in response.content.decode()
    passed_assessment(supplier_a)
    response = client_for(admin_user).post(url, _admin_form(supplier_a, status="qualified"))
    assert response.status_code == 302
    supplier_a.refresh_from_db()
    assert supplier_a.status == "qualified"


def test_admin_adds_a_supplier_with_a_contact_who_becomes_primary(client_for, admin_user):
    from tests.factories import UserFactory

    user = UserFactory(username="newcontact", role="supplier")
    supplier = Supplier(code="NEWCO", name="New Co", country="DE", currency="EUR")
    data = _admin_form(supplier, status="prospect") | {
        "contacts-TOTAL_FORMS": "1",
        "contacts-0-user": str(user.pk),
        "contacts-0-job_title": "Sales",
    }
    response = client_for(admin_user).post(reverse("admin:suppliers_supplier_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    created = Supplier.objects.get(code="NEWCO")
    assert created.primary_contact.user == user
