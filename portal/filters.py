"""The contact's order-line list filters (its drill-down from the scorecard too)."""

import django_filters
from django.db.models import F
from django.utils import timezone

from purchasing.filters import PartNumberFilter
from purchasing.models import PurchaseOrderLine


class OrderLineFilter(django_filters.FilterSet):
    purchase_order = django_filters.CharFilter(
        field_name="purchase_order__number", lookup_expr="icontains", label="PO number"
    )
    part = PartNumberFilter("part")
    status = django_filters.MultipleChoiceFilter(choices=PurchaseOrderLine.Status.choices)
    acknowledged = django_filters.BooleanFilter(
        field_name="acknowledged_at", lookup_expr="isnull", exclude=True, label="Acknowledged"
    )
    promised_date = django_filters.DateFromToRangeFilter(label="Promised between")
    expected_date = django_filters.DateFromToRangeFilter(label="Expected between")
    past_due = django_filters.BooleanFilter(method="filter_past_due", label="Past due")

    class Meta:
        model = PurchaseOrderLine
        fields = ["purchase_order", "part", "status", "acknowledged", "promised_date"]

    def filter_past_due(self, queryset, name, value):
        late = queryset.filter(
            status=PurchaseOrderLine.Status.OPEN,
            expected_date__lt=timezone.localdate(),
            received_quantity__lt=F("quantity"),
        )
        return late if value else queryset.exclude(pk__in=late.values("pk"))
