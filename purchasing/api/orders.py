"""/api/v1/purchase-orders/: orders by number with their lines, and line acknowledgement.

`POST /api/v1/purchase-orders/{number}/lines/{line}/acknowledge/` with `promised_date`
(and `reason` for a revision): the first acknowledgement fixes the promised date, the
OTD baseline; later ones keep it and add a PromiseRevision moving the expected date.
"""

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from accounts.api import NaturalKeyField, ScopedViewSet
from accounts.selectors import scope_for_user
from core.api import context_user
from core.fields import CurrencyField, PositiveDecimalField, SaneDateField
from core.validators import natural_key_validator
from parts.models import Part
from purchasing.filters import PurchaseOrderFilter
from purchasing.models import PromiseRevision, PurchaseOrder, PurchaseOrderLine
from purchasing.services import (
    NO_NEW_ORDERS,
    purchase_order_create,
    purchase_order_delete,
    purchase_order_line_acknowledge,
    purchase_order_line_build,
    purchase_order_update,
)
from sites.models import Site
from suppliers.models import Supplier

LINE_WRITE_FIELDS = ("part", "quantity", "unit_price", "requested_date", "status")


class PurchaseOrderLineSerializer(serializers.Serializer):
    line = serializers.IntegerField(source="line_number", min_value=1, max_value=99_999)
    part = serializers.CharField(source="part.number", max_length=40, help_text="Part number.")
    quantity = PositiveDecimalField(max_digits=14, decimal_places=3)
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=4, min_value=0)
    requested_date = SaneDateField()
    promised_date = SaneDateField(
        required=False,
        allow_null=True,
        help_text="The supplier's first confirmed date (the OTD baseline); the requested date "
        "until confirmed. Sent with a new line, it counts as the confirmation.",
    )
    expected_date = serializers.DateField(read_only=True, help_text="After revisions.")
    acknowledged_at = serializers.DateTimeField(read_only=True)
    status = serializers.ChoiceField(
        choices=PurchaseOrderLine.Status.choices, default=PurchaseOrderLine.Status.OPEN
    )

    def to_internal_value(self, data):
        validated = super().to_internal_value(data)
        part = validated.pop("part", None)
        if part is not None:
            validated["part_number"] = part["number"]
        return validated


class PromiseRevisionSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", default=None, read_only=True)

    class Meta:
        model = PromiseRevision
        fields = ["previous_date", "new_date", "reason", "comment", "created_by", "created_at"]


class PurchaseOrderLineDetailSerializer(PurchaseOrderLineSerializer):
    purchase_order = serializers.CharField(source="purchase_order.number", read_only=True)
    revisions = PromiseRevisionSerializer(many=True, read_only=True)


class PurchaseOrderSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=40, validators=[natural_key_validator])
    supplier = NaturalKeyField(
        slug_field="code", queryset=Supplier.objects.all(), label_noun="supplier"
    )
    order_date = SaneDateField()
    currency = CurrencyField(required=False, help_text="Default: the supplier's currency.")
    site = NaturalKeyField(
        slug_field="code",
        queryset=Site.objects.all(),
        label_noun="site",
        required=False,
        help_text="Delivery site code; default the organisation's main site.",
    )
    order_status = serializers.SerializerMethodField(
        help_text="open while any line is open; closed when none is open; cancelled when all are."
    )
    created_by = serializers.CharField(source="created_by.username", default=None, read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    lines = PurchaseOrderLineSerializer(many=True, allow_empty=False)

    def get_order_status(self, po) -> str:
        statuses = {line.status for line in po.lines.all()}
        for status in (PurchaseOrderLine.Status.OPEN, PurchaseOrderLine.Status.CLOSED):
            if status in statuses:
                return status.value
        return PurchaseOrderLine.Status.CANCELLED.value

    def validate_number(self, value):
        if self.instance is not None:
            if value != self.instance.number:
                raise serializers.ValidationError("The order number cannot change.")
        elif PurchaseOrder.objects.filter(number=value).exists():
            raise serializers.ValidationError(f"Purchase order {value} already exists.")
        return value

    def validate_supplier(self, supplier):
        if self.instance is not None:
            if supplier.pk != self.instance.supplier_id:
                raise serializers.ValidationError("The supplier of an order cannot change.")
        elif supplier.status in NO_NEW_ORDERS:
            raise serializers.ValidationError(
                f"{supplier.code} is {supplier.get_status_display().lower()}; it takes no new "
                "orders."
            )
        return supplier

    def validate(self, attrs):
        lines = attrs.get("lines")
        if lines is None:
            return attrs
        errors: dict[int, dict] = {}
        numbers = [line["line_number"] for line in lines if "line_number" in line]
        wanted = {line["part_number"] for line in lines if "part_number" in line}
        parts = {
            part.number: part
            for part in scope_for_user(
                Part.objects.filter(number__in=wanted), context_user(self.context)
            )
        }
        existing = {}
        if self.instance is not None:
            existing = {line.line_number: line for line in self.instance.lines.all()}
        for index, line in enumerate(lines):
            problems = {}
            number = line.get("line_number")
            if number is not None and numbers.count(number) > 1:
                problems["line"] = [f"Line {number} appears more than once in this order."]
            if "part_number" in line:
                part = parts.get(line["part_number"])
                if part is None:
                    problems["part"] = [f"No part {line['part_number']}."]
                line["part"] = part
            current = existing.get(number)
            if current is None:
                missing = [
                    name
                    for name in ("line_number", "part", "quantity", "unit_price", "requested_date")
                    if name not in line
                ]
                for name in missing:
                    problems[{"line_number": "line"}.get(name, name)] = [
                        "This field is required for a new line."
                    ]
            elif current.acknowledged_at is not None and line.get("promised_date") not in (
                None,
                current.promised_date,
            ):
                problems["promised_date"] = [
                    f"The supplier confirmed {current.promised_date}; that baseline never "
                    "moves. Send a revised date to the line's acknowledge endpoint."
                ]
            if problems:
                errors[index] = problems
        if errors:
            raise serializers.ValidationError({"lines": errors})
        return attrs

    def create(self, validated_data):
        supplier = validated_data["supplier"]
        lines = [
            purchase_order_line_build(
                line_number=line["line_number"],
                part=line["part"],
                quantity=line["quantity"],
                unit_price=line["unit_price"],
                requested_date=line["requested_date"],
                promised_date=line.get("promised_date"),
                status=line.get("status", PurchaseOrderLine.Status.OPEN),
            )
            for line in validated_data["lines"]
        ]
        user = context_user(self.context)
        return purchase_order_create(
            number=validated_data["number"],
            supplier=supplier,
            order_date=validated_data["order_date"],
            currency=validated_data.get("currency") or supplier.currency,
            lines=lines,
            site=validated_data.get("site"),
            created_by=user if isinstance(user, get_user_model()) else None,
        )

    def update(self, instance, validated_data):
        lines = None
        if "lines" in validated_data:
            lines = [
                {
                    "line_number": line["line_number"],
                    "promised_date": line.get("promised_date"),
                    **{name: line[name] for name in LINE_WRITE_FIELDS if name in line},
                }
                for line in validated_data["lines"]
            ]
        return purchase_order_update(
            purchase_order=instance,
            order_date=validated_data.get("order_date"),
            currency=validated_data.get("currency"),
            lines=lines,
            site=validated_data.get("site"),
        )


class AcknowledgeSerializer(serializers.Serializer):
    promised_date = SaneDateField(help_text="The date the supplier commits to.")
    reason = serializers.ChoiceField(
        choices=PromiseRevision.Reason.choices,
        required=False,
        allow_blank=True,
        help_text="Required when the line was already acknowledged (a revision): one of "
        + ", ".join(PromiseRevision.Reason.values)
        + ".",
        error_messages={
            "invalid_choice": "'{input}' is not a reason code; use one of "
            + ", ".join(PromiseRevision.Reason.values)
            + "."
        },
    )
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True)


LINE_PARAMETER = OpenApiParameter("line", int, OpenApiParameter.PATH, description="Line number.")


class PurchaseOrderViewSet(ScopedViewSet):
    """Purchase orders with nested lines; supplier contacts read theirs and acknowledge lines."""

    queryset = (
        PurchaseOrder.objects.select_related("supplier", "site", "created_by")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=PurchaseOrderLine.objects.select_related("part").order_by("line_number"),
            )
        )
        .order_by("-order_date", "number")
    )
    serializer_class = PurchaseOrderSerializer
    filterset_class = PurchaseOrderFilter
    lookup_field = "number"
    supplier_actions = ("acknowledge",)

    def _reloaded(self, po):
        return self.get_queryset().get(pk=po.pk)

    def perform_create(self, serializer):
        super().perform_create(serializer)
        serializer.instance = self._reloaded(serializer.instance)

    def perform_update(self, serializer):
        super().perform_update(serializer)
        serializer.instance = self._reloaded(serializer.instance)

    def perform_destroy(self, instance):
        purchase_order_delete(purchase_order=instance)

    def _line(self, line: str) -> PurchaseOrderLine:
        order = self.get_object()
        try:
            return (
                order.lines.select_related("purchase_order", "part")
                .prefetch_related("revisions__created_by")
                .get(line_number=int(line))
            )
        except (PurchaseOrderLine.DoesNotExist, ValueError, OverflowError):
            raise NotFound(f"Order {order.number} has no line {line}.") from None

    @extend_schema(parameters=[LINE_PARAMETER], responses=PurchaseOrderLineDetailSerializer)
    @action(detail=True, methods=["get"], url_path=r"lines/(?P<line>[0-9]{1,9})")
    def line(self, request, number=None, line=None):
        """One line with its promise revisions."""
        return Response(PurchaseOrderLineDetailSerializer(self._line(line)).data)

    @extend_schema(
        parameters=[LINE_PARAMETER],
        request=AcknowledgeSerializer,
        responses=PurchaseOrderLineDetailSerializer,
    )
    @action(detail=True, methods=["post"], url_path=r"lines/(?P<line>[0-9]{1,9})/acknowledge")
    def acknowledge(self, request, number=None, line=None):
        """Confirm a promised date (first time) or revise the expected date (with a reason)."""
        order_line = self._line(line)
        payload = AcknowledgeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        purchase_order_line_acknowledge(
            line=order_line,
            promised_date=payload.validated_data["promised_date"],
            reason=payload.validated_data.get("reason", ""),
            comment=payload.validated_data.get("comment", ""),
            user=request.user,
        )
        return Response(PurchaseOrderLineDetailSerializer(self._line(line)).data)
