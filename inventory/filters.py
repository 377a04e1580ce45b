"""Stock filters, shared by the pages and /api/v1/inventory-*/ (docs/inventory.md)."""

import django_filters
from django.db.models import F

from core.filters import SaneDateTimeFromToRangeFilter
from inventory.models import InventoryPosition, InventoryReject
from purchasing.filters import PartNumberFilter


class InventoryReadingFilter(django_filters.FilterSet):
    part = PartNumberFilter("part")
    site = django_filters.CharFilter(field_name="site__code", lookup_expr="iexact")
    source = django_filters.MultipleChoiceFilter(choices=InventoryPosition.Source.choices)
    read_at = SaneDateTimeFromToRangeFilter()
    sensor = django_filters.CharFilter()

    class Meta:
        model = InventoryPosition
        fields = ["part", "site", "source", "read_at", "sensor"]


class InventoryPositionFilter(django_filters.FilterSet):
    """Filters over `inventory.selectors.inventory_positions` (annotated rows)."""

    part = PartNumberFilter("part")
    site = django_filters.CharFilter(field_name="site__code", lookup_expr="iexact")
    category = django_filters.CharFilter(
        field_name="part__category__code", lookup_expr="iexact", label="Category (code)"
    )
    stale = django_filters.BooleanFilter(method="filter_stale", label="Sensor silent too long")
    below_reorder_point = django_filters.BooleanFilter(
        method="filter_below_reorder", label="On hand + in transit below the reorder point"
    )
    below_safety_stock = django_filters.BooleanFilter(
        method="filter_below_safety", label="On hand + in transit below the safety stock"
    )

    class Meta:
        model = InventoryPosition
        fields = ["part", "site"]

    def filter_stale(self, queryset, name, value):
        return queryset.filter(stale=value)

    def filter_below_reorder(self, queryset, name, value):
        below = queryset.filter(available__lt=F("reorder_point"))
        return below if value else queryset.exclude(available__lt=F("reorder_point"))

    def filter_below_safety(self, queryset, name, value):
        below = queryset.filter(available__lt=F("safety_stock"))
        return below if value else queryset.exclude(available__lt=F("safety_stock"))


class RejectFilter(django_filters.FilterSet):
    topic = django_filters.CharFilter(lookup_expr="icontains")
    reason = django_filters.CharFilter(lookup_expr="icontains")
    received_at = SaneDateTimeFromToRangeFilter()

    class Meta:
        model = InventoryReject
        fields = ["topic", "reason", "received_at"]
