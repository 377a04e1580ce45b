"""Certificate documents: served only through this scoped view, never from a public URL."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

from accounts.access import signed_in
from suppliers.selectors import certificates_visible

SAFE_TYPES = {"application/pdf", "image/png", "image/jpeg"}


@signed_in
def certificate_document(request, pk: int):
    certificate = get_object_or_404(certificates_visible(user=request.user), pk=pk)
    return certificate_document_response(certificate)


def certificate_document_response(certificate) -> FileResponse:
    """The stored file as a download, never rendered inline by the browser."""
    if not certificate.document:
        raise Http404
    try:
        handle = certificate.document.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    content_type = certificate.document_content_type
    if content_type not in SAFE_TYPES:
        content_type = "application/octet-stream"
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=certificate.document_name or f"certificate-{certificate.pk}",
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
