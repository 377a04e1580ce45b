"""Admin edits go through the contract services, so they are validated and audited too."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from contracts import services
from contracts.forms import ContractAdminForm
from contracts.models import Contract, ContractChange, ContractRule, PriceTier, VolumeCommitment

# model → (field names, create, update, delete) of its service.
_CHILD_SERVICES = {
    ContractRule: (
        services.RULE_FIELDS,
        services.contract_rule_create,
        lambda obj, **kw: services.contract_rule_update(rule=obj, **kw),
        lambda obj, **kw: services.contract_rule_delete(rule=obj, **kw),
    ),
    PriceTier: (
        services.TIER_FIELDS,
        services.price_tier_create,
        lambda obj, **kw: services.price_tier_update(tier=obj, **kw),
        lambda obj, **kw: services.price_tier_delete(tier=obj, **kw),
    ),
    VolumeCommitment: (
        services.COMMITMENT_FIELDS,
        services.volume_commitment_create,
        lambda obj, **kw: services.volume_commitment_update(commitment=obj, **kw),
        lambda obj, **kw: services.volume_commitment_delete(commitment=obj, **kw),
    ),
}


def _values(obj, fields) -> dict:
    return {name: getattr(obj, name) for name in fields}


def _child_save(obj, *, actor) -> None:
    fields, create, update, _ = _CHILD_SERVICES[type(obj)]
    if obj.pk is None:
        created = create(contract=obj.contract, actor=actor, **_values(obj, fields))
        obj.pk = created.pk
    else:
        update(type(obj).objects.get(pk=obj.pk), actor=actor, **_values(obj, fields))


def _child_delete(obj, *, actor) -> None:
    _CHILD_SERVICES[type(obj)][3](obj, actor=actor)


class ContractRuleAdminForm(forms.ModelForm):
    """Runs the rule service's checks, so a bad rule is a field error, not a failed save."""

    def clean(self):
        data = super().clean()
        contract = data.get("contract") or getattr(self.instance, "contract", None)
        if contract is None or self.errors:
            return data
        rule = ContractRule(pk=self.instance.pk, contract=contract)
        for name in services.RULE_FIELDS:
            setattr(rule, name, data.get(name, getattr(self.instance, name)))
        try:
            services.contract_rule_check(rule)
        except ValidationError as error:
            for name, problems in error.message_dict.items():
                self.add_error(name if name in self.fields else None, problems)
        return data


class ContractRuleInline(admin.TabularInline):
    model = ContractRule
    form = ContractRuleAdminForm
    extra = 0
    raw_id_fields = ["part"]
    exclude = ["last_fired_at"]


class PriceTierInline(admin.TabularInline):
    model = PriceTier
    extra = 0
    raw_id_fields = ["part"]
    readonly_fields = ["is_applied"]


class VolumeCommitmentInline(admin.TabularInline):
    model = VolumeCommitment
    extra = 0
    raw_id_fields = ["part"]


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    form = ContractAdminForm
    list_display = ["reference", "supplier", "valid_from", "valid_to"]
    search_fields = ["reference", "supplier__code"]
    raw_id_fields = ["supplier"]
    inlines = [ContractRuleInline, PriceTierInline, VolumeCommitmentInline]

    def save_model(self, request, obj, form, change):
        data = {name: getattr(obj, name) for name in services.CONTRACT_FIELDS}
        if change:
            services.contract_update(contract=obj, actor=request.user, **data)
        else:
            obj.pk = services.contract_create(actor=request.user, **data).pk

    def delete_model(self, request, obj):
        services.contract_delete(contract=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for contract in queryset:
            services.contract_delete(contract=contract, actor=request.user)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            _child_delete(obj, actor=request.user)
        for obj in instances:
            _child_save(obj, actor=request.user)


class _ChildAdmin(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        _child_save(obj, actor=request.user)

    def delete_model(self, request, obj):
        _child_delete(obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            _child_delete(obj, actor=request.user)


@admin.register(ContractRule)
class ContractRuleAdmin(_ChildAdmin):
    form = ContractRuleAdminForm
    list_display = ["name", "contract", "metric", "comparator", "threshold", "action", "is_active"]
    list_filter = ["metric", "action", "is_active"]
    raw_id_fields = ["contract", "part"]
    exclude = ["last_fired_at"]


@admin.register(ContractChange)
class ContractChangeAdmin(admin.ModelAdmin):
    list_display = ["contract", "object_type", "object_id", "kind", "actor", "changed_at"]
    readonly_fields = [f.name for f in ContractChange._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
