from django.contrib import admin

from scorecards.models import (
    PartScorecard,
    RefreshState,
    ScorecardAssignment,
    ScorecardTemplate,
    SupplierScorecard,
)
from scorecards.services import scorecard_templates_changed


def _rescore_on_commit() -> None:
    # Scores follow the template as soon as the change is saved; the KPI figures stay.
    scorecard_templates_changed()


class ScorecardAssignmentInline(admin.TabularInline):
    model = ScorecardAssignment
    extra = 0
    raw_id_fields = ["supplier"]


@admin.register(ScorecardTemplate)
class ScorecardTemplateAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "is_default",
        "otd_weight",
        "defect_ppm_weight",
        "lead_time_weight",
        "landed_cost_weight",
        "updated_at",
    ]
    inlines = [ScorecardAssignmentInline]
    fieldsets = [
        (None, {"fields": ["name", "is_default"]}),
        ("On-time delivery %", {"fields": ["otd_floor_pct", "otd_target_pct", "otd_weight"]}),
        (
            "Defect rate (PPM)",
            {"fields": ["defect_ppm_floor", "defect_ppm_target", "defect_ppm_weight"]},
        ),
        (
            "Mean lead time (days)",
            {"fields": ["lead_time_floor_days", "lead_time_target_days", "lead_time_weight"]},
        ),
        (
            "Landed cost index",
            {
                "fields": [
                    "landed_cost_index_floor",
                    "landed_cost_index_target",
                    "landed_cost_weight",
                ]
            },
        ),
    ]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        _rescore_on_commit()

    def has_delete_permission(self, request, obj=None):
        # The default template scores every unassigned supplier: it may be edited, not removed.
        if obj is not None and obj.is_default:
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        _rescore_on_commit()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        _rescore_on_commit()


@admin.register(ScorecardAssignment)
class ScorecardAssignmentAdmin(admin.ModelAdmin):
    list_display = ["supplier", "template"]
    list_select_related = ["supplier", "template"]
    raw_id_fields = ["supplier"]
    search_fields = ["supplier__code"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        _rescore_on_commit()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        _rescore_on_commit()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        _rescore_on_commit()


class ScorecardRowAdmin(admin.ModelAdmin):
    """Computed rows: visible for support, never edited by hand."""

    list_filter = ["period"]
    search_fields = ["supplier__code"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SupplierScorecard)
class SupplierScorecardAdmin(ScorecardRowAdmin):
    list_display = [
        "supplier",
        "period",
        "otd_pct",
        "otif_pct",
        "defect_ppm",
        "lead_time_mean_days",
        "landed_cost_index",
        "composite_score",
        "grade",
        "lines_due",
        "receipts_count",
    ]
    list_select_related = ["supplier"]


@admin.register(PartScorecard)
class PartScorecardAdmin(ScorecardRowAdmin):
    list_display = [
        "part",
        "supplier",
        "period",
        "otd_pct",
        "defect_ppm",
        "lead_time_mean_days",
        "landed_unit_cost",
        "quantity_received",
    ]
    list_select_related = ["supplier", "part"]
    search_fields = ["supplier__code", "part__number"]


@admin.register(RefreshState)
class RefreshStateAdmin(admin.ModelAdmin):
    """Bookmarks of the incremental refresh (last contract change consumed, as-of date of
    the last nightly or full run, re-score waiting): read-only."""

    list_display = ["name", "value", "updated_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
