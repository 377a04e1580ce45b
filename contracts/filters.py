"""Contract filters, shared by the contract pages and /api/v1/contracts/."""

import django_filters
from django.db.models import Q

from contracts.models import Contract
from suppliers.filters import SupplierCodeFilter


class ContractFilter(django_filters.FilterSet):
    supplier = SupplierCodeFilter()
    reference = django_filters.CharFilter(lookup_expr="iexact")
    valid_from = django_filters.DateFromToRangeFilter()
    valid_to = django_filters.DateFromToRangeFilter()
    valid_on = django_filters.DateFilter(method="filter_valid_on", label="Valid on date")

    class Meta:
        model = Contract
        fields = ["supplier", "reference", "valid_from", "valid_to"]

    def filter_valid_on(self, queryset, name, value):
        return queryset.filter(
            Q(valid_from__lte=value) & (Q(valid_to__isnull=True) | Q(valid_to__gte=value))
        )
