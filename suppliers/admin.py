from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from core.admin import ServiceAdmin, form_values
from core.services import delete_refusal, model_update
from suppliers.certificate_kinds import certificate_kind_code, certificate_kind_error
from suppliers.models import (
    Certificate,
    EsgAssessment,
    QualificationAssessment,
    QualificationCriterion,
    QualificationScore,
    QualificationTemplate,
    Supplier,
    SupplierContact,
    SupplierEsgScore,
    SupplierStatusChange,
)
from suppliers.services import (
    qualification_template_update,
    supplier_contact_create,
    supplier_create,
    supplier_delete,
    supplier_owner_ids,
    supplier_update,
    suppliers_validate,
)
from suppliers.services.status import supplier_status_check


class SupplierAdminForm(forms.ModelForm):
    status_reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why the status changes (required to disqualify); kept in the audit.",
    )

    class Meta:
        model = Supplier
        fields = [
            "code",
            "name",
            "country",
            "region",
            "currency",
            "status",
            "owner",
            "primary_contact",
        ]


class SupplierContactInline(admin.TabularInline):
    model = SupplierContact
    extra = 0
    raw_id_fields = ["user"]


class CertificateInline(admin.TabularInline):
    model = Certificate
    extra = 0


@admin.register(Supplier)
class SupplierAdmin(ServiceAdmin):
    """Saved through `suppliers.services`: the status lifecycle, the owner (a buyer) and the
    primary contact (one of the supplier's own contacts) hold as for the API."""

    list_display = ["code", "name", "country", "region", "currency", "status", "owner"]
    list_filter = ["status", "region", "currency"]
    search_fields = ["code", "name"]
    raw_id_fields = ["owner", "primary_contact"]
    inlines = [SupplierContactInline, CertificateInline]
    form = SupplierAdminForm

    def service_validate(self, request, obj, form, change):
        if not change:
            # An admin may bring a supplier over from another system in any status.
            errors = suppliers_validate(suppliers=[obj], actor=request.user)
            if errors:
                raise ValidationError(errors[0])
            return
        stored = Supplier.objects.get(pk=obj.pk)
        errors = {}
        try:
            supplier_status_check(
                supplier=stored,
                status=obj.status,
                actor=request.user,
                reason=form.cleaned_data.get("status_reason", ""),
            )
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
        errors = {("status" if k == "reason" else k): v for k, v in errors.items()}
        if obj.owner_id not in (None, stored.owner_id) and not supplier_owner_ids([obj.owner_id]):
            errors["owner"] = "The owner must be an active buyer or admin."
        if obj.primary_contact_id and obj.primary_contact.supplier_id != obj.pk:
            errors["primary_contact"] = f"The primary contact must work at {obj.code}."
        if errors:
            raise ValidationError(errors)

    def service_create(self, request, obj, form):
        return supplier_create(actor=request.user, **form_values(obj, form))

    def service_update(self, request, stored, data, form):
        data["reason"] = form.cleaned_data.get("status_reason", "")
        return supplier_update(supplier=stored, data=data, actor=request.user)

    def service_delete(self, request, obj):
        supplier_delete(supplier=obj, actor=request.user)

    def delete_refusal(self, obj):
        reason = delete_refusal(obj)
        return f"{reason} refer to it; disqualify it instead" if reason else None

    def save_formset(self, request, form, formset, change):
        if formset.model is SupplierContact:
            # New contacts through the service: the first becomes the primary contact.
            formset.save(commit=False)
            for contact in formset.deleted_objects:
                contact.delete()
            for contact, _ in formset.changed_objects:
                contact.save()
            for contact in formset.new_objects:
                supplier_contact_create(
                    user=contact.user,
                    supplier=form.instance,
                    job_title=contact.job_title,
                    phone=contact.phone,
                )
            return
        super().save_formset(request, form, formset, change)


@admin.register(SupplierContact)
class SupplierContactAdmin(ServiceAdmin):
    list_display = ["user", "supplier", "job_title", "is_admin"]
    list_filter = ["is_admin"]
    search_fields = ["user__username", "supplier__code"]
    raw_id_fields = ["user", "supplier"]

    def service_create(self, request, obj, form):
        # The service makes a supplier's first contact its primary contact.
        return supplier_contact_create(
            user=obj.user, supplier=obj.supplier, job_title=obj.job_title, phone=obj.phone
        )

    def service_update(self, request, stored, data, form):
        model_update(instance=stored, fields=["user", "supplier", "job_title", "phone"], data=data)
        return stored


@admin.register(QualificationTemplate)
class QualificationTemplateAdmin(admin.ModelAdmin):
    """The one template (a single row, never added or deleted): pass mark, re-qualification
    interval, ESG weights; the criteria are edited beside it. Saved through the service."""

    list_display = ["__str__", "pass_mark", "requalification_months"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in form.changed_data}
        qualification_template_update(data=data, actor=request.user)


@admin.register(QualificationCriterion)
class QualificationCriterionAdmin(admin.ModelAdmin):
    """The template's criteria: weight and knock-out minimum. An assessment keeps the
    weights and minimums it was opened with."""

    list_display = ["code", "name", "weight", "knockout_minimum", "is_active"]


class QualificationScoreInline(admin.TabularInline):
    model = QualificationScore
    extra = 0
    fields = ["criterion", "score", "weight", "knockout_minimum", "comment", "evidence_name"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(QualificationAssessment)
class QualificationAssessmentAdmin(admin.ModelAdmin):
    """Read-only here: assessments are opened, scored and submitted on the supplier page
    or through the API, where the template and the outcome are applied."""

    list_display = [
        "supplier",
        "category",
        "assessed_on",
        "state",
        "weighted_score",
        "passed",
        "assessed_by",
    ]
    list_filter = ["state", "passed"]
    search_fields = ["supplier__code"]
    inlines = [QualificationScoreInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SupplierStatusChange)
class SupplierStatusChangeAdmin(admin.ModelAdmin):
    list_display = ["supplier", "from_status", "to_status", "actor", "changed_at", "reason"]
    list_filter = ["to_status"]
    search_fields = ["supplier__code"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CertificateAdminForm(forms.ModelForm):
    kind = forms.CharField(
        max_length=40, help_text="ISO 9001, iso9001, IATF16949, ... stored as its code."
    )

    class Meta:
        model = Certificate
        fields = ["supplier", "kind", "number", "issued_by", "valid_until", "document"]

    def clean_kind(self):
        code = certificate_kind_code(self.cleaned_data["kind"])
        if code is None:
            raise ValidationError(certificate_kind_error(self.cleaned_data["kind"]))
        return code


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    form = CertificateAdminForm
    list_display = ["supplier", "kind", "number", "valid_until"]
    list_filter = ["kind"]
    raw_id_fields = ["supplier"]


@admin.register(EsgAssessment)
class EsgAssessmentAdmin(admin.ModelAdmin):
    list_display = ["supplier", "answered_on", "overall_score"]
    raw_id_fields = ["supplier"]


@admin.register(SupplierEsgScore)
class SupplierEsgScoreAdmin(admin.ModelAdmin):
    """Computed from the latest ESG answers; read only."""

    list_display = ["supplier", "esg_score", "as_of", "computed_at"]
    search_fields = ["supplier__code"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
