"""Filters for orders, ship notices, receipts, inspections and FX rates.

Shared by the pages and the API. Supplier and part choices are limited to what the user
may see, so a supplier contact cannot probe other suppliers through a filter.
"""

import django_filters
from django.utils import timezone

from parts.filters import visible_parts_for
from purchasing.models import (
    FxRate,
    Inspection,
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
    ShipNotice,
)
from suppliers.filters import SupplierCodeFilter


def PartNumberFilter(field_name: str, **kwargs):  # noqa: N802
    return django_filters.ModelChoiceFilter(
        field_name=field_name,
        queryset=visible_parts_for,
        to_field_name="number",
        label="Part number",
        **kwargs,
    )


class PurchaseOrderFilter(django_filters.FilterSet):
    number = django_filters.CharFilter(lookup_expr="iexact")
    supplier = SupplierCodeFilter()
    part = PartNumberFilter("lines__part", distinct=True)
    status = django_filters.MultipleChoiceFilter(
        field_name="lines__status",
        choices=PurchaseOrderLine.Status.choices,
        distinct=True,
        label="Has a line with status",
    )
    currency = django_filters.CharFilter(lookup_expr="iexact")
    order_date = django_filters.DateFromToRangeFilter()
    promised_date = django_filters.DateFromToRangeFilter(
        field_name="lines__promised_date", distinct=True, label="Has a line promised between"
    )
    acknowledged = django_filters.BooleanFilter(
        method="filter_acknowledged", label="Every line acknowledged"
    )
    due = django_filters.DateFromToRangeFilter(
        field_name="lines__expected_date", distinct=True, label="Has a line expected between"
    )
    late = django_filters.BooleanFilter(method="filter_late", label="Has an open line overdue")

    class Meta:
        model = PurchaseOrder
        fields = ["number", "supplier", "part", "status", "currency", "order_date"]

    def filter_late(self, queryset, name, value):
        overdue = PurchaseOrderLine.objects.filter(
            status=PurchaseOrderLine.Status.OPEN, expected_date__lt=timezone.localdate()
        ).values("purchase_order_id")
        return queryset.filter(pk__in=overdue) if value else queryset.exclude(pk__in=overdue)

    def filter_acknowledged(self, queryset, name, value):
        waiting = PurchaseOrderLine.objects.filter(
            acknowledged_at__isnull=True, status=PurchaseOrderLine.Status.OPEN
        ).values("purchase_order_id")
        return queryset.exclude(pk__in=waiting) if value else queryset.filter(pk__in=waiting)


class ShipNoticeFilter(django_filters.FilterSet):
    number = django_filters.CharFilter(lookup_expr="iexact")
    supplier = SupplierCodeFilter()
    purchase_order = django_filters.CharFilter(
        field_name="lines__line__purchase_order__number", distinct=True, label="PO number"
    )
    ship_date = django_filters.DateFromToRangeFilter()
    eta = django_filters.DateFromToRangeFilter()
    is_delivered = django_filters.BooleanFilter()
    carrier = django_filters.CharFilter(lookup_expr="icontains")
    tracking_number = django_filters.CharFilter()

    class Meta:
        model = ShipNotice
        fields = ["number", "supplier", "ship_date", "eta", "is_delivered", "carrier"]


class ReceiptFilter(django_filters.FilterSet):
    number = django_filters.CharFilter()
    supplier = SupplierCodeFilter(field_name="line__purchase_order__supplier")
    part = PartNumberFilter("line__part")
    purchase_order = django_filters.CharFilter(
        field_name="line__purchase_order__number", label="PO number"
    )
    receipt_date = django_filters.DateFromToRangeFilter()
    cost_currency = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Receipt
        fields = ["number", "supplier", "part", "purchase_order", "receipt_date"]


class InspectionFilter(django_filters.FilterSet):
    supplier = SupplierCodeFilter(field_name="receipt__line__purchase_order__supplier")
    part = PartNumberFilter("receipt__line__part")
    receipt = django_filters.CharFilter(field_name="receipt__number", label="Receipt number")
    inspection_date = django_filters.DateFromToRangeFilter()
    disposition = django_filters.MultipleChoiceFilter(choices=Inspection.Disposition.choices)
    has_defects = django_filters.BooleanFilter(method="filter_has_defects")

    class Meta:
        model = Inspection
        fields = ["supplier", "part", "receipt", "inspection_date", "disposition"]

    def filter_has_defects(self, queryset, name, value):
        return (
            queryset.filter(defective_quantity__gt=0)
            if value
            else queryset.filter(defective_quantity=0)
        )


class FxRateFilter(django_filters.FilterSet):
    currency = django_filters.CharFilter(lookup_expr="iexact")
    date = django_filters.DateFromToRangeFilter()

    class Meta:
        model = FxRate
        fields = ["currency", "date"]


class PurchaseOrderLineFilter(django_filters.FilterSet):
    """Order lines, as listed behind an OTD figure and on the purchase-order pages."""

    supplier = SupplierCodeFilter(field_name="purchase_order__supplier")
    part = PartNumberFilter("part")
    purchase_order = django_filters.CharFilter(
        field_name="purchase_order__number", lookup_expr="iexact", label="PO number"
    )
    status = django_filters.MultipleChoiceFilter(choices=PurchaseOrderLine.Status.choices)
    promised_date = django_filters.DateFromToRangeFilter()

    class Meta:
        model = PurchaseOrderLine
        fields = ["supplier", "part", "purchase_order", "status", "promised_date"]
