from django.contrib import admin
from django.core.exceptions import ValidationError

from core.admin import ServiceAdmin, form_values
from scorecards.models import (
    PartScorecard,
    RefreshState,
    ScorecardAssignment,
    ScorecardTemplate,
    SupplierScorecard,
)
from scorecards.services import (
    scorecard_assignment_delete,
    scorecard_assignment_set,
    scorecard_assignment_update,
    scorecard_template_create,
    scorecard_template_delete,
    scorecard_template_update,
)


class ScorecardAssignmentInline(admin.TabularInline):
    model = ScorecardAssignment
    extra = 0
    raw_id_fields = ["supplier"]


@admin.register(ScorecardTemplate)
class ScorecardTemplateAdmin(ServiceAdmin):
    """Templates and their assignments are saved through the scorecards services, which
    re-score every supplier on commit."""

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

    def service_validate(self, request, obj, form, change):
        if change and "is_default" in form.changed_data and not obj.is_default:
            raise ValidationError(
                {"is_default": "Make another template the default instead; one is always needed."}
            )

    def service_create(self, request, obj, form):
        return scorecard_template_create(actor=request.user, **form_values(obj, form))

    def service_update(self, request, stored, data, form):
        return scorecard_template_update(template=stored, data=data, actor=request.user)

    def service_delete(self, request, obj):
        scorecard_template_delete(template=obj, actor=request.user)

    def save_formset(self, request, form, formset, change):
        # Assignments of the template (the inline) go through the assignment services.
        formset.save(commit=False)
        for assignment in formset.deleted_objects:
            scorecard_assignment_delete(assignment=assignment, actor=request.user)
        for assignment, changed in formset.changed_objects:
            stored = ScorecardAssignment.objects.get(pk=assignment.pk)
            data = {name: getattr(assignment, name) for name in changed}
            scorecard_assignment_update(assignment=stored, data=data, actor=request.user)
        for assignment in formset.new_objects:
            scorecard_assignment_set(
                supplier=assignment.supplier, template=form.instance, actor=request.user
            )

    def has_delete_permission(self, request, obj=None):
        # The default template scores every unassigned supplier: it may be edited, not removed.
        if obj is not None and obj.is_default:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(ScorecardAssignment)
class ScorecardAssignmentAdmin(ServiceAdmin):
    list_display = ["supplier", "template"]
    list_select_related = ["supplier", "template"]
    raw_id_fields = ["supplier"]
    search_fields = ["supplier__code"]

    def service_create(self, request, obj, form):
        return scorecard_assignment_set(
            supplier=obj.supplier, template=obj.template, actor=request.user
        )

    def service_update(self, request, stored, data, form):
        return scorecard_assignment_update(assignment=stored, data=data, actor=request.user)

    def service_delete(self, request, obj):
        scorecard_assignment_delete(assignment=obj, actor=request.user)


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
