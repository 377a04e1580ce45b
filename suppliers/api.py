"""/api/v1/suppliers/: suppliers by code."""

from django.contrib.auth import get_user_model
from django.db.models import Q
from rest_framework import serializers

from accounts.api import ScopedViewSet
from accounts.roles import Role
from core.api import context_user
from core.fields import CountryField, CurrencyField
from suppliers.filters import SupplierFilter
from suppliers.models import Supplier
from suppliers.services import supplier_create, supplier_update


def _owner_candidates():
    return (
        get_user_model()
        .objects.filter(Q(is_superuser=True) | Q(groups__name=Role.BUYER.value), is_active=True)
        .distinct()
    )


class SupplierSerializer(serializers.ModelSerializer):
    country = CountryField()
    currency = CurrencyField()
    owner = serializers.SlugRelatedField(
        slug_field="username",
        queryset=_owner_candidates(),
        allow_null=True,
        required=False,
        help_text="Username of the buyer who owns the relationship.",
    )
    primary_contact = serializers.CharField(
        source="primary_contact.user.username", read_only=True, default=None
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
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def validate_code(self, value):
        if self.instance is not None and value != self.instance.code:
            raise serializers.ValidationError(
                "The code is the supplier's key in every system; it cannot change."
            )
        return value

    def create(self, validated_data):
        return supplier_create(actor=_actor(self.context), **validated_data)

    def update(self, instance, validated_data):
        # The lifecycle (prospect → qualified → approved ...) is enforced by the service.
        return supplier_update(supplier=instance, data=validated_data, actor=_actor(self.context))


def _actor(context):
    user = context_user(context)
    return user if getattr(user, "pk", None) else None


class SupplierViewSet(ScopedViewSet):
    """Suppliers; a supplier contact sees only its own supplier."""

    queryset = Supplier.objects.select_related("owner", "primary_contact__user").order_by("code")
    serializer_class = SupplierSerializer
    filterset_class = SupplierFilter
    lookup_field = "code"
