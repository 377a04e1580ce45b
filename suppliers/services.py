from django.core.exceptions import ValidationError
from django.db import transaction

from suppliers.models import Supplier, SupplierContact


def supplier_create(*, code: str, name: str, country: str, currency: str, **fields) -> Supplier:
    supplier = Supplier(code=code, name=name, country=country, currency=currency, **fields)
    supplier.full_clean()
    supplier.save()
    return supplier


@transaction.atomic
def supplier_contact_create(*, user, supplier: Supplier, job_title: str = "") -> SupplierContact:
    """Link a user to a supplier; the first contact becomes the single point of contact."""
    contact = SupplierContact.objects.create(user=user, supplier=supplier, job_title=job_title)
    if supplier.primary_contact_id is None:
        Supplier.objects.filter(pk=supplier.pk).update(primary_contact=contact)
        supplier.primary_contact = contact
    return contact


def supplier_change_status(*, supplier: Supplier, status: str) -> Supplier:
    if not supplier.can_transition_to(status):
        raise ValidationError(
            {"status": f"A supplier cannot go from {supplier.status} to {status}."}
        )
    supplier.status = status
    supplier.save(update_fields=["status", "updated_at"])
    return supplier
