"""Writes for part categories and the certificate kinds they require
(docs/qualification.md); part services resolve a part's category here."""

from django.core.exceptions import ValidationError
from django.db import models, transaction

from core.services import model_update
from parts.models import PartCategory, RequiredCertificate
from suppliers.certificate_kinds import certificate_kind_code, certificate_kind_error


def part_category_lookup(value) -> PartCategory | None:
    """A category by its code or name, any case; None for an empty value; a ValidationError
    naming a few categories for an unknown one."""
    if value in (None, ""):
        return None
    if isinstance(value, PartCategory):
        return value
    text = str(value).strip()
    found = PartCategory.objects.filter(
        models.Q(code__iexact=text) | models.Q(name__iexact=text)
    ).first()
    if found is None:
        known = ", ".join(PartCategory.objects.order_by("code").values_list("code", flat=True)[:5])
        raise ValidationError(
            {
                "category": f"No part category '{text[:40]}'. Use a category's code"
                + (f", e.g. {known}." if known else "; an admin adds categories first.")
            }
        )
    return found


def _required_kinds(kinds) -> list[str]:
    errors, codes = [], []
    for kind in kinds or []:
        code = certificate_kind_code(kind)
        if code is None:
            errors.append(certificate_kind_error(kind))
        elif code not in codes:
            codes.append(code)
    if errors:
        raise ValidationError({"required_certificates": errors})
    return codes


@transaction.atomic
def part_category_create(
    *, code: str, name: str, required_certificates=(), actor=None
) -> PartCategory:
    """A part category with the certificate kinds its sources must hold (any spelling)."""
    kinds = _required_kinds(required_certificates)
    category = PartCategory(code=(code or "").strip(), name=(name or "").strip())
    category.full_clean()
    category.save()
    RequiredCertificate.objects.bulk_create(
        [RequiredCertificate(category=category, kind=k) for k in kinds]
    )
    return category


@transaction.atomic
def part_category_update(
    *, category: PartCategory, data: dict, required_certificates=None, actor=None
) -> PartCategory:
    """Rename a category or replace its required certificate kinds (the code is its key)."""
    if "code" in data and data["code"] != category.code:
        raise ValidationError({"code": "The code is the category's key; it cannot change."})
    kinds = None if required_certificates is None else _required_kinds(required_certificates)
    model_update(instance=category, fields=["name"], data=data)
    if kinds is not None:
        category.required_certificates.exclude(kind__in=kinds).delete()
        RequiredCertificate.objects.bulk_create(
            [RequiredCertificate(category=category, kind=k) for k in kinds],
            ignore_conflicts=True,
        )
        getattr(category, "_prefetched_objects_cache", {}).pop("required_certificates", None)
    return category
