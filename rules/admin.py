"""The engine's records, read-only in the admin: decisions go through the exceptions queue."""

from django.contrib import admin

from rules.models import AllocationBalance, AllocationChange, AllocationException, RuleFiring


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AllocationChange)
class AllocationChangeAdmin(ReadOnlyAdmin):
    list_display = ["part", "rule", "actor", "metric_value", "created_at"]
    search_fields = ["part__number", "reason"]
    list_select_related = ["part", "rule", "actor"]


@admin.register(AllocationException)
class AllocationExceptionAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "supplier", "part", "state", "decided_by", "created_at"]
    list_filter = ["kind", "state"]
    search_fields = ["supplier__code", "part__number"]
    list_select_related = ["supplier", "part", "decided_by"]


@admin.register(RuleFiring)
class RuleFiringAdmin(ReadOnlyAdmin):
    list_display = ["rule", "supplier", "part", "outcome", "metric_value", "fired_at"]
    list_filter = ["outcome"]
    list_select_related = ["rule", "supplier", "part"]


@admin.register(AllocationBalance)
class AllocationBalanceAdmin(ReadOnlyAdmin):
    list_display = ["source", "allocated_quantity", "rebased_at"]
    list_select_related = ["source__part", "source__supplier"]
