"""The status gates on every path (service, API, buyer form, admin, import): each refused
with a 400 that names what is missing, and passed once it is there; four eyes; reasons;
suppliers brought over keep their status and are audited."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from imports.services import import_file_run
from parts.category_services import part_category_create
from suppliers.models import Certificate, Supplier, SupplierStatusChange
from suppliers.services import supplier_change_status, supplier_create
from tests.factories import (
    ApprovedSourceFactory,
    PartFactory,
    SupplierFactory,
    UserFactory,
    passed_assessment,
)

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


@pytest.fixture
def second_buyer(db):
    return UserFactory(username="buyer2", role="buyer")


@pytest.fixture
def prospect(db):
    return SupplierFactory(code="NEWCO", status=Supplier.Status.PROSPECT)


@pytest.fixture
def fasteners_part(prospect):
    """NEWCO sources a part of a category that requires ISO 9001."""
    category = part_category_create(
        code="fasteners", name="Fasteners", required_certificates=["ISO 9001"]
    )
    part = PartFactory(number="FST-1", category=category)
    ApprovedSourceFactory(part=part, supplier=prospect, target_share_pct=Decimal("100"))
    return part


def _iso9001(supplier, valid_until):
    return Certificate.objects.create(
        supplier=supplier, kind="iso_9001", number=f"Q-{valid_until}", valid_until=valid_until
    )


# --- service ------------------------------------------------------------------------------


def test_qualified_needs_a_passed_assessment(prospect, buyer):
    with pytest.raises(ValidationError) as caught:
        supplier_change_status(supplier=prospect, status="qualified", actor=buyer)
    assert "passed assessment younger than 12 months (none on file)" in str(caught.value)
    passed_assessment(prospect, assessed_by=buyer)
    supplier_change_status(supplier=prospect, status="qualified", actor=buyer)
    prospect.refresh_from_db()
    assert prospect.status == "qualified"


def test_a_failed_or_old_assessment_does_not_qualify(prospect, buyer):
    passed_assessment(prospect, assessed_by=buyer, score="2")
    with pytest.raises(ValidationError) as caught:
        supplier_change_status(supplier=prospect, status="qualified", actor=buyer)
    assert "failed" in str(caught.value) and "below the pass mark" in str(caught.value)
    old = SupplierFactory(code="OLDCO", status=Supplier.Status.PROSPECT)
    passed_assessment(old, assessed_by=buyer, assessed_on=TODAY - dt.timedelta(days=400))
    with pytest.raises(ValidationError) as caught:
        supplier_change_status(supplier=old, status="qualified", actor=buyer)
    assert "younger than 12 months" in str(caught.value) and "re-qualify" in str(caught.value)


def test_approved_needs_the_required_certificates_and_a_second_buyer(
    prospect, fasteners_part, buyer, second_buyer
):
    passed_assessment(prospect, assessed_by=buyer)
    supplier_change_status(supplier=prospect, status="qualified", actor=buyer)
    with pytest.raises(ValidationError) as caught:
        supplier_change_status(supplier=prospect, status="approved", actor=second_buyer)
    assert "ISO 9001 missing for category Fasteners" in str(caught.value)
    _iso9001(prospect, TODAY - dt.timedelta(days=1))
    with pytest.raises(ValidationError) as caught:
        supplier_change_status(supplier=prospect, status="approved", actor=second_buyer)
    assert "ISO 9001 expired for category Fasteners" in str(caught.value)
    _iso9001(prospect, TODAY + dt.timedelta(days=300))  # the renewal
    with pytest.raises(ValidationError) as caught:  # the assessor may not approve
        supplier_change_status(supplier=prospect, status="approved", actor=buyer)
    assert "four eyes" in str(caught.value)
    supplier_change_status(supplier=prospect, status="approved", actor=second_buyer)
    prospect.refresh_from_db()
    assert prospect.status == "approved"
    change = SupplierStatusChange.objects.filter(supplier=prospect).first()
    assert (change.from_status, change.to_status, change.actor) == (
        "qualified",
        "approved",
        second_buyer,
    )


def test_hold_and_disqualify(supplier_a, buyer):
    supplier_change_status(supplier=supplier_a, status="on_hold", actor=buyer)
    supplier_change_status(supplier=supplier_a, status="approved", actor=buyer)
    with pytest.raises(ValidationError) as caught:
        supplier_change_status(supplier=supplier_a, status="disqualified", actor=buyer)
    assert "reason" in caught.value.message_dict
    supplier_change_status(
        supplier=supplier_a, status="disqualified", actor=buyer, reason="Fraudulent certificates"
    )
    audit = list(
        SupplierStatusChange.objects.filter(supplier=supplier_a).values_list(
            "from_status", "to_status", "reason"
        )
    )
    assert audit[0] == ("approved", "disqualified", "Fraudulent certificates")
    assert len(audit) == 3


def test_a_viewer_never_changes_a_status(supplier_a, viewer):
    with pytest.raises(ValidationError):
        supplier_change_status(supplier=supplier_a, status="on_hold", actor=viewer)


# --- API ----------------------------------------------------------------------------------


def test_api_patch_refuses_with_a_400_naming_what_is_missing_then_passes(api_for, prospect, buyer):
    url = "/api/v1/suppliers/NEWCO/"
    response = api_for(buyer).patch(url, {"status": "qualified"}, format="json")
    assert response.status_code == 400
    assert "passed assessment" in response.json()["status"][0]
    passed_assessment(prospect, assessed_by=buyer)
    response = api_for(buyer).patch(url, {"status": "qualified"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "qualified"


def test_api_disqualify_needs_a_reason(api_for, supplier_a, buyer):
    url = f"/api/v1/suppliers/{supplier_a.code}/"
    response = api_for(buyer).patch(url, {"status": "disqualified"}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    response = api_for(buyer).patch(
        url, {"status": "disqualified", "reason": "Closed the plant"}, format="json"
    )
    assert response.status_code == 200
    assert SupplierStatusChange.objects.get(supplier=supplier_a).reason == "Closed the plant"


def test_api_four_eyes(api_for, prospect, fasteners_part, buyer, second_buyer):
    passed_assessment(prospect, assessed_by=buyer)
    _iso9001(prospect, TODAY + dt.timedelta(days=300))
    supplier_change_status(supplier=prospect, status="qualified", actor=buyer)
    url = "/api/v1/suppliers/NEWCO/"
    response = api_for(buyer).patch(url, {"status": "approved"}, format="json")
    assert response.status_code == 400 and "four eyes" in response.json()["status"][0]
    response = api_for(second_buyer).patch(url, {"status": "approved"}, format="json")
    assert response.status_code == 200


def test_api_only_an_admin_creates_a_supplier_beyond_prospect(api_for, buyer, admin_user):
    body = {"code": "ERP1", "name": "From ERP", "country": "DE", "currency": "EUR"}
    response = api_for(buyer).post("/api/v1/suppliers/", body | {"status": "approved"}, "json")
    assert response.status_code == 400 and "admin" in response.json()["status"][0]
    response = api_for(admin_user).post(
        "/api/v1/suppliers/", body | {"status": "approved"}, format="json"
    )
    assert response.status_code == 201 and response.json()["status"] == "approved"
    supplier = Supplier.objects.get(code="ERP1")
    change = SupplierStatusChange.objects.get(supplier=supplier)
    assert (change.from_status, change.to_status, change.actor) == ("", "approved", admin_user)
    assert "brought over" in change.reason


# --- buyer form and admin -----------------------------------------------------------------


def _form(supplier, **changes):
    return {
        "code": supplier.code,
        "name": supplier.name,
        "country": str(supplier.country),
        "region": supplier.region,
        "currency": supplier.currency,
        "status": supplier.status,
        "owner": "",
        "primary_contact": "",
        "reason": "",
    } | changes


def test_buyer_form_refuses_then_passes(client_for, prospect, buyer):
    url = reverse("suppliers:edit", args=[prospect.code])
    response = client_for(buyer).post(url, _form(prospect, status="qualified"))
    assert response.status_code == 400
    assert "passed assessment" in response.content.decode()
    passed_assessment(prospect)
    response = client_for(buyer).post(url, _form(prospect, status="qualified"))
    assert response.status_code == 302
    prospect.refresh_from_db()
    assert prospect.status == "qualified"


def test_admin_disqualify_needs_a_reason_and_keeps_it(client_for, supplier_a, admin_user):
    from tests.suppliers.test_services import _admin_form

    url = reverse("admin:suppliers_supplier_change", args=[supplier_a.pk])
    response = client_for(admin_user).post(url, _admin_form(supplier_a, status="disqualified"))
    assert response.status_code == 200 and "Say why" in response.content.decode()
    response = client_for(admin_user).post(
        url, _admin_form(supplier_a, status="disqualified", status_reason="Insolvent")
    )
    assert response.status_code == 302
    assert SupplierStatusChange.objects.get(supplier=supplier_a).reason == "Insolvent"


# --- imports ------------------------------------------------------------------------------


def _suppliers_csv(status):
    return f"code,name,country,currency,status\nIMP1,Imported,DE,EUR,{status}\n".encode()


def test_import_by_a_buyer_refuses_a_status_beyond_prospect(buyer):
    result = import_file_run(
        kind="suppliers", content=_suppliers_csv("approved"), filename="s.csv", user=buyer
    )
    assert not result.ok
    assert any(e.column == "status" and "admin" in e.message for e in result.errors)
    assert not Supplier.objects.filter(code="IMP1").exists()


def test_imported_suppliers_keep_their_status_flagged_no_assessment(admin_user, client_for, buyer):
    result = import_file_run(
        kind="suppliers", content=_suppliers_csv("approved"), filename="s.csv", user=admin_user
    )
    assert result.ok, result.errors
    supplier = Supplier.objects.get(code="IMP1")
    assert supplier.status == "approved"
    assert SupplierStatusChange.objects.get(supplier=supplier).to_status == "approved"
    page = client_for(buyer).get(reverse("suppliers:detail", args=["IMP1"])).content.decode()
    assert "no assessment on file" in page


def test_service_create_in_a_status_keeps_it_for_trusted_callers():
    supplier = supplier_create(
        code="DEMO1", name="Demo", country="DE", currency="EUR", status="approved"
    )
    assert supplier.status == "approved"
