from django.contrib import admin

from suppliers.models import (
    Certificate,
    EsgAssessment,
    QualificationAssessment,
    QualificationCriterion,
    QualificationScore,
    Supplier,
    SupplierContact,
)


class SupplierContactInline(admin.TabularInline):
    model = SupplierContact
    extra = 0
    raw_id_fields = ["user"]


class CertificateInline(admin.TabularInline):
    model = Certificate
    extra = 0


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "country", "region", "currency", "status", "owner"]
    list_filter = ["status", "region", "currency"]
    search_fields = ["code", "name"]
    raw_id_fields = ["owner", "primary_contact"]
    inlines = [SupplierContactInline, CertificateInline]


@admin.register(SupplierContact)
class SupplierContactAdmin(admin.ModelAdmin):
    list_display = ["user", "supplier", "job_title", "is_admin"]
    list_filter = ["is_admin"]
    search_fields = ["user__username", "supplier__code"]
    raw_id_fields = ["user", "supplier"]


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
