"""/api/v1/parts/ (by part number) and /api/v1/sources/ (approved sources).

Supplier contacts see the parts they are a source of and their own sources, but never
the share fields: with two sources, a contact's own target share would give away the
alternate's share, so contacts get `SupplierSourceSerializer`, which has no shares.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api import NaturalKeyField, ScopedViewSet
from accounts.roles import INTERNAL_ROLES, user_role
from core.api import Conflict, context_user
from core.fields import CurrencyField, UnitField
from core.units import DEFAULT_UNIT
from parts.category_services import (
    part_category_create,
    part_category_lookup,
    part_category_update,
)
from parts.filters import ApprovedSourceFilter, PartFilter
from parts.models import ApprovedSource, InspectionCharacteristic, Part, PartCategory
from parts.services import (
    part_create,
    part_delete,
    part_update,
    source_create,
    source_delete,
    source_update,
)
from suppliers.models import Supplier

HUNDRED = Decimal("100")


class ChecklistItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = InspectionCharacteristic
        fields = ["code", "description", "is_critical"]


@extend_schema_field(OpenApiTypes.STR)
class PartCategoryField(serializers.Field):
    """A part's category by code or name, any case; answered as the code. Categories are
    read once per request (a file import of many parts costs one query)."""

    def to_internal_value(self, data):
        if data in (None, ""):
            return None
        if not isinstance(data, str):
            raise serializers.ValidationError("Use the category's code as text.")
        cache = self.context.setdefault("_part_categories", {})
        if not cache:
            for category in PartCategory.objects.all():
                cache[category.code.lower()] = cache[category.name.lower()] = category
        found = cache.get(data.strip().lower())
        if found is None:
            try:
                found = part_category_lookup(data)
            except DjangoValidationError as exc:
                raise serializers.ValidationError(exc.message_dict["category"]) from None
        return found

    def to_representation(self, value):
        return value.code if value is not None else None


class PartSerializer(serializers.ModelSerializer):
    unit = UnitField(required=False)
    category = PartCategoryField(
        required=False, allow_null=True, help_text="Part category code (or name); null: none."
    )
    checklist = ChecklistItemSerializer(
        many=True,
        required=False,
        help_text="The QC checklist; inspection defect codes refer to its codes. "
        "Sending it replaces the whole checklist.",
    )

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
            "checklist",
        ]

    def validate_number(self, value):
        if self.instance is not None and value != self.instance.number:
            raise serializers.ValidationError(
                "The part number is the part's key in every system; it cannot change."
            )
        return value

    def create(self, validated_data):
        validated_data.setdefault("unit", DEFAULT_UNIT)
        return part_create(
            checklist=validated_data.pop("checklist", []),
            actor=_actor(self.context),
            **validated_data,
        )

    def update(self, instance, validated_data):
        checklist = validated_data.pop("checklist", None)
        return part_update(
            part=instance, data=validated_data, checklist=checklist, actor=_actor(self.context)
        )


def _actor(context):
    user = context_user(context)
    return user if getattr(user, "pk", None) else None


class PartViewSet(ScopedViewSet):
    """Parts; a supplier contact sees the parts its supplier is an approved source of."""

    queryset = Part.objects.prefetch_related("checklist").order_by("number")
    serializer_class = PartSerializer
    filterset_class = PartFilter
    lookup_field = "number"

    def service_delete(self, instance):
        try:
            part_delete(part=instance, actor=self.request.user)
        except DjangoValidationError as exc:
            raise Conflict(" ".join(exc.messages)) from None


class SupplierSourceSerializer(serializers.ModelSerializer):
    """An approved source as its supplier sees it: its own terms, no shares."""

    part = NaturalKeyField(
        slug_field="number", queryset=Part.objects.all(), label_noun="part", read_only=False
    )
    supplier = NaturalKeyField(
        slug_field="code", queryset=Supplier.objects.all(), label_noun="supplier"
    )
    currency = CurrencyField()

    class Meta:
        model = ApprovedSource
        fields = [
            "id",
            "part",
            "supplier",
            "unit_price",
            "currency",
            "lead_time_days",
            "monthly_capacity",
            "moq",
            "pack_size",
            "is_active",
        ]


class SourceSerializer(SupplierSourceSerializer):
    """An approved source with its share of the part's volume (buyers and viewers)."""

    class Meta(SupplierSourceSerializer.Meta):
        fields = [
            "id",
            "part",
            "supplier",
            "target_share_pct",
            "min_share_pct",
            "max_share_pct",
            "unit_price",
            "currency",
            "lead_time_days",
            "monthly_capacity",
            "moq",
            "pack_size",
            "is_active",
        ]
        extra_kwargs = {
            "target_share_pct": {"min_value": Decimal("0"), "max_value": HUNDRED},
            "min_share_pct": {"min_value": Decimal("0"), "max_value": HUNDRED},
            "max_share_pct": {"min_value": Decimal("0"), "max_value": HUNDRED},
            "unit_price": {"min_value": Decimal("0")},
            "monthly_capacity": {"min_value": Decimal("0")},
            "moq": {"min_value": Decimal("0")},
            "pack_size": {"min_value": Decimal("0.001")},
        }
        # Uniqueness of (part, supplier) is checked in validate() with a clearer message.
        validators = []

    def create(self, validated_data):
        return source_create(actor=_actor(self.context), **validated_data)

    def update(self, instance, validated_data):
        return source_update(source=instance, data=validated_data, actor=_actor(self.context))


class SourceViewSet(ScopedViewSet):
    """Approved sources (part × supplier). Supplier contacts see their own, without shares."""

    queryset = ApprovedSource.objects.select_related("part", "supplier").order_by(
        "part__number", "-target_share_pct", "supplier__code"
    )
    serializer_class = SourceSerializer
    filterset_class = ApprovedSourceFilter

    def get_serializer_class(self):
        request = getattr(self, "request", None)
        role = user_role(getattr(request, "user", None))
        if role is not None and role not in INTERNAL_ROLES:
            return SupplierSourceSerializer
        return SourceSerializer

    def perform_destroy(self, instance):
        source_delete(source=instance, actor=self.request.user)


class RequiredKindsField(serializers.ListField):
    """Certificate kinds in, any usual spelling (checked by the service); codes out."""

    def __init__(self, **kwargs):
        kwargs.setdefault("child", serializers.CharField(max_length=40))
        super().__init__(**kwargs)

    def to_representation(self, value):
        return sorted(r.kind for r in value.all())


class PartCategorySerializer(serializers.ModelSerializer):
    required_certificates = RequiredKindsField(
        required=False,
        help_text="Certificate kinds a source must hold (any usual spelling; answered as codes).",
    )

    class Meta:
        model = PartCategory
        fields = ["code", "name", "required_certificates"]

    def validate_code(self, value):
        if self.instance is not None and value != self.instance.code:
            raise serializers.ValidationError("The code is the category's key; it cannot change.")
        return value

    def create(self, validated_data):
        try:
            return part_category_create(actor=_actor(self.context), **validated_data)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None

    def update(self, instance, validated_data):
        kinds = validated_data.pop("required_certificates", None)
        try:
            return part_category_update(
                category=instance,
                data=validated_data,
                required_certificates=kinds,
                actor=_actor(self.context),
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None


class PartCategoryViewSet(ScopedViewSet):
    """Part categories and the certificate kinds their sources must hold (internal)."""

    queryset = PartCategory.objects.prefetch_related("required_certificates").order_by("code")
    serializer_class = PartCategorySerializer
    lookup_field = "code"
    lookup_url_kwarg = "category_code"
    filterset_fields = ["code"]
