from django.contrib import admin

from outbox.models import PendingCell, PendingRefresh, PendingRescore


@admin.register(PendingRefresh)
class PendingRefreshAdmin(admin.ModelAdmin):
    """Suppliers whose changes the engine has not picked up yet: a queue that stays long
    means the workers are down or behind. Read-only (the engine owns it)."""

    list_display = ("supplier", "requested_at")
    list_select_related = ("supplier",)
    search_fields = ("supplier__code",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PendingCell)
class PendingCellAdmin(PendingRefreshAdmin):
    """(Supplier, month) KPI cells waiting for their refresh."""

    list_display = ("supplier", "month", "requested_at")


@admin.register(PendingRescore)
class PendingRescoreAdmin(PendingRefreshAdmin):
    list_display = ("requested_at",)
    list_select_related = ()
    search_fields = ()
