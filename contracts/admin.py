from django.contrib import admin

from contracts.models import Contract, ContractChange, ContractRule, PriceTier, VolumeCommitment


class ContractRuleInline(admin.TabularInline):
    model = ContractRule
    extra = 0
    raw_id_fields = ["part"]


class PriceTierInline(admin.TabularInline):
    model = PriceTier
    extra = 0
    raw_id_fields = ["part"]


class VolumeCommitmentInline(admin.TabularInline):
    model = VolumeCommitment
    extra = 0
    raw_id_fields = ["part"]


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ["reference", "supplier", "valid_from", "valid_to"]
    search_fields = ["reference", "supplier__code"]
    raw_id_fields = ["supplier"]
    inlines = [ContractRuleInline, PriceTierInline, VolumeCommitmentInline]


@admin.register(ContractRule)
class ContractRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "contract", "metric", "comparator", "threshold", "action", "is_active"]
    list_filter = ["metric", "action", "is_active"]
    raw_id_fields = ["contract", "part"]


@admin.register(ContractChange)
class ContractChangeAdmin(admin.ModelAdmin):
    list_display = ["contract", "object_type", "object_id", "kind", "actor", "changed_at"]
    readonly_fields = [f.name for f in ContractChange._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
