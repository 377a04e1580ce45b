import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.roles import Role
from accounts.services import user_create
from core.files import sniff_content_type
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
def supplier_contact_user_create(
    *,
    supplier: Supplier,
    username: str,
    password: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    job_title: str = "",
    is_admin: bool = False,
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
    supplier_contact_create(user=user, supplier=supplier, job_title=job_title, is_admin=is_admin)
    return user


def supplier_contact_create(
    *, user, supplier: Supplier, job_title: str = "", is_admin: bool = False
) -> SupplierContact:
    """Link a user to a supplier; the first contact becomes the single point of contact."""
    contact = SupplierContact.objects.create(
        user=user, supplier=supplier, job_title=job_title, is_admin=is_admin
    )
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


def certificate_upload(
    *,
    supplier: Supplier,
    kind: str,
    number: str,
    valid_until: dt.date,
    document=None,
    issued_by: str = "",
    user=None,
) -> Certificate:
    """Record a certificate with its document, checked by its bytes and size (PDF, PNG, JPEG)."""
    certificate = Certificate(
        supplier=supplier,
        kind=kind,
        number=(number or "").strip(),
        issued_by=(issued_by or "").strip(),
        valid_until=valid_until,
        uploaded_by=user,
    )
    if document is not None:
        certificate.document_content_type = _certificate_document_check(document)
        certificate.document_name = _safe_file_name(document.name)
    # Everything is checked (the unique number too) before the file is written.
    certificate.full_clean(exclude=["document", "uploaded_by"])
    if document is not None:
        certificate.document.save("upload", document, save=False)
    try:
        with transaction.atomic():
            certificate.save()
    except Exception:
        # Nothing half-saved: a certificate that could not be stored leaves no file behind.
        if certificate.document:
            certificate.document.delete(save=False)
        raise
    return certificate


def _certificate_document_check(document) -> str:
    limit = settings.CERTIFICATE_MAX_BYTES
    if document.size > limit:
        raise ValidationError(
            {"document": f"The file is {document.size:,} bytes; the limit is {limit:,} bytes."}
        )
    if document.size == 0:
        raise ValidationError({"document": "The file is empty."})
    content_type = sniff_content_type(document)
    if content_type is None:
        raise ValidationError({"document": "Upload a PDF, PNG or JPEG file."})
    return content_type


def _safe_file_name(name: str) -> str:
    """The uploader's file name without folders or control characters, for the download."""
    base = (name or "document").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '";')
    return cleaned[:200] or "document"


def esg_assessment_submit(*, supplier: Supplier, user=None, **answers) -> EsgAssessment:
    """A new set of ESG answers; earlier ones stay as the history."""
    answers.setdefault("answered_on", timezone.localdate())
    assessment = EsgAssessment(supplier=supplier, answered_by=user, **answers)
    assessment.full_clean(exclude=["answered_by"])
    assessment.save()
    return assessment


@transaction.atomic
def supplier_contact_deactivate(*, contact: SupplierContact, by) -> SupplierContact:
    """A supplier's administrator switches off a colleague's login (the history stays)."""
    actor = getattr(by, "supplier_contact", None)
    if actor is None or not actor.is_admin or actor.supplier_id != contact.supplier_id:
        raise ValidationError({"contact": "Only the supplier's administrator may do this."})
    if contact.pk == actor.pk:
        raise ValidationError({"contact": "You cannot deactivate your own login."})
    user = contact.user
    user.is_active = False
    user.save(update_fields=["is_active"])
    if contact.supplier.primary_contact_id == contact.pk:
        Supplier.objects.filter(pk=contact.supplier_id).update(primary_contact=actor)
    return contact


def supplier_contact_profile_update(
    *, contact: SupplierContact, first_name: str, last_name: str, email: str, **fields
) -> SupplierContact:
    """A contact's own name, email, job title and phone."""
    user = contact.user
    user.first_name, user.last_name, user.email = first_name, last_name, email
    user.full_clean(exclude=["password"])
    for name in ("job_title", "phone"):
        if name in fields:
            setattr(contact, name, fields[name])
    contact.full_clean()
    with transaction.atomic():
        user.save(update_fields=["first_name", "last_name", "email"])
        contact.save()
    return contact
