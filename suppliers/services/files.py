"""Uploaded documents (certificates, evidence): checked by their bytes and size."""

from django.conf import settings
from django.core.exceptions import ValidationError

from core.files import sniff_content_type


def evidence_check(document) -> str:
    """The sniffed content type of an accepted PDF, PNG or JPEG; else a ValidationError."""
    limit = settings.CERTIFICATE_MAX_BYTES
    if document.size > limit:
        raise ValidationError(f"The file is {document.size:,} bytes; the limit is {limit:,} bytes.")
    if document.size == 0:
        raise ValidationError("The file is empty.")
    content_type = sniff_content_type(document)
    if content_type is None:
        raise ValidationError("Upload a PDF, PNG or JPEG file.")
    return content_type


def safe_file_name(name: str) -> str:
    """The uploader's file name without folders or control characters, for the download."""
    base = (name or "document").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '";')
    return cleaned[:200] or "document"
