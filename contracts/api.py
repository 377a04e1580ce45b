"""/api/v1/contracts/ (by reference) and /api/v1/rules/; every write is audited (ContractChange)."""

import django_filters
from django.contrib.auth import get_user_model
from rest_framework import serializers

from accounts.api import NaturalKeyField, ScopedViewSet
from contracts import services
from contracts.filters import ContractFilter
from contracts.models import Contract, ContractRule
from contracts.selectors import contract_rule_sentence
from core.api import context_user
from core.fields import SaneDateField
from suppliers.filters import SupplierCodeFilter
from suppliers.models import Supplier

# The part model, reached through the rule's foreign key: contracts sit beside parts.
Part = ContractRule._meta.get_field("part").related_model


def _actor(context):
    user = context_user(context)
    return user if isinstance(user, get_user_model()) else None


class ContractSerializer(serializers.ModelSerializer):
    supplier = NaturalKeyField(
        slug_field="code", queryset=Supplier.objects.all(), label_noun="supplier"
    )
    valid_from = SaneDateField()
    valid_to = SaneDateField(required=False, allow_null=True)
    early_tolerance_days = serializers.IntegerField(min_value=0, max_value=365, default=3)
    late_tolerance_days = serializers.IntegerField(min_value=0, max_value=365, default=0)

    class Meta:
        model = Contract
        fields = [
            "reference",
            "supplier",
            "valid_from",
            "valid_to",
            "early_tolerance_days",
            "late_tolerance_days",
            "invoice_quantity_tolerance",
            "invoice_price_tolerance_pct",
            "otd_target_pct",
            "defect_ppm_target",
            "over_delivery_tolerance_pct",
            "notes",
        ]
        extra_kwargs = {
            "over_delivery_tolerance_pct": {"min_value": 0, "max_value": 100},
            "otd_target_pct": {"min_value": 0, "max_value": 100},
            "defect_ppm_target": {"min_value": 0},
            "invoice_quantity_tolerance": {"min_value": 0},
            "invoice_price_tolerance_pct": {"min_value": 0, "max_value": 100},
        }

    def validate_reference(self, value):
        if self.instance is not None and value != self.instance.reference:
            raise serializers.ValidationError("The contract reference cannot change.")
        return value

    def validate_supplier(self, value):
        if self.instance is not None and value != self.instance.supplier:
            raise serializers.ValidationError("The contract supplier cannot change.")
        return value

    def validate(self, attrs):
        valid_from = attrs.get("valid_from", getattr(self.instance, "valid_from", None))
        valid_to = attrs.get("valid_to", getattr(self.instance, "valid_to", None))
        if valid_from and valid_to and valid_to < valid_from:
            raise serializers.ValidationError(
                {"valid_to": "A contract cannot end before it starts."}
            )
        return attrs

    def create(self, validated_data):
        return services.contract_create(actor=_actor(self.context), **validated_data)

    def update(self, instance, validated_data):
        return services.contract_update(
            contract=instance, actor=_actor(self.context), **validated_data
        )


class ContractViewSet(ScopedViewSet):
    """Contracts; a supplier contact reads its own supplier's contracts."""

    queryset = Contract.objects.select_related("supplier").order_by("reference")
    serializer_class = ContractSerializer
    filterset_class = ContractFilter
    lookup_field = "reference"
    # No DELETE: the audit trail hangs off the contract; end a contract with `valid_to`.
    http_method_names = ["get", "post", "put", "patch", "head", "options"]


class RuleFilter(django_filters.FilterSet):
    contract = django_filters.CharFilter(field_name="contract__reference", lookup_expr="iexact")
    supplier = SupplierCodeFilter(field_name="contract__supplier")
    part = django_filters.CharFilter(field_name="part__number", lookup_expr="iexact")

    class Meta:
        model = ContractRule
        fields = ["contract", "supplier", "part", "metric", "action", "is_active"]


class RuleSerializer(serializers.ModelSerializer):
    contract = NaturalKeyField(
        slug_field="reference", queryset=Contract.objects.all(), label_noun="contract"
    )
    part = NaturalKeyField(
        slug_field="number",
        queryset=Part.objects.all(),
        label_noun="part",
        required=False,
        allow_null=True,
        help_text="Part number; null: every part the contract's supplier is a source of.",
    )
    window_days = serializers.IntegerField(min_value=1, max_value=3650, default=90)
    cooldown_days = serializers.IntegerField(min_value=0, max_value=3650, default=30)
    sentence = serializers.SerializerMethodField(help_text="What the rule does, in one sentence.")

    class Meta:
        model = ContractRule
        fields = [
            "id",
            "contract",
            "name",
            "part",
            "metric",
            "window",
            "window_days",
            "comparator",
            "threshold",
            "action",
            "amount",
            "cooldown_days",
            "is_active",
            "last_fired_at",
            "sentence",
        ]
        read_only_fields = ["id", "last_fired_at"]

    def get_sentence(self, rule) -> str:
        return contract_rule_sentence(rule)

    def validate_contract(self, value):
        if self.instance is not None and value != self.instance.contract:
            raise serializers.ValidationError("A rule cannot move to another contract.")
        return value

    def create(self, validated_data):
        contract = validated_data.pop("contract")
        return services.contract_rule_create(
            contract=contract, actor=_actor(self.context), **validated_data
        )

    def update(self, instance, validated_data):
        validated_data.pop("contract", None)
        return services.contract_rule_update(
            rule=instance, actor=_actor(self.context), **validated_data
        )


class RuleViewSet(ScopedViewSet):
    """Contract rules (docs/rules.md), by id; internal: supplier contacts see none."""

    queryset = ContractRule.objects.select_related("contract__supplier", "part").order_by(
        "contract__reference", "name", "pk"
    )
    serializer_class = RuleSerializer
    filterset_class = RuleFilter
    lookup_value_regex = r"[0-9]+"

    def perform_destroy(self, instance):
        services.contract_rule_delete(rule=instance, actor=self.request.user)
