"""Suppliers, contacts and certificates; qualification; ESG answers."""

from suppliers.models.esg import EsgAssessment, SupplierEsgScore
from suppliers.models.qualification import (
    QualificationAssessment,
    QualificationCriterion,
    QualificationScore,
    QualificationTemplate,
    SupplierStatusChange,
)
from suppliers.models.supplier import (
    Certificate,
    Supplier,
    SupplierContact,
    SupplierQuerySet,
    certificate_document_path,
)

__all__ = [
    "Certificate",
    "EsgAssessment",
    "QualificationAssessment",
    "QualificationCriterion",
    "QualificationScore",
    "QualificationTemplate",
    "Supplier",
    "SupplierContact",
    "SupplierEsgScore",
    "SupplierQuerySet",
    "SupplierStatusChange",
    "certificate_document_path",
]
