"""/api/v1/contracts/: contracts by reference; every change is audited (ContractChange)."""

from django.contrib.auth import get_user_model
from rest_framework import serializers

from accounts.api import NaturalKeyField, ScopedViewSet
from contracts.filters import ContractFilter
from contracts.models import Contract, ContractChange

# The audit records updates in the same shape as the creation service writes them.
from contracts.services import _snapshot, contracts_create
from core.api import context_user
from core.fields import SaneDateField
from suppliers.models import Supplier


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
            "otd_target_pct",
            "defect_ppm_target",
            "notes",
        ]
        extra_kwargs = {
            "otd_target_pct": {"min_value": 0, "max_value": 100},
            "defect_ppm_target": {"min_value": 0},
        }

    def validate_reference(self, value):
        if self.instance is not None and value != self.instance.reference:
            raise serializers.ValidationError("The contract reference cannot change.")
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
        return contracts_create(contracts=[Contract(**validated_data)], actor=self._actor())[0]

    def update(self, instance, validated_data):
        before = _snapshot(instance)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        instance.save()
        after = _snapshot(instance)
        if after != before:
            ContractChange.objects.create(
                contract=instance,
                object_type=instance._meta.model_name,
                object_id=instance.pk,
                kind=ContractChange.Kind.UPDATED,
                actor=self._actor(),
                before=before,
                after=after,
            )
        return instance

    def _actor(self):
        user = context_user(self.context)
        return user if isinstance(user, get_user_model()) else None


class ContractViewSet(ScopedViewSet):
    """Contracts; a supplier contact reads its own supplier's contracts."""

    queryset = Contract.objects.select_related("supplier").order_by("reference")
    serializer_class = ContractSerializer
    filterset_class = ContractFilter
    lookup_field = "reference"
    # No DELETE: the audit trail hangs off the contract; end a contract with `valid_to`.
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
