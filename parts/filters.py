"""Part and approved-source filters, shared by the pages and /api/v1/parts/, /sources/."""

import django_filters
from django.db.models import Q

from accounts.selectors import scope_for_user
from core.units import unit_code
from parts.models import ApprovedSource, Part
from suppliers.filters import SupplierCodeFilter


def visible_parts_for(request):
    if request is None:
        return Part.objects.none()
    return scope_for_user(Part.objects.all(), request.user)


class PartFilter(django_filters.FilterSet):
    number = django_filters.CharFilter(lookup_expr="iexact")
    name = django_filters.CharFilter(lookup_expr="icontains")
    unit = django_filters.CharFilter(method="filter_unit", label="Unit (code or alias)")
    category = django_filters.CharFilter(method="filter_category", label="Category (code or name)")
    is_critical = django_filters.BooleanFilter()
    # Parts supplied by this supplier (restricted to suppliers the user may see).
    supplier = SupplierCodeFilter(field_name="sources__supplier", distinct=True)
    q = django_filters.CharFilter(method="search", label="Number or name contains")

    class Meta:
        model = Part
        fields = ["number", "name", "unit", "category", "is_critical", "supplier"]

    def filter_unit(self, queryset, name, value):
        # `pcs` finds the parts stored as H87; an unknown unit matches nothing.
        return queryset.filter(unit=unit_code(value) or "")

    def search(self, queryset, name, value):
        return queryset.filter(Q(number__icontains=value) | Q(name__icontains=value))

    def filter_category(self, queryset, name, value):
        return queryset.filter(Q(category__code__iexact=value) | Q(category__name__iexact=value))


class ApprovedSourceFilter(django_filters.FilterSet):
    part = django_filters.ModelChoiceFilter(
        queryset=visible_parts_for, to_field_name="number", label="Part number"
    )
    supplier = SupplierCodeFilter()
    currency = django_filters.CharFilter(lookup_expr="iexact")
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = ApprovedSource
        fields = ["part", "supplier", "currency", "is_active"]
