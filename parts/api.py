"""/api/v1/parts/ (by part number) and /api/v1/sources/ (approved sources).

Supplier contacts see the parts they are a source of and their own sources, but never
the share fields: with two sources, a contact's own target share would give away the
alternate's share, so contacts get `SupplierSourceSerializer`, which has no shares.
"""

from decimal import Decimal

from django.db.models import Sum
from rest_framework import serializers

from accounts.api import NaturalKeyField, ScopedViewSet
from accounts.roles import INTERNAL_ROLES, user_role
from core.fields import CurrencyField
from parts.filters import ApprovedSourceFilter, PartFilter
from parts.models import ApprovedSource, InspectionCharacteristic, Part
from parts.services import approved_sources_create, parts_create
from suppliers.models import Supplier

HUNDRED = Decimal("100")


class ChecklistItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = InspectionCharacteristic
        fields = ["code", "description", "is_critical"]


class PartSerializer(serializers.ModelSerializer):
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

    def validate_checklist(self, items):
        codes = [item["code"] for item in items]
        duplicates = sorted({code for code in codes if codes.count(code) > 1})
        if duplicates:
            raise serializers.ValidationError(
                f"Each checklist code may appear once; repeated: {', '.join(duplicates)}."
            )
        return items

    def create(self, validated_data):
        checklist = [
            InspectionCharacteristic(**item) for item in validated_data.pop("checklist", [])
        ]
        return parts_create(parts=[(Part(**validated_data), checklist)])[0]

    def update(self, instance, validated_data):
        checklist = validated_data.pop("checklist", None)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        instance.save()
        if checklist is not None:
            _checklist_replace(instance, checklist)
        return instance


def _checklist_replace(part: Part, items: list[dict]) -> None:
    """Make the part's checklist exactly `items` (matched by code)."""
    codes = [item["code"] for item in items]
    part.checklist.exclude(code__in=codes).delete()
    InspectionCharacteristic.objects.bulk_create(
        [InspectionCharacteristic(part=part, **item) for item in items],
        update_conflicts=True,
        unique_fields=["part", "code"],
        update_fields=["description", "is_critical"],
    )
    # Drop the prefetched checklist so the response shows the new one.
    getattr(part, "_prefetched_objects_cache", {}).pop("checklist", None)


class PartViewSet(ScopedViewSet):
    """Parts; a supplier contact sees the parts its supplier is an approved source of."""

    queryset = Part.objects.prefetch_related("checklist").order_by("number")
    serializer_class = PartSerializer
    filterset_class = PartFilter
    lookup_field = "number"


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
            "is_active",
        ]
        extra_kwargs = {
            "target_share_pct": {"min_value": Decimal("0"), "max_value": HUNDRED},
            "min_share_pct": {"min_value": Decimal("0"), "max_value": HUNDRED},
            "max_share_pct": {"min_value": Decimal("0"), "max_value": HUNDRED},
            "unit_price": {"min_value": Decimal("0")},
            "monthly_capacity": {"min_value": Decimal("0")},
            "moq": {"min_value": Decimal("0")},
        }
        # Uniqueness of (part, supplier) is checked in validate() with a clearer message.
        validators = []

    def validate(self, attrs):
        current = self.instance
        part = attrs.get("part", current.part if current else None)
        supplier = attrs.get("supplier", current.supplier if current else None)
        target = attrs.get("target_share_pct", current.target_share_pct if current else None)
        low = attrs.get("min_share_pct", current.min_share_pct if current else Decimal("0"))
        high = attrs.get("max_share_pct", current.max_share_pct if current else HUNDRED)
        is_active = attrs.get("is_active", current.is_active if current else True)
        errors = {}
        if target is not None and not low <= target <= high:
            errors["target_share_pct"] = (
                f"The target share must lie between the minimum ({low}) and maximum ({high})."
            )
        others = ApprovedSource.objects.filter(part=part)
        if current is not None:
            others = others.exclude(pk=current.pk)
        if others.filter(supplier=supplier).exists():
            errors["supplier"] = f"{supplier.code} is already a source of {part.number}."
        if is_active and target is not None:
            taken = others.filter(is_active=True).aggregate(t=Sum("target_share_pct"))["t"] or 0
            if taken + target > HUNDRED:
                errors["target_share_pct"] = (
                    f"The active sources of {part.number} already take {taken}%; "
                    f"{target}% more would exceed 100%."
                )
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def create(self, validated_data):
        return approved_sources_create(sources=[ApprovedSource(**validated_data)])[0]


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
