"""Supplier reads, scoped through the one permission selector (`accounts.selectors`)."""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from accounts.selectors import scope_for_user
from suppliers.esg import LABOUR_CERTIFICATES, EsgPoints, esg_points, months_after
from suppliers.models import (
    Certificate,
    EsgAssessment,
    QualificationAssessment,
    QualificationTemplate,
    Supplier,
    SupplierContact,
)


def visible_suppliers(user) -> QuerySet[Supplier]:
    return scope_for_user(Supplier.objects.all(), user)


def certificates_visible(*, user) -> QuerySet[Certificate]:
    return scope_for_user(Certificate.objects.select_related("supplier"), user).order_by(
        "valid_until", "kind", "number"
    )


def certificates_expiring(*, user, today: dt.date) -> QuerySet[Certificate]:
    """Certificates that have expired or expire within the warning period."""
    return certificates_visible(user=user).filter(valid_until__lte=Certificate.warning_until(today))


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


def esg_answers_visible(*, user) -> QuerySet[EsgAssessment]:
    """Every ESG answer the user may see (a contact: its own supplier's), newest first."""
    return scope_for_user(
        EsgAssessment.objects.select_related("supplier", "answered_by"), user
    ).order_by("supplier__code", "-answered_on", "-created_at", "-id")


def esg_weights() -> dict[str, Decimal]:
    template = QualificationTemplate.objects.filter(pk=1).first() or QualificationTemplate()
    return {
        "emissions": template.esg_emissions_weight,
        "waste": template.esg_waste_weight,
        "labour": template.esg_labour_weight,
        "traceability": template.esg_traceability_weight,
    }


def esg_result(answer: EsgAssessment, *, as_of: dt.date, valid_kinds=frozenset(), weights=None):
    return esg_points(
        emissions_kg_co2e_per_eur=answer.emissions_kg_co2e_per_eur,
        waste_recycled_pct=answer.waste_recycled_pct,
        labour=answer.labour,
        traceability_pct=answer.traceability_origin_known_pct,
        evidence_date=answer.evidence_date,
        as_of=as_of,
        valid_certificate_kinds=frozenset(valid_kinds),
        weights=weights,
    )


def esg_scores(
    *, supplier_ids: Iterable[int], as_of: dt.date | None = None
) -> dict[int, EsgPoints]:
    """Each supplier's ESG score from its latest answers, in three queries (latest answers,
    valid labour certificates, the template's weights); suppliers without answers are absent."""
    as_of = as_of or timezone.localdate()
    ids = list(supplier_ids)
    latest = (
        EsgAssessment.objects.filter(supplier_id=OuterRef("supplier_id"))
        .order_by("-answered_on", "-created_at", "-id")
        .values("pk")[:1]
    )
    answers = EsgAssessment.objects.filter(supplier_id__in=ids, pk=Subquery(latest))
    valid: dict[int, set[str]] = {}
    for row in (
        Certificate.objects.filter(supplier_id__in=ids, kind__in=LABOUR_CERTIFICATES)
        .values("supplier_id", "kind")
        .annotate(latest=Max("valid_until"))
    ):
        if row["latest"] >= as_of:
            valid.setdefault(row["supplier_id"], set()).add(row["kind"])
    weights = esg_weights()
    return {
        a.supplier_id: esg_result(
            a, as_of=as_of, valid_kinds=valid.get(a.supplier_id, ()), weights=weights
        )
        for a in answers
    }


def qualification_scores(*, supplier_ids: Iterable[int]) -> dict[int, Decimal | None]:
    """The weighted score of each supplier's latest submitted assessment, in one query."""
    latest = (
        QualificationAssessment.objects.filter(
            supplier_id=OuterRef("supplier_id"), state=QualificationAssessment.State.SUBMITTED
        )
        .order_by("-assessed_on", "-submitted_at", "-id")
        .values("pk")[:1]
    )
    return dict(
        QualificationAssessment.objects.filter(
            supplier_id__in=list(supplier_ids), pk=Subquery(latest)
        ).values_list("supplier_id", "weighted_score")
    )


def assessments_visible(*, user) -> QuerySet[QualificationAssessment]:
    return scope_for_user(
        QualificationAssessment.objects.select_related("supplier", "category", "assessed_by"),
        user,
    ).order_by("-assessed_on", "-id")


def requalification_due_dates(
    suppliers: QuerySet[Supplier] | None = None, *, months: int | None = None
) -> dict[int, tuple[dt.date, bool]]:
    """Approved suppliers → (date the re-qualification falls due, whether an assessment is on
    file). The interval counts from the latest passed submitted assessment, else from the
    supplier's creation (brought over with no assessment on file). One query."""
    if months is None:
        template = QualificationTemplate.objects.filter(pk=1).first() or QualificationTemplate()
        months = template.requalification_months
    rows = (suppliers if suppliers is not None else Supplier.objects.all()).filter(
        status=Supplier.Status.APPROVED
    )
    rows = rows.annotate(
        last_passed=Max(
            "qualification_assessments__assessed_on",
            filter=Q(
                qualification_assessments__state=QualificationAssessment.State.SUBMITTED,
                qualification_assessments__passed=True,
            ),
        )
    ).values_list("pk", "last_passed", "created_at")
    due = {}
    for pk, last_passed, created_at in rows:
        start = last_passed or timezone.localtime(created_at).date()
        due[pk] = (months_after(start, months), last_passed is not None)
    return due


def suppliers_due_for_requalification(
    *, user, as_of: dt.date, within_days: int = 90
) -> list[tuple[Supplier, dt.date, bool]]:
    """Approved suppliers whose re-qualification falls due by `as_of + within_days`
    (overdue ones first), with the due date and whether an assessment is on file."""
    due = requalification_due_dates(scope_for_user(Supplier.objects.all(), user))
    horizon = as_of + dt.timedelta(days=within_days)
    ids = [pk for pk, (day, _) in due.items() if day <= horizon]
    suppliers = {s.pk: s for s in Supplier.objects.filter(pk__in=ids).select_related("owner")}
    return sorted(
        ((suppliers[pk], due[pk][0], due[pk][1]) for pk in ids),
        key=lambda row: (row[1], row[0].code),
    )
