"""/api/v1/inventory-positions/: POST records stock readings (one or a list, all or
nothing); GET lists the current position per part × site (docs/inventory.md).
/api/v1/inventory-readings/ lists the readings themselves; /api/v1/inventory-rejects/
the dead-letter list of the MQTT ingest.

Internal data: supplier contacts see no stock (these models have no supplier path, so
`scope_for_user` gives them nothing).
"""

from decimal import Decimal

from drf_spectacular.utils import extend_schema_view
from rest_framework import mixins, serializers, viewsets

from accounts.api import ScopedViewSet
from accounts.selectors import scope_for_user
from core.api import (
    BatchItemSerializer,
    BulkCreateMixin,
    ExportableListMixin,
    add_error,
    bulk_create_schema,
    context_user,
)
from core.fields import SaneDateTimeField
from inventory.filters import InventoryPositionFilter, InventoryReadingFilter, RejectFilter
from inventory.models import InventoryPosition, InventoryReject
from inventory.selectors import (
    days_of_cover,
    inventory_positions,
    inventory_rejects,
)
from inventory.services import inventory_positions_create
from parts.models import Part
from purchasing.api.refs import Row, model_instances
from sites.models import Site

ZERO = Decimal("0")


def _quantity(**kwargs):
    return serializers.DecimalField(max_digits=14, decimal_places=3, min_value=ZERO, **kwargs)


class InventoryPositionSerializer(BatchItemSerializer):
    """One stock reading as posted."""

    id = serializers.IntegerField(read_only=True)
    part = serializers.CharField(source="part.number", max_length=40, help_text="Part number.")
    site = serializers.CharField(source="site.code", max_length=40, help_text="Site code.")
    on_hand = _quantity()
    safety_stock = _quantity(default=ZERO)
    reorder_point = _quantity(default=ZERO)
    read_at = SaneDateTimeField(help_text="When the stock was read.")
    source = serializers.ChoiceField(
        choices=InventoryPosition.Source.choices, default=InventoryPosition.Source.ERP
    )

    def flatten(self, validated):
        for name, key in (("part", "number"), ("site", "code")):
            ref = validated.pop(name, None)
            if ref is not None:
                validated[f"{name}_{key}"] = ref[key]
        return validated

    def instance_values(self, position):
        return {
            "part_number": position.part.number,
            "site_code": position.site.code,
            "on_hand": position.on_hand,
            "safety_stock": position.safety_stock,
            "reorder_point": position.reorder_point,
            "read_at": position.read_at,
            "source": position.source,
        }

    def validate_batch(self, items, errors):
        user = context_user(self.context)
        wanted = {item["part_number"] for item in items if item is not None}
        parts = {
            number: Row(pk=pk, number=number)
            for pk, number in scope_for_user(
                Part.objects.filter(number__in=wanted), user
            ).values_list("pk", "number")
        }
        codes = {item["site_code"] for item in items if item is not None}
        sites = {
            code: Row(pk=pk, code=code)
            for pk, code in scope_for_user(Site.objects.filter(code__in=codes), user).values_list(
                "pk", "code"
            )
        }
        for index, item in enumerate(items):
            if item is None:
                continue
            part = parts.get(item["part_number"])
            if part is None:
                add_error(errors, index, "part", f"No part {item['part_number']}.")
            site = sites.get(item["site_code"])
            if site is None:
                add_error(errors, index, "site", f"No site {item['site_code']}.")
            item["part"], item["site"] = part, site

    @staticmethod
    def _fields(item) -> dict:
        return {
            "part_id": item["part"].pk,
            "site_id": item["site"].pk,
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
            Row(**row, id=position.pk, part=item["part"], site=item["site"])
            for row, item, position in zip(rows, items, created, strict=True)
        ]

    def update(self, instance, validated_data):
        for name, value in self._fields(validated_data).items():
            setattr(instance, name, value)
        instance.save()
        return instance


class PositionSerializer(serializers.Serializer):
    """The current position of a part at a site."""

    part = serializers.CharField(source="part.number")
    part_name = serializers.CharField(source="part.name")
    site = serializers.CharField(source="site.code")
    on_hand = serializers.DecimalField(max_digits=14, decimal_places=3)
    safety_stock = serializers.DecimalField(max_digits=14, decimal_places=3)
    reorder_point = serializers.DecimalField(max_digits=14, decimal_places=3)
    read_at = serializers.DateTimeField(help_text="Time of the current (latest) reading.")
    source = serializers.CharField(help_text="Source of the current reading.")
    in_transit = serializers.DecimalField(
        max_digits=14, decimal_places=3, help_text="Shipped to this site, not yet received."
    )
    on_order = serializers.DecimalField(
        max_digits=14, decimal_places=3, help_text="Open order quantity to this site not shipped."
    )
    days_of_cover = serializers.SerializerMethodField()
    last_sensor_at = serializers.DateTimeField(allow_null=True)
    stale = serializers.BooleanField(
        help_text="Fed by a sensor that has sent nothing for DUALSOURCE_SENSOR_STALE_HOURS."
    )

    def get_days_of_cover(self, position) -> Decimal | None:
        return days_of_cover(position)


@extend_schema_view(create=bulk_create_schema(InventoryPositionSerializer, noun="stock reading"))
class InventoryPositionViewSet(BulkCreateMixin, ScopedViewSet):
    """GET: the current position per part × site; POST: stock readings (one or a list)."""

    queryset = InventoryPosition.objects.select_related("part", "site").order_by(
        "part__number", "site__code", "-read_at", "-id"
    )
    serializer_class = InventoryPositionSerializer
    filterset_class = InventoryPositionFilter
    lookup_value_regex = "[0-9]{1,18}"

    def get_queryset(self):
        if self.action == "list":
            positions = inventory_positions().order_by("part__number", "site__code")
            return scope_for_user(positions, self.request.user)
        return super().get_queryset()

    def get_serializer_class(self):
        return PositionSerializer if self.action == "list" else InventoryPositionSerializer


class ReadingSerializer(serializers.ModelSerializer):
    part = serializers.CharField(source="part.number")
    site = serializers.CharField(source="site.code")

    class Meta:
        model = InventoryPosition
        fields = [
            "id",
            "part",
            "site",
            "on_hand",
            "safety_stock",
            "reorder_point",
            "read_at",
            "source",
            "sensor",
        ]


class InventoryReadingViewSet(ExportableListMixin, viewsets.ReadOnlyModelViewSet):
    """Every stock reading (the history behind the positions), newest first."""

    queryset = InventoryPosition.objects.select_related("part", "site").order_by("-read_at", "-id")
    serializer_class = ReadingSerializer
    filterset_class = InventoryReadingFilter

    def get_queryset(self):
        return scope_for_user(super().get_queryset(), self.request.user)


class RejectSerializer(serializers.ModelSerializer):
    class Meta:
        model = InventoryReject
        fields = ["id", "topic", "payload", "reason", "received_at"]


class InventoryRejectViewSet(
    ExportableListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The dead-letter list: stock messages the MQTT ingest could not record, and why."""

    queryset = InventoryReject.objects.all()
    serializer_class = RejectSerializer
    filterset_class = RejectFilter

    def get_queryset(self):
        return scope_for_user(inventory_rejects(), self.request.user)
