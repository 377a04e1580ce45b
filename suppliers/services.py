from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.roles import Role
from accounts.services import user_create
from suppliers.models import (
    Certificate,
    EsgAssessment,
    QualificationAssessment,
    QualificationScore,
    Supplier,
    SupplierContact,
)


def supplier_create(*, code: str, name: str, country: str, currency: str, **fields) -> Supplier:
    supplier = Supplier(code=code, name=name, country=country, currency=currency, **fields)
    supplier.full_clean()
    supplier.save()
    return supplier


@transaction.atomic
@transaction.atomic
def supplier_contact_user_create(
    *,
    supplier: Supplier,
    username: str,
    password: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    job_title: str = "",
):
    """Create a login with the supplier role and link it to its supplier as a contact."""
    user = user_create(
        username=username,
        password=password,
        role=Role.SUPPLIER,
        email=email,
        first_name=first_name,
        last_name=last_name,
    )
    supplier_contact_create(user=user, supplier=supplier, job_title=job_title)
    return user


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


@transaction.atomic
def suppliers_create(*, suppliers: list[Supplier], batch_size: int = 2000) -> list[Supplier]:
    """Create suppliers in bulk, all or nothing. Inputs are validated by callers."""
    return Supplier.objects.bulk_create(suppliers, batch_size=batch_size)


@transaction.atomic
def qualification_assessments_create(
    *,
    assessments: list[tuple[QualificationAssessment, list[QualificationScore]]],
    batch_size: int = 2000,
) -> list[QualificationAssessment]:
    """Create assessments with their criterion scores in bulk, all or nothing."""
    created = QualificationAssessment.objects.bulk_create(
        [assessment for assessment, _ in assessments], batch_size=batch_size
    )
    scores = []
    for assessment, assessment_scores in assessments:
        for score in assessment_scores:
            score.assessment = assessment
            scores.append(score)
    QualificationScore.objects.bulk_create(scores, batch_size=batch_size)
    return created


@transaction.atomic
def certificates_create(
    *, certificates: list[Certificate], batch_size: int = 2000
) -> list[Certificate]:
    return Certificate.objects.bulk_create(certificates, batch_size=batch_size)


@transaction.atomic
def esg_assessments_create(
    *, assessments: list[EsgAssessment], batch_size: int = 2000
) -> list[EsgAssessment]:
    return EsgAssessment.objects.bulk_create(assessments, batch_size=batch_size)
