from django.contrib import admin
from django.core.exceptions import ValidationError

from core.admin import ServiceAdmin, form_values
from core.services import delete_refusal, model_update
from suppliers.models import (
    Certificate,
    EsgAssessment,
    QualificationAssessment,
    QualificationCriterion,
    QualificationScore,
    Supplier,
    SupplierContact,
)
from suppliers.services import (
    supplier_contact_create,
    supplier_create,
    supplier_delete,
    supplier_owner_ids,
    supplier_update,
    suppliers_validate,
)


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

    def service_validate(self, request, obj, form, change):
        if not change:
            errors = suppliers_validate(suppliers=[obj])
            if errors:
                raise ValidationError(errors[0])
            return
        stored = Supplier.objects.get(pk=obj.pk)
        errors = {}
        if obj.status != stored.status and not stored.can_transition_to(obj.status):
            errors["status"] = f"A supplier cannot go from {stored.status} to {obj.status}."
        if obj.owner_id not in (None, stored.owner_id) and not supplier_owner_ids([obj.owner_id]):
            errors["owner"] = "The owner must be an active buyer or admin."
        if obj.primary_contact_id and obj.primary_contact.supplier_id != obj.pk:
            errors["primary_contact"] = f"The primary contact must work at {obj.code}."
        if errors:
            raise ValidationError(errors)

    def service_create(self, request, obj, form):
        return supplier_create(actor=request.user, **form_values(obj, form))

    def service_update(self, request, stored, data, form):
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


@admin.register(QualificationCriterion)
class QualificationCriterionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "weight", "is_active"]


class QualificationScoreInline(admin.TabularInline):
    model = QualificationScore
    extra = 0


@admin.register(QualificationAssessment)
class QualificationAssessmentAdmin(admin.ModelAdmin):
    list_display = ["supplier", "assessed_on", "minimum_score", "weighted_score", "passed"]
    raw_id_fields = ["supplier", "assessed_by"]
    inlines = [QualificationScoreInline]


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["supplier", "kind", "number", "valid_until"]
    list_filter = ["kind"]
    raw_id_fields = ["supplier"]


@admin.register(EsgAssessment)
class EsgAssessmentAdmin(admin.ModelAdmin):
    list_display = ["supplier", "answered_on", "overall_score"]
    raw_id_fields = ["supplier"]
