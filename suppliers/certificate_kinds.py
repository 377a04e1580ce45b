"""Certificate kinds: one canonical code per standard, and the ways people write it
(`ISO 9001`, `iso9001`, `ISO-9001:2015`, `IATF16949`), case-insensitive.

`certificate_kind_normalise` is the one place input becomes a stored code; the API, the
portal and buyer forms, the admin, imports and the services all call it (docs/qualification.md).
"""

import re

from django.core.exceptions import ValidationError
from django.db import models


class CertificateKind(models.TextChoices):
    """Canonical code → label, in the order pickers show them."""

    ISO_9001 = "iso_9001", "ISO 9001 (quality)"
    IATF_16949 = "iatf_16949", "IATF 16949 (automotive quality)"
    AS_9100 = "as_9100", "AS9100 (aerospace quality)"
    ISO_13485 = "iso_13485", "ISO 13485 (medical devices quality)"
    ISO_14001 = "iso_14001", "ISO 14001 (environment)"
    ISO_45001 = "iso_45001", "ISO 45001 (occupational health and safety)"
    ISO_50001 = "iso_50001", "ISO 50001 (energy)"
    ISO_27001 = "iso_27001", "ISO/IEC 27001 (information security)"
    SA8000 = "sa8000", "SA8000 (social accountability)"
    OTHER = "other", "Other"


KIND_CHOICES: list[tuple[str, str]] = CertificateKind.choices
KINDS: dict[str, str] = dict(KIND_CHOICES)
EXAMPLES = "ISO 9001, IATF 16949, ISO 14001, ISO 45001, AS9100, SA8000, other"

# Older standards and everyday names that mean one of the kinds above.
ALIASES: dict[str, str] = {
    "ohsas18001": "iso_45001",
    "as9100d": "as_9100",
    "en9100": "as_9100",
    "iso27001": "iso_27001",
    "isoiec27001": "iso_27001",
    "iatf": "iatf_16949",
    "tsi16949": "iatf_16949",
    "isots16949": "iatf_16949",
    "ts16949": "iatf_16949",
    "others": "other",
}

_LOOKUP: dict[str, str] = {
    **ALIASES,
    **{code.replace("_", ""): code for code in KINDS},
}
# Separators and an edition year ("ISO 9001:2015", "IATF-16949/2016") do not change the kind.
_EDITION = re.compile(r"[:/](19|20)\d\d$")
_SEPARATORS = re.compile(r"[\s\-_.]+")


def certificate_kind_code(value) -> str | None:
    """The canonical code for a kind as written (any case, spacing or edition); None if unknown."""
    if not isinstance(value, str):
        return None
    key = _EDITION.sub("", value.strip().lower())
    key = _SEPARATORS.sub("", key)
    return _LOOKUP.get(key)


def certificate_kind_error(value) -> str:
    shown = str(value)[:30]
    return f"'{shown}' is not a certificate kind we know. Use one of: {EXAMPLES}."


def certificate_kind_normalise(value, *, field: str = "kind") -> str:
    """The canonical code, or a ValidationError naming a few accepted kinds."""
    code = certificate_kind_code(value)
    if code is None:
        raise ValidationError({field: certificate_kind_error(value)})
    return code


def certificate_kind_label(code: str) -> str:
    return KINDS.get(code, code)
