"""One FilterSet for the invoice list page, the API and the exports."""

import django_filters

from invoicing.models import Invoice
from suppliers.filters import SupplierCodeFilter


class InvoiceFilter(django_filters.FilterSet):
    number = django_filters.CharFilter(lookup_expr="iexact")
    supplier = SupplierCodeFilter()
    status = django_filters.MultipleChoiceFilter(choices=Invoice.Status.choices)
    invoice_date = django_filters.DateFromToRangeFilter()
    due = django_filters.DateFromToRangeFilter(field_name="due_date", label="Due between")
    amount_min = django_filters.NumberFilter(
        field_name="total_amount", lookup_expr="gte", label="Amount from"
    )
    amount_max = django_filters.NumberFilter(
        field_name="total_amount", lookup_expr="lte", label="Amount up to"
    )

    class Meta:
        model = Invoice
        fields = ["number", "supplier", "status"]
