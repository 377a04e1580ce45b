"""Supplier filters, shared by the supplier pages and /api/v1/suppliers/."""

import django_filters
from django import forms
from django.db.models import Q

from suppliers.certificate_kinds import certificate_kind_code, certificate_kind_error
from suppliers.models import Certificate, EsgAssessment, QualificationAssessment, Supplier
from suppliers.selectors import visible_suppliers


def visible_suppliers_for(request):
    """Choices for a `supplier` filter: only suppliers the user may see.

    A supplier contact filtering by another supplier's code gets "not a valid choice",
    exactly as for a code that does not exist, so the filter reveals nothing.
    """
    if request is None:
        return Supplier.objects.none()
    return visible_suppliers(request.user)


def SupplierCodeFilter(field_name: str = "supplier", **kwargs):  # noqa: N802
    return django_filters.ModelChoiceFilter(
        field_name=field_name,
        queryset=visible_suppliers_for,
        to_field_name="code",
        label="Supplier code",
        **kwargs,
    )


# The current scorecard's period and the grades, named as scorecards names them: suppliers
# sits below scorecards and cannot import it (tests/workspace/test_filters.py checks both).
CURRENT_SCORECARD_PERIOD = "rolling-90"
GRADES = ("A", "B", "C", "D")


class SupplierFilter(django_filters.FilterSet):
    code = django_filters.CharFilter(lookup_expr="iexact")
    name = django_filters.CharFilter(lookup_expr="icontains")
    status = django_filters.MultipleChoiceFilter(choices=Supplier.Status.choices)
    country = django_filters.CharFilter(lookup_expr="iexact")
    region = django_filters.CharFilter(lookup_expr="iexact")
    currency = django_filters.CharFilter(lookup_expr="iexact")
    owner = django_filters.CharFilter(field_name="owner__username", label="Owner (username)")
    q = django_filters.CharFilter(method="search", label="Code or name contains")
    grade = django_filters.MultipleChoiceFilter(
        choices=[(g, g) for g in GRADES] + [("none", "No grade")],
        method="filter_grade",
        label="Current grade (last 90 days)",
    )

    class Meta:
        model = Supplier
        fields = ["code", "name", "status", "country", "region", "currency", "owner", "grade"]

    def filter_grade(self, queryset, name, value):
        if not value:
            return queryset
        graded = [g for g in value if g != "none"]
        condition = Q(
            pk__in=queryset.model.objects.filter(
                scorecards__period=CURRENT_SCORECARD_PERIOD, scorecards__grade__in=graded
            ).values("pk")
        )
        if "none" in value:
            with_grade = queryset.model.objects.filter(
                scorecards__period=CURRENT_SCORECARD_PERIOD, scorecards__grade__isnull=False
            ).values("pk")
            condition |= ~Q(pk__in=with_grade)
        return queryset.filter(condition)

    def search(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value))


class CertificateKindFormField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return value
        code = certificate_kind_code(value)
        if code is None:
            raise forms.ValidationError(certificate_kind_error(value))
        return code


class CertificateKindFilter(django_filters.CharFilter):
    field_class = CertificateKindFormField


class CertificateFilter(django_filters.FilterSet):
    """`?supplier=CODE&kind=ISO 9001&valid_until__lte=2026-12-31` (kinds in any spelling)."""

    supplier = django_filters.CharFilter(
        field_name="supplier__code", lookup_expr="iexact", label="Supplier code"
    )
    kind = CertificateKindFilter(label="Kind (any usual spelling)")
    valid_until__lte = django_filters.DateFilter(field_name="valid_until", lookup_expr="lte")
    valid_until__gte = django_filters.DateFilter(field_name="valid_until", lookup_expr="gte")

    class Meta:
        model = Certificate
        fields = ["supplier", "kind", "valid_until__lte", "valid_until__gte"]


class AssessmentFilter(django_filters.FilterSet):
    supplier = django_filters.CharFilter(
        field_name="supplier__code", lookup_expr="iexact", label="Supplier code"
    )
    category = django_filters.CharFilter(
        field_name="category__code", lookup_expr="iexact", label="Part category code"
    )

    class Meta:
        model = QualificationAssessment
        fields = ["supplier", "category", "state", "passed"]


class EsgAnswerFilter(django_filters.FilterSet):
    supplier = django_filters.CharFilter(
        field_name="supplier__code", lookup_expr="iexact", label="Supplier code"
    )

    class Meta:
        model = EsgAssessment
        fields = ["supplier"]
