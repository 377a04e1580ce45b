"""/api/v1/ship-notices/ (ASNs) and their transit events.

Supplier contacts post their own ship notices and transit events; a contact's notice
always belongs to its own supplier, and only that supplier's order lines can be shipped.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.api import NaturalKeyField, ScopedViewSet
from accounts.selectors import scope_for_user, user_supplier_id
from core.api import context_user
from core.fields import PositiveDecimalField, SaneDateField, SaneDateTimeField
from core.validators import natural_key_validator
from purchasing.filters import ShipNoticeFilter
from purchasing.models import PurchaseOrderLine, ShipNotice, TransitEvent
from purchasing.services import (
    ship_notice_create,
    ship_notice_delivery_confirm,
    ship_notice_update,
    transit_event_record,
)
from suppliers.models import Supplier


class ShipNoticeLineSerializer(serializers.Serializer):
    purchase_order = serializers.CharField(source="line.purchase_order.number", max_length=40)
    line = serializers.IntegerField(source="line.line_number", min_value=1, max_value=99_999)
    part = serializers.CharField(source="line.part.number", read_only=True)
    quantity = PositiveDecimalField(max_digits=14, decimal_places=3)
    packs = serializers.IntegerField(
        read_only=True, help_text="Whole packs of the source's pack size."
    )


class TransitEventSerializer(serializers.ModelSerializer):
    occurred_at = SaneDateTimeField()
    eta = SaneDateField(required=False, allow_null=True, help_text="New estimated arrival.")
    delivered = serializers.BooleanField(
        write_only=True,
        default=False,
        help_text="The goods arrived at the plant. From a supplier contact this reports the "
        "arrival for a buyer to confirm; receipts and buyers mark a notice delivered.",
    )
    reports_arrival = serializers.BooleanField(read_only=True)

    class Meta:
        model = TransitEvent
        fields = [
            "id",
            "occurred_at",
            "location",
            "eta",
            "description",
            "delivered",
            "reports_arrival",
        ]


class ShipNoticeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(max_length=40, validators=[natural_key_validator])
    supplier = NaturalKeyField(
        slug_field="code",
        queryset=Supplier.objects.all(),
        label_noun="supplier",
        required=False,
        help_text="Supplier code; a supplier contact's notices are always its own supplier's.",
    )
    ship_date = SaneDateField()
    eta = SaneDateField(help_text="Estimated arrival.")
    carrier = serializers.CharField(max_length=100, required=False, allow_blank=True)
    tracking_number = serializers.CharField(max_length=100, required=False, allow_blank=True)
    current_location = serializers.CharField(read_only=True)
    last_event_at = serializers.DateTimeField(read_only=True)
    is_delivered = serializers.BooleanField(read_only=True)
    arrival_reported_at = serializers.DateTimeField(read_only=True)
    lines = ShipNoticeLineSerializer(many=True, allow_empty=False)
    events = TransitEventSerializer(many=True, read_only=True)

    def validate(self, attrs):
        user = context_user(self.context)
        current = self.instance
        supplier = attrs.get("supplier") or (current.supplier if current else None)
        if supplier is None:
            own = user_supplier_id(user)
            if own is None:
                raise serializers.ValidationError({"supplier": "This field is required."})
            supplier = Supplier.objects.get(pk=own)
        if current is not None and supplier.pk != current.supplier_id:
            raise serializers.ValidationError({"supplier": "The supplier cannot change."})
        attrs["supplier"] = supplier
        ship_date = attrs.get("ship_date", getattr(current, "ship_date", None))
        eta = attrs.get("eta", getattr(current, "eta", None))
        if ship_date and eta and eta < ship_date:
            raise serializers.ValidationError({"eta": "The ETA cannot be before the ship date."})
        number = attrs.get("number", getattr(current, "number", None))
        duplicates = ShipNotice.objects.filter(supplier=supplier, number=number)
        if current is not None:
            duplicates = duplicates.exclude(pk=current.pk)
        if duplicates.exists():
            raise serializers.ValidationError(
                {"number": f"{supplier.code} already sent ship notice {number}."}
            )
        if "lines" in attrs:
            attrs["lines"] = self._resolve_lines(attrs["lines"], supplier, user)
        return attrs

    def _resolve_lines(self, lines, supplier, user):
        keys = [(ln["line"]["purchase_order"]["number"], ln["line"]["line_number"]) for ln in lines]
        found = scope_for_user(
            PurchaseOrderLine.objects.filter(
                purchase_order__number__in={po for po, _ in keys},
                purchase_order__supplier=supplier,
            ),
            user,
        ).select_related("purchase_order")
        by_key = {(ln.purchase_order.number, ln.line_number): ln for ln in found}
        errors, resolved = {}, []
        for index, (key, item) in enumerate(zip(keys, lines, strict=True)):
            line = by_key.get(key)
            if line is None:
                errors[index] = {"line": [f"{supplier.code} has no order line {key[0]}/{key[1]}."]}
            elif line.status == PurchaseOrderLine.Status.CANCELLED:
                errors[index] = {"line": [f"Line {key[0]}/{key[1]} is cancelled."]}
            else:
                resolved.append((line, item["quantity"]))
        if errors:
            raise serializers.ValidationError({"lines": errors})
        return resolved

    def create(self, validated_data):
        return ship_notice_create(**validated_data)

    def update(self, instance, validated_data):
        validated_data.pop("supplier", None)
        return ship_notice_update(ship_notice=instance, **validated_data)


class ShipNoticeViewSet(ScopedViewSet):
    """Advance ship notices. Supplier contacts post and correct their own, and add events."""

    queryset = (
        ShipNotice.objects.select_related("supplier")
        .prefetch_related("lines__line__purchase_order", "lines__line__part", "events")
        .order_by("-ship_date", "number", "id")
    )
    serializer_class = ShipNoticeSerializer
    filterset_class = ShipNoticeFilter
    lookup_value_regex = "[0-9]{1,18}"
    supplier_actions = ("create", "update", "partial_update", "events")
    export_exclude = ("events",)

    def perform_create(self, serializer):
        super().perform_create(serializer)
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    def perform_update(self, serializer):
        super().perform_update(serializer)
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    @extend_schema(methods=["get"], responses=TransitEventSerializer(many=True))
    @extend_schema(
        methods=["post"], request=TransitEventSerializer, responses=TransitEventSerializer
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def events(self, request, pk=None):
        """Transit events of the notice; POST one to move its location and ETA."""
        notice = self.get_object()
        if request.method == "GET":
            return Response(TransitEventSerializer(notice.events.all(), many=True).data)
        payload = TransitEventSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        event = transit_event_record(
            ship_notice=notice, actor=request.user, **payload.validated_data
        )
        return Response(TransitEventSerializer(event).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ShipNoticeSerializer)
    @action(detail=True, methods=["post"], url_path="confirm-delivery")
    def confirm_delivery(self, request, pk=None):
        """A buyer confirms the goods arrived (a receipt against the notice does the same)."""
        notice = ship_notice_delivery_confirm(ship_notice=self.get_object())
        return Response(self.get_serializer(self.get_queryset().get(pk=notice.pk)).data)
