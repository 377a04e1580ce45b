"""/api/v1/ resources of the suppliers app."""

from suppliers.api.qualification import AssessmentViewSet, EsgAnswerViewSet
from suppliers.api.suppliers import (
    CertificateSerializer,
    CertificateViewSet,
    SupplierSerializer,
    SupplierViewSet,
)

__all__ = [
    "AssessmentViewSet",
    "CertificateSerializer",
    "CertificateViewSet",
    "EsgAnswerViewSet",
    "SupplierSerializer",
    "SupplierViewSet",
]
