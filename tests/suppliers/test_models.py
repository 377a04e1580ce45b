import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from suppliers.models import Supplier
from suppliers.services import supplier_change_status, supplier_create
from tests.factories import SupplierFactory, passed_assessment

pytestmark = pytest.mark.django_db


def test_supplier_codes_are_unique():
    SupplierFactory(code="ACME")
    with pytest.raises(IntegrityError), transaction.atomic():
        SupplierFactory(code="ACME")


def test_supplier_create_rejects_malformed_country_and_currency():
    with pytest.raises(ValidationError) as error:
        supplier_create(code="X1", name="X", country="Germany", currency="euro")
    assert set(error.value.message_dict) == {"country", "currency"}
    assert not Supplier.objects.exists()


def test_supplier_status_follows_the_lifecycle(buyer, admin_user):
    supplier = supplier_create(code="X1", name="X", country="DE", currency="EUR")
    assert supplier.status == Supplier.Status.PROSPECT
    with pytest.raises(ValidationError):
        supplier_change_status(supplier=supplier, status=Supplier.Status.APPROVED, actor=buyer)
    passed_assessment(supplier, assessed_by=admin_user)
    supplier_change_status(supplier=supplier, status=Supplier.Status.QUALIFIED, actor=buyer)
    supplier_change_status(supplier=supplier, status=Supplier.Status.APPROVED, actor=buyer)
    supplier_change_status(supplier=supplier, status=Supplier.Status.ON_HOLD, actor=buyer)
    supplier.refresh_from_db()
    assert supplier.status == Supplier.Status.ON_HOLD
