"""Parts and approved sources in the admin, saved through `parts.services`: unit codes,
share rules and the source audit hold as they do for the API."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from core.admin import ServiceAdmin, form_values
from core.services import delete_refusal
from core.units import unit_code, unit_error
from parts.category_services import part_category_create, part_category_update
from parts.models import ApprovedSource, InspectionCharacteristic, Part, PartCategory, SourceChange
from parts.services import (
    approved_sources_create,
    part_create,
    part_delete,
    part_update,
    source_create,
    source_delete,
    source_update,
    sources_update,
    sources_validate,
)
from suppliers.certificate_kinds import KIND_CHOICES


class InspectionCharacteristicInline(admin.TabularInline):
    model = InspectionCharacteristic
    extra = 0


class SourceFormSet(forms.BaseInlineFormSet):
    """The sources of one part, checked together (shares may move between them)."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept, deleted = [], []
        for form in self.forms:
            if not getattr(form, "cleaned_data", None):
                continue
            if self.can_delete and self._should_delete_form(form):
                if form.instance.pk:
                    deleted.append(form.instance.pk)
                continue
            kept.append(form)
        if self.instance.pk is None:
            total = sum(
                (f.instance.target_share_pct for f in kept if f.instance.is_active), start=0
            )
            if total > 100:
                raise ValidationError(f"The active sources would take {total}%, more than 100%.")
            return
        for form in kept:
            form.instance.part = self.instance
        errors = sources_validate(sources=[f.instance for f in kept], deleted_pks=deleted)
        for index, fields in errors.items():
            form = kept[index]
            for field, messages in fields.items():
                target = field if field in form.fields else None
                for message in messages:
                    form.add_error(target, message)


class ApprovedSourceInline(admin.TabularInline):
    model = ApprovedSource
    formset = SourceFormSet
    extra = 0
    raw_id_fields = ["supplier"]


class PartForm(forms.ModelForm):
    # Any Rec 20 code or alias (pcs, kg, each); stored as the code.
    unit = forms.CharField(max_length=20, initial="EA")

    class Meta:
        model = Part
        fields = [
            "number",
            "name",
            "unit",
            "category",
            "specification_reference",
            "specification_revision",
            "is_critical",
        ]

    def clean_unit(self):
        code = unit_code(self.cleaned_data["unit"])
        if code is None:
            raise ValidationError(unit_error(self.cleaned_data["unit"]))
        return code


@admin.register(Part)
class PartAdmin(ServiceAdmin):
    form = PartForm
    list_display = ["number", "name", "unit", "category", "is_critical"]
    list_filter = ["category", "unit", "is_critical"]
    search_fields = ["number", "name"]
    inlines = [ApprovedSourceInline, InspectionCharacteristicInline]

    def service_create(self, request, obj, form):
        values = form_values(obj, form)
        return part_create(actor=request.user, **values)

    def service_update(self, request, stored, data, form):
        return part_update(part=stored, data=data, actor=request.user)

    def service_delete(self, request, obj):
        part_delete(part=obj, actor=request.user)

    def delete_refusal(self, obj):
        reason = delete_refusal(obj, owned=("checklist",))
        return f"{reason} refer to it" if reason else None

    def save_formset(self, request, form, formset, change):
        part = form.instance
        if formset.model is InspectionCharacteristic:
            formset.save(commit=False)
            deleted = {c.pk for c in formset.deleted_objects}
            changed = {c.pk: c for c, _ in formset.changed_objects}
            checklist = [changed.get(c.pk, c) for c in part.checklist.all() if c.pk not in deleted]
            checklist += formset.new_objects
            # Matched by code: the rows are upserted on (part, code), not by id.
            checklist = [
                InspectionCharacteristic(
                    code=c.code, description=c.description, is_critical=c.is_critical
                )
                for c in checklist
            ]
            part_update(part=part, data={}, checklist=checklist, actor=request.user)
            return
        if formset.model is ApprovedSource:
            sources_formset_save(formset, part=part, actor=request.user)
            return
        super().save_formset(request, form, formset, change)


def sources_formset_save(formset, *, part: Part, actor) -> None:
    """Deletions, then changes, then additions: each step keeps the shares within 100%
    when the whole page does (the formset checked that)."""
    formset.save(commit=False)
    for source in formset.deleted_objects:
        source_delete(source=source, actor=actor)
    updates = []
    for source, changed in formset.changed_objects:
        stored = ApprovedSource.objects.select_related("part", "supplier").get(pk=source.pk)
        updates.append((stored, {name: getattr(source, name) for name in changed}))
    if updates:
        sources_update(updates=updates, actor=actor)
    for source in formset.new_objects:
        source.part = part
    if formset.new_objects:
        approved_sources_create(sources=formset.new_objects, actor=actor, validate=True)


@admin.register(ApprovedSource)
class ApprovedSourceAdmin(ServiceAdmin):
    list_display = ["part", "supplier", "target_share_pct", "unit_price", "currency"]
    search_fields = ["part__number", "supplier__code"]
    raw_id_fields = ["part", "supplier"]

    def service_validate(self, request, obj, form, change):
        if obj.part_id is None or obj.supplier_id is None:
            return  # the form already says which is missing
        errors = sources_validate(sources=[obj])
        if errors:
            raise ValidationError(errors[0])

    def service_create(self, request, obj, form):
        values = form_values(obj, form)
        return source_create(actor=request.user, **values)

    def service_update(self, request, stored, data, form):
        return source_update(source=stored, data=data, actor=request.user)

    def service_delete(self, request, obj):
        source_delete(source=obj, actor=request.user)


@admin.register(SourceChange)
class SourceChangeAdmin(admin.ModelAdmin):
    """The audit of source changes: read only."""

    list_display = ["changed_at", "part_number", "supplier_code", "action", "actor"]
    list_filter = ["action"]
    search_fields = ["part_number", "supplier_code"]
    readonly_fields = [f.name for f in SourceChange._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PartCategoryForm(forms.ModelForm):
    required_certificates = forms.MultipleChoiceField(
        choices=KIND_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Certificate kinds a supplier must hold, valid, to source a part of it.",
    )

    class Meta:
        model = PartCategory
        fields = ["code", "name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["required_certificates"].initial = self.instance.required_kinds


@admin.register(PartCategory)
class PartCategoryAdmin(ServiceAdmin):
    """Part categories and the certificates their sources must hold (`parts.category_services`)."""

    form = PartCategoryForm
    list_display = ["code", "name", "required_list"]
    search_fields = ["code", "name"]

    @admin.display(description="Required certificates")
    def required_list(self, obj):
        return ", ".join(obj.required_kinds) or "—"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("required_certificates")

    def service_create(self, request, obj, form):
        return part_category_create(
            code=obj.code,
            name=obj.name,
            required_certificates=form.cleaned_data.get("required_certificates", []),
            actor=request.user,
        )

    def service_update(self, request, stored, data, form):
        return part_category_update(
            category=stored,
            data=data,
            required_certificates=form.cleaned_data.get("required_certificates", []),
            actor=request.user,
        )
