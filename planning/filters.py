"""Planning filters, shared by the pages and the API."""

import django_filters

from planning.models import DemandPlan, ReplenishmentPolicy, ReplenishmentSuggestion
from purchasing.filters import PartNumberFilter


class DemandPlanFilter(django_filters.FilterSet):
    part = PartNumberFilter("part")
    site = django_filters.CharFilter(field_name="site__code", lookup_expr="iexact")
    period_start = django_filters.DateFromToRangeFilter()

    class Meta:
        model = DemandPlan
        fields = ["part", "site", "period_start"]


class PolicyFilter(django_filters.FilterSet):
    part = PartNumberFilter("part")
    site = django_filters.CharFilter(field_name="site__code", lookup_expr="iexact")
    kind = django_filters.ChoiceFilter(choices=ReplenishmentPolicy.Kind.choices)

    class Meta:
        model = ReplenishmentPolicy
        fields = ["part", "site", "kind"]


class SuggestionFilter(django_filters.FilterSet):
    part = PartNumberFilter("part")
    site = django_filters.CharFilter(field_name="site__code", lookup_expr="iexact")
    supplier = django_filters.CharFilter(field_name="supplier__code", lookup_expr="iexact")
    category = django_filters.CharFilter(field_name="part__category__code", lookup_expr="iexact")
    state = django_filters.ChoiceFilter(choices=ReplenishmentSuggestion.State.choices)
    due_before = django_filters.DateFilter(field_name="need_date", lookup_expr="lte")

    class Meta:
        model = ReplenishmentSuggestion
        fields = ["part", "site", "supplier", "category", "state", "due_before"]
