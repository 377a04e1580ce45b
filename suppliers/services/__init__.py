import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.roles import Role
from accounts.services import user_create
from core.services import (
    BatchValidationError,
    delete_refusal,
    model_update,
    raise_first_error,
)
from suppliers.certificate_kinds import certificate_kind_normalise
from suppliers.esg import LABOUR_CERTIFICATES
from suppliers.models import (
    Certificate,
    EsgAssessment,
    Supplier,
    SupplierContact,
)
from suppliers.services.esg import esg_score_changed, esg_scores_store
from suppliers.services.files import evidence_check, safe_file_name
from suppliers.services.qualification import (
    assessment_create,
    assessment_outcome_refresh,
    assessment_submit,
    assessment_update,
    qualification_assessments_create,
    qualification_template_update,
)
from suppliers.services.status import (
    supplier_create_status_check,
    supplier_created_audit,
    supplier_status_check,
)

SUPPLIER_FIELDS = ["name", "country", "region", "currency", "owner", "primary_contact"]


def _add(errors: dict, index: int, field: str, message: str) -> None:
    errors.setdefault(index, {}).setdefault(field, []).append(message)


def supplier_owner_ids(owner_ids) -> set[int]:
    """Which of these users may own a supplier relationship: active buyers and admins."""
    ids = {i for i in owner_ids if i is not None}
    if not ids:
        return set()
    return set(
        get_user_model()
        .objects.filter(Q(is_superuser=True) | Q(groups__name=Role.BUYER.value), is_active=True)
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )


def suppliers_validate(*, suppliers: list[Supplier], actor=None) -> dict[int, dict[str, list[str]]]:
    """Check a batch of new suppliers with two queries (codes taken, owners); errors by index.
    A supplier beyond prospect needs an admin (`supplier_create_status_check`)."""
    errors: dict[int, dict[str, list[str]]] = {}
    codes = [s.code for s in suppliers]
    taken = set(Supplier.objects.filter(code__in=codes).values_list("code", flat=True))
    owners = supplier_owner_ids(s.owner_id for s in suppliers)
    first: dict[str, int] = {}
    for index, supplier in enumerate(suppliers):
        try:
            supplier_create_status_check(status=supplier.status, actor=actor)
        except ValidationError as exc:
            for message in exc.message_dict["status"]:
                _add(errors, index, "status", message)
        try:
            supplier.full_clean(exclude=["owner", "primary_contact"], validate_unique=False)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    _add(errors, index, field, message)
        if supplier.code in taken:
            _add(errors, index, "code", f"Supplier {supplier.code} already exists.")
        elif supplier.code in first:
            _add(
                errors,
                index,
                "code",
                f"Supplier {supplier.code} appears twice (items {first[supplier.code]} "
                f"and {index}).",
            )
        else:
            first[supplier.code] = index
        if supplier.owner_id is not None and supplier.owner_id not in owners:
            _add(errors, index, "owner", "The owner must be an active buyer or admin.")
        if supplier.primary_contact_id is not None:
            _add(errors, index, "primary_contact", "Add the supplier first, then its contacts.")
    return errors


def supplier_create(
    *, code: str, name: str, country: str, currency: str, actor=None, **fields
) -> Supplier:
    """Create a supplier: a prospect, or in any status when an admin brings it over from
    another system (audited, "no assessment on file")."""
    supplier = Supplier(code=code, name=name, country=country, currency=currency, **fields)
    raise_first_error(suppliers_validate(suppliers=[supplier], actor=actor))
    with transaction.atomic():
        supplier.save()
        supplier_created_audit(suppliers=[supplier], actor=actor)
    return supplier


@transaction.atomic
def supplier_update(*, supplier: Supplier, data: dict, actor=None, as_of=None) -> Supplier:
    """Change a supplier: fields, owner, primary contact, and its status through the gates
    (prospect → qualified → approved ⇄ on hold; disqualified from anywhere, with a reason);
    every status change is audited."""
    data = dict(data)
    reason = data.pop("reason", "") or ""
    errors: dict[str, str] = {}
    if "code" in data and data["code"] != supplier.code:
        errors["code"] = "The code is the supplier's key in every system; it cannot change."
    owner = data.get("owner")
    if owner is not None and not supplier_owner_ids([getattr(owner, "pk", owner)]):
        errors["owner"] = "The owner must be an active buyer or admin."
    contact = data.get("primary_contact")
    if contact is not None:
        contact_supplier = getattr(contact, "supplier_id", None)
        if contact_supplier is None:
            contact_supplier = (
                SupplierContact.objects.filter(pk=contact)
                .values_list("supplier_id", flat=True)
                .first()
            )
        if contact_supplier != supplier.pk:
            errors["primary_contact"] = f"The primary contact must work at {supplier.code}."
    if errors:
        raise ValidationError(errors)
    change = supplier_status_check(
        supplier=supplier,
        status=data.get("status", supplier.status),
        actor=actor,
        reason=reason,
        as_of=as_of,
    )
    model_update(instance=supplier, fields=[*SUPPLIER_FIELDS, "status"], data=data)
    if change is not None:
        change.save()
    if supplier.status == Supplier.Status.DISQUALIFIED:
        supplier_contact_logins_deactivate(supplier=supplier)
    return supplier


def supplier_contact_logins_deactivate(*, supplier: Supplier) -> int:
    """A supplier we stopped working with: its contacts can no longer sign in (sessions
    and API tokens stop working at their next request). Re-enabling a person is an
    admin's decision, one login at a time."""
    return (
        get_user_model()
        .objects.filter(supplier_contact__supplier=supplier, is_active=True)
        .update(is_active=False)
    )


@transaction.atomic
def supplier_delete(*, supplier: Supplier, actor=None) -> None:
    """Only a supplier nothing refers to may be deleted (one entered by mistake); any
    other is disqualified instead, which keeps its history and ends its contacts' logins."""
    reason = delete_refusal(supplier)
    if reason:
        raise ValidationError(
            {
                "code": f"{supplier.code} cannot be deleted: {reason} refer to it. "
                "Disqualify it instead (its contacts' logins are deactivated)."
            }
        )
    supplier.delete()


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
    *,
    user,
    supplier: Supplier,
    job_title: str = "",
    phone: str = "",
    is_admin: bool = False,
) -> SupplierContact:
    """Link a user to a supplier; the first contact becomes the single point of contact."""
    contact = SupplierContact.objects.create(
        user=user, supplier=supplier, job_title=job_title, phone=phone, is_admin=is_admin
    )
    if supplier.primary_contact_id is None:
        Supplier.objects.filter(pk=supplier.pk).update(primary_contact=contact)
        supplier.primary_contact = contact
    return contact


def supplier_change_status(
    *, supplier: Supplier, status: str, actor=None, reason: str = "", as_of=None
) -> Supplier:
    return supplier_update(
        supplier=supplier, data={"status": status, "reason": reason}, actor=actor, as_of=as_of
    )


@transaction.atomic
def suppliers_create(
    *, suppliers: list[Supplier], batch_size: int = 2000, validate: bool = False, actor=None
) -> list[Supplier]:
    """Create suppliers in bulk, all or nothing.

    With `validate=True` the batch is checked first (`suppliers_validate`) and refused with
    a `BatchValidationError`; without, the caller has validated (demo data).
    """
    if validate:
        errors = suppliers_validate(suppliers=suppliers, actor=actor)
    else:
        errors = {}
        for index, supplier in enumerate(suppliers):
            try:
                supplier_create_status_check(status=supplier.status, actor=actor)
            except ValidationError as exc:
                for message in exc.message_dict["status"]:
                    _add(errors, index, "status", message)
    if errors:
        raise BatchValidationError(errors)
    created = Supplier.objects.bulk_create(suppliers, batch_size=batch_size)
    supplier_created_audit(suppliers=created, actor=actor)
    return created


@transaction.atomic
def certificates_create(
    *, certificates: list[Certificate], batch_size: int = 2000
) -> list[Certificate]:
    for certificate in certificates:
        certificate.kind = certificate_kind_normalise(certificate.kind)
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
        kind=certificate_kind_normalise(kind),
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
            if certificate.kind in LABOUR_CERTIFICATES:
                esg_score_changed(supplier_id=supplier.pk)
    except Exception:
        # Nothing half-saved: a certificate that could not be stored leaves no file behind.
        if certificate.document:
            certificate.document.delete(save=False)
        raise
    return certificate


def _certificate_document_check(document) -> str:
    try:
        return evidence_check(document)
    except ValidationError as exc:
        raise ValidationError({"document": exc.messages}) from None


_safe_file_name = safe_file_name


def esg_assessment_submit(
    *, supplier: Supplier, user=None, evidence=None, **answers
) -> EsgAssessment:
    """A new set of ESG answers (with their evidence date and file); earlier ones stay as
    the history."""
    today = timezone.localdate()
    answers.setdefault("answered_on", today)
    assessment = EsgAssessment(supplier=supplier, answered_by=user, **answers)
    if assessment.evidence_date is not None and assessment.evidence_date > today:
        raise ValidationError({"evidence_date": "The evidence cannot be dated in the future."})
    if evidence is not None:
        try:
            assessment.evidence_content_type = evidence_check(evidence)
        except ValidationError as exc:
            raise ValidationError({"evidence": exc.messages}) from None
        assessment.evidence_name = safe_file_name(evidence.name)
    assessment.full_clean(exclude=["answered_by", "evidence"])
    if evidence is not None:
        assessment.evidence.save("evidence", evidence, save=False)
    with transaction.atomic():
        assessment.save()
        esg_score_changed(supplier_id=supplier.pk)
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


__all__ = [
    "assessment_create",
    "assessment_outcome_refresh",
    "assessment_submit",
    "assessment_update",
    "certificate_upload",
    "certificates_create",
    "esg_assessment_submit",
    "esg_assessments_create",
    "esg_score_changed",
    "esg_scores_store",
    "qualification_assessments_create",
    "qualification_template_update",
    "supplier_change_status",
    "supplier_contact_create",
    "supplier_contact_deactivate",
    "supplier_contact_profile_update",
    "supplier_contact_user_create",
    "supplier_create",
    "supplier_owner_ids",
    "supplier_update",
    "suppliers_create",
    "suppliers_validate",
]
