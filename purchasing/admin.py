from django.contrib import admin

from purchasing.models import (
    FxRate,
    Inspection,
    PendingCell,
    PendingRefresh,
    PromiseRevision,
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
    ShipNotice,
    ShipNoticeLine,
    TransitEvent,
)
from purchasing.services import fx_rate_delete, fx_rate_save


class PurchaseOrderLineInline(admin.TabularInline):
    model = PurchaseOrderLine
    extra = 0
    raw_id_fields = ["part"]


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(admin.ModelAdmin):
    list_display = ["number", "supplier", "order_date", "currency"]
    search_fields = ["number", "supplier__code"]
    date_hierarchy = "order_date"
    raw_id_fields = ["supplier", "created_by"]
    inlines = [PurchaseOrderLineInline]


@admin.register(PurchaseOrderLine)
class PurchaseOrderLineAdmin(admin.ModelAdmin):
    list_display = ["__str__", "part", "quantity", "requested_date", "promised_date", "status"]
    list_filter = ["status"]
    search_fields = ["purchase_order__number", "part__number"]
    raw_id_fields = ["purchase_order", "part"]


@admin.register(PromiseRevision)
class PromiseRevisionAdmin(admin.ModelAdmin):
    list_display = ["line", "previous_date", "new_date", "reason", "created_at"]
    raw_id_fields = ["line", "created_by"]


class ShipNoticeLineInline(admin.TabularInline):
    model = ShipNoticeLine
    extra = 0
    raw_id_fields = ["line"]


class TransitEventInline(admin.TabularInline):
    model = TransitEvent
    extra = 0


@admin.register(ShipNotice)
class ShipNoticeAdmin(admin.ModelAdmin):
    list_display = ["number", "supplier", "ship_date", "eta", "carrier", "is_delivered"]
    raw_id_fields = ["supplier"]
    inlines = [ShipNoticeLineInline, TransitEventInline]


@admin.register(Receipt)
class ReceiptAdmin(admin.ModelAdmin):
    list_display = ["number", "line", "receipt_date", "quantity", "cost_currency"]
    search_fields = ["number", "line__purchase_order__number"]
    date_hierarchy = "receipt_date"
    raw_id_fields = ["line", "ship_notice"]


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = ["receipt", "inspection_date", "inspected_quantity", "defective_quantity"]
    date_hierarchy = "inspection_date"
    raw_id_fields = ["receipt"]


@admin.register(FxRate)
class FxRateAdmin(admin.ModelAdmin):
    list_display = ["currency", "date", "rate"]
    list_filter = ["currency"]

    # Through the services, so the KPI months a rate covers are marked for refresh.
    def save_model(self, request, obj, form, change):
        fx_rate_save(rate=obj)

    def delete_model(self, request, obj):
        fx_rate_delete(rate=obj)

    def delete_queryset(self, request, queryset):
        for rate in queryset:
            fx_rate_delete(rate=rate)


@admin.register(PendingRefresh)
class PendingRefreshAdmin(admin.ModelAdmin):
    """Suppliers whose changes the refresh task has not picked up yet: a queue that
    stays long means the workers are down or behind."""

    list_display = ["supplier", "requested_at"]
    list_select_related = ["supplier"]
    search_fields = ["supplier__code"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PendingCell)
class PendingCellAdmin(admin.ModelAdmin):
    """(Supplier, month) KPI cells waiting for their refresh (see PendingRefresh)."""

    list_display = ["supplier", "month", "requested_at"]
    list_select_related = ["supplier"]
    search_fields = ["supplier__code"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
