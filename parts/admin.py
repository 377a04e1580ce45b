from django.contrib import admin

from parts.models import ApprovedSource, InspectionCharacteristic, Part


class InspectionCharacteristicInline(admin.TabularInline):
    model = InspectionCharacteristic
    extra = 0


class ApprovedSourceInline(admin.TabularInline):
    model = ApprovedSource
    extra = 0
    raw_id_fields = ["supplier"]


@admin.register(Part)
class PartAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "unit", "category", "is_critical"]
    list_filter = ["category", "unit", "is_critical"]
    search_fields = ["number", "name"]
    inlines = [ApprovedSourceInline, InspectionCharacteristicInline]


@admin.register(ApprovedSource)
class ApprovedSourceAdmin(admin.ModelAdmin):
    list_display = ["part", "supplier", "target_share_pct", "unit_price", "currency"]
    search_fields = ["part__number", "supplier__code"]
    raw_id_fields = ["part", "supplier"]
