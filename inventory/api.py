"""/api/v1/inventory-positions/: stock readings; POST a list to record many at once.

Internal data: supplier contacts see no stock levels (InventoryPosition has no
supplier path, so `scope_for_user` gives them nothing).
"""

from decimal import Decimal

from drf_spectacular.utils import extend_schema_view
from rest_framework import serializers

from accounts.api import ScopedViewSet
from accounts.selectors import scope_for_user
from core.api import (
    BatchItemSerializer,
    BulkCreateMixin,
    add_error,
    bulk_create_schema,
    context_user,
)
from core.fields import SaneDateTimeField
from inventory.filters import InventoryPositionFilter
from inventory.models import InventoryPosition
from inventory.services import inventory_positions_create
from parts.models import Part
from purchasing.api.refs import Row, model_instances

ZERO = Decimal("0")


def _quantity(**kwargs):
    return serializers.DecimalField(max_digits=14, decimal_places=3, min_value=ZERO, **kwargs)


class InventoryPositionSerializer(BatchItemSerializer):
    id = serializers.IntegerField(read_only=True)
    part = serializers.CharField(source="part.number", max_length=40, help_text="Part number.")
    site = serializers.CharField(max_length=40)
    on_hand = _quantity()
    safety_stock = _quantity(default=ZERO)
    reorder_point = _quantity(default=ZERO)
    read_at = SaneDateTimeField(help_text="When the stock was read.")
    source = serializers.ChoiceField(
        choices=InventoryPosition.Source.choices, default=InventoryPosition.Source.ERP
    )

    def flatten(self, validated):
        part = validated.pop("part", None)
        if part is not None:
            validated["part_number"] = part["number"]
        return validated

    def instance_values(self, position):
        return {
            "part_number": position.part.number,
            "site": position.site,
            "on_hand": position.on_hand,
            "safety_stock": position.safety_stock,
            "reorder_point": position.reorder_point,
            "read_at": position.read_at,
            "source": position.source,
        }

    def validate_batch(self, items, errors):
        wanted = {item["part_number"] for item in items if item is not None}
        parts = {
            number: Row(pk=pk, number=number)
            for pk, number in scope_for_user(
                Part.objects.filter(number__in=wanted), context_user(self.context)
            ).values_list("pk", "number")
        }
        for index, item in enumerate(items):
            if item is None:
                continue
            part = parts.get(item["part_number"])
            if part is None:
                add_error(errors, index, "part", f"No part {item['part_number']}.")
            item["part"] = part

    @staticmethod
    def _fields(item) -> dict:
        return {
            "part_id": item["part"].pk,
            "site": item["site"],
            "on_hand": item["on_hand"],
            "safety_stock": item.get("safety_stock", ZERO),
            "reorder_point": item.get("reorder_point", ZERO),
            "read_at": item["read_at"],
            "source": item.get("source", InventoryPosition.Source.ERP),
        }

    def create_batch(self, items):
        rows = [self._fields(item) for item in items]
        created = inventory_positions_create(positions=model_instances(InventoryPosition, rows))
        return [
            Row(**row, id=position.pk, part=item["part"])
            for row, item, position in zip(rows, items, created, strict=True)
        ]

    def update(self, instance, validated_data):
        for name, value in self._fields(validated_data).items():
            setattr(instance, name, value)
        instance.save()
        return instance


@extend_schema_view(create=bulk_create_schema(InventoryPositionSerializer, noun="stock reading"))
class InventoryPositionViewSet(BulkCreateMixin, ScopedViewSet):
    """Stock readings per part and site; `?current=true` keeps the latest reading of each."""

    queryset = InventoryPosition.objects.select_related("part").order_by(
        "part__number", "site", "-read_at", "-id"
    )
    serializer_class = InventoryPositionSerializer
    filterset_class = InventoryPositionFilter
    lookup_value_regex = "[0-9]{1,18}"
