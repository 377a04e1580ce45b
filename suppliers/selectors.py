"""Supplier reads, scoped through the one permission selector (`accounts.selectors`)."""

import datetime as dt

from django.db.models import QuerySet

from accounts.selectors import scope_for_user
from suppliers.models import Certificate, EsgAssessment, Supplier, SupplierContact


def visible_suppliers(user) -> QuerySet[Supplier]:
    return scope_for_user(Supplier.objects.all(), user)


def certificates_visible(*, user) -> QuerySet[Certificate]:
    return scope_for_user(Certificate.objects.select_related("supplier"), user).order_by(
        "valid_until", "kind", "number"
    )


def certificates_expiring(*, user, today: dt.date, within_days: int) -> QuerySet[Certificate]:
    """Certificates that have expired or expire within `within_days` of `today`."""
    return certificates_visible(user=user).filter(
        valid_until__lte=today + dt.timedelta(days=within_days)
    )


def esg_assessments_visible(*, user, supplier_id: int) -> QuerySet[EsgAssessment]:
    """A supplier's ESG answers, newest first (the first is the current one)."""
    return scope_for_user(
        EsgAssessment.objects.filter(supplier_id=supplier_id).select_related("answered_by"),
        user,
    ).order_by("-answered_on", "-created_at", "-id")


def supplier_contacts_visible(*, user, supplier_id: int) -> QuerySet[SupplierContact]:
    return scope_for_user(
        SupplierContact.objects.filter(supplier_id=supplier_id).select_related("user", "supplier"),
        user,
    ).order_by("user__last_name", "user__first_name", "user__username")
