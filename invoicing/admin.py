"""Invoices in the admin are read-only: they are submitted, matched and decided through
the portal, the API and the buyer's pages, which call the services."""

from django.contrib import admin

from invoicing.models import Invoice, InvoiceLine


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    extra = 0
    can_delete = False
    readonly_fields = [
        "line",
        "quantity",
        "unit_price",
        "match",
        "ordered_quantity",
        "received_quantity",
        "invoiced_before",
        "expected_price",
    ]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = ["number", "supplier", "invoice_date", "due_date", "total_amount", "status"]
    list_filter = ["status"]
    search_fields = ["number", "supplier__code"]
    list_select_related = ["supplier"]
    inlines = [InvoiceLineInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
