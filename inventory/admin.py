from django.contrib import admin

from inventory.models import InventoryPosition


@admin.register(InventoryPosition)
class InventoryPositionAdmin(admin.ModelAdmin):
    list_display = ["part", "site", "on_hand", "reorder_point", "read_at", "source"]
    list_filter = ["site", "source"]
    raw_id_fields = ["part"]
