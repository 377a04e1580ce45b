"""Stock reading filters, shared by the pages and /api/v1/inventory-positions/."""

import django_filters
from django.db.models import Exists, OuterRef

from inventory.models import InventoryPosition
from purchasing.filters import PartNumberFilter


class InventoryPositionFilter(django_filters.FilterSet):
    part = PartNumberFilter("part")
    site = django_filters.CharFilter(lookup_expr="iexact")
    source = django_filters.MultipleChoiceFilter(choices=InventoryPosition.Source.choices)
    read_at = django_filters.IsoDateTimeFromToRangeFilter()
    current = django_filters.BooleanFilter(
        method="filter_current", label="Only the latest reading per part and site"
    )

    class Meta:
        model = InventoryPosition
        fields = ["part", "site", "source", "read_at"]

    def filter_current(self, queryset, name, value):
        newer = InventoryPosition.objects.filter(
            part=OuterRef("part"), site=OuterRef("site"), read_at__gt=OuterRef("read_at")
        )
        return queryset.filter(~Exists(newer)) if value else queryset.filter(Exists(newer))
