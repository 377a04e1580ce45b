from django.contrib import admin
from django.core.exceptions import ValidationError

from core.admin import ServiceAdmin
from inventory.models import InventoryPosition, InventoryReject
from inventory.services import (
    inventory_position_delete,
    inventory_position_update,
    inventory_positions_create,
    inventory_positions_validate,
)


@admin.register(InventoryPosition)
class InventoryPositionAdmin(ServiceAdmin):
    list_display = ["part", "site", "on_hand", "reorder_point", "read_at", "source"]
    list_filter = ["site", "source"]
    raw_id_fields = ["part"]

    def service_validate(self, request, obj, form, change):
        errors = inventory_positions_validate(positions=[obj])
        if errors:
            raise ValidationError(errors[0])

    def service_create(self, request, obj, form):
        return inventory_positions_create(positions=[obj], validate=True)[0]

    def service_update(self, request, stored, data, form):
        return inventory_position_update(position=stored, data=data, actor=request.user)

    def service_delete(self, request, obj):
        inventory_position_delete(position=obj, actor=request.user)


@admin.register(InventoryReject)
class InventoryRejectAdmin(admin.ModelAdmin):
    """The dead-letter list of stock messages: read-only, kept for the operator to see why."""

    list_display = ["received_at", "topic", "reason"]
    search_fields = ["topic", "reason"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
