"""Engine API: /allocation-changes/ (read), /exceptions/ (+ approve / reject),
/allocations/ (split a demand, optionally placing the orders), /automation-rate/.

All of it is internal: supplier contacts get empty lists, 404 on objects and 403 on writes.
"""

import re

import django_filters
from django.db.models import Q
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.api import NaturalKeyField, ScopedViewSet
from accounts.permissions import InternalOnly
from core.api import api_exception_handler
from core.fields import PositiveDecimalField, SaneDateField
from parts.models import Part
from rules.models import AllocationChange, AllocationException
from rules.selectors import automation_rate
from rules.services import demand_split, demand_split_order, exception_approve, exception_reject
from suppliers.filters import SupplierCodeFilter

PERIOD_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class AllocationChangeFilter(django_filters.FilterSet):
    part = django_filters.CharFilter(field_name="part__number", lookup_expr="iexact")
    supplier = django_filters.CharFilter(method="filter_supplier", label="Supplier code")

    class Meta:
        model = AllocationChange
        fields = ["part", "supplier"]

    def filter_supplier(self, queryset, name, value):
        return queryset.filter(Q(shares_before__has_key=value) | Q(shares_after__has_key=value))


class AllocationChangeSerializer(serializers.ModelSerializer):
    part = serializers.CharField(source="part.number")
    rule = serializers.CharField(source="rule.name", allow_null=True, default=None)
    actor = serializers.CharField(source="actor_name", help_text='"system" or a username.')

    class Meta:
        model = AllocationChange
        fields = [
            "id",
            "part",
            "shares_before",
            "shares_after",
            "rule",
            "metric_value",
            "actor",
            "reason",
            "created_at",
        ]


class AllocationChangeViewSet(ScopedViewSet):
    """Share changes, newest first: by the engine (`actor` "system") or by a buyer."""

    queryset = AllocationChange.objects.select_related("part", "rule", "actor").order_by(
        "-created_at", "-id"
    )
    serializer_class = AllocationChangeSerializer
    filterset_class = AllocationChangeFilter
    lookup_value_regex = r"[0-9]+"
    http_method_names = ["get", "head", "options"]


class ExceptionFilter(django_filters.FilterSet):
    part = django_filters.CharFilter(field_name="part__number", lookup_expr="iexact")
    supplier = SupplierCodeFilter()

    class Meta:
        model = AllocationException
        fields = ["state", "kind", "part", "supplier"]


class ExceptionSerializer(serializers.ModelSerializer):
    part = serializers.CharField(source="part.number", allow_null=True, default=None)
    supplier = serializers.CharField(source="supplier.code")
    rule = serializers.CharField(source="rule.name", allow_null=True, default=None)
    decided_by = serializers.CharField(source="decided_by.username", allow_null=True, default=None)

    class Meta:
        model = AllocationException
        fields = [
            "id",
            "kind",
            "part",
            "supplier",
            "rule",
            "proposed_shares",
            "evidence",
            "state",
            "decided_by",
            "decided_at",
            "comment",
            "created_at",
        ]


class DecisionSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    widen_bounds = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Approve only: apply the whole proposal and widen the bounds it breaks "
        "(audited as source changes); otherwise the largest shift the bounds allow.",
    )


class ExceptionViewSet(ScopedViewSet):
    """Decisions the engine left to a buyer, oldest first; approve or reject with a comment."""

    queryset = AllocationException.objects.select_related(
        "part", "supplier", "rule", "decided_by"
    ).order_by("created_at", "id")
    serializer_class = ExceptionSerializer
    filterset_class = ExceptionFilter
    lookup_value_regex = r"[0-9]+"
    http_method_names = ["get", "post", "head", "options"]

    def create(self, request, *args, **kwargs):
        raise exceptions.MethodNotAllowed("POST")

    def _decide(self, request, decide):
        payload = DecisionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        options = {"comment": payload.validated_data.get("comment", "")}
        if decide is exception_approve:
            options["widen_bounds"] = payload.validated_data["widen_bounds"]
        decided = decide(exception=self.get_object(), user=request.user, **options)
        return Response(ExceptionSerializer(decided).data)

    @extend_schema(request=DecisionSerializer, responses=ExceptionSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve: a hold puts the supplier on hold; proposed shares are applied within the
        bounds, or whole with `widen_bounds`."""
        return self._decide(request, exception_approve)

    @extend_schema(request=DecisionSerializer, responses=ExceptionSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Reject: nothing changes; who, when and why are kept."""
        return self._decide(request, exception_reject)


class SplitRequestSerializer(serializers.Serializer):
    part = NaturalKeyField(slug_field="number", queryset=Part.objects.all(), label_noun="part")
    quantity = PositiveDecimalField(max_digits=14, decimal_places=3)
    need_date = SaneDateField()
    place_orders = serializers.BooleanField(
        default=False, help_text="Also place one purchase order per source that gets quantity."
    )


class SplitLineSerializer(serializers.Serializer):
    supplier = serializers.CharField(source="supplier.code")
    quantity = serializers.DecimalField(max_digits=14, decimal_places=3)
    reason = serializers.CharField()
    share_pct = serializers.DecimalField(max_digits=5, decimal_places=2)
    usable = serializers.BooleanField()


class SplitSerializer(serializers.Serializer):
    part = serializers.CharField(source="part.number")
    quantity = serializers.DecimalField(max_digits=14, decimal_places=3)
    need_date = serializers.DateField()
    lines = SplitLineSerializer(many=True)
    unallocated_quantity = serializers.DecimalField(
        source="unallocated", max_digits=14, decimal_places=3
    )
    notes = serializers.ListField(child=serializers.CharField())
    purchase_orders = serializers.ListField(child=serializers.CharField(), required=False)


class AllocationViewSet(viewsets.ViewSet):
    """`POST /api/v1/allocations/` with `part`, `quantity`, `need_date`: the split, and with
    `place_orders: true` the purchase orders it placed."""

    def get_exception_handler(self):
        return api_exception_handler

    @extend_schema(request=SplitRequestSerializer, responses=SplitSerializer)
    def create(self, request):
        payload = SplitRequestSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        arguments = {
            "part": data["part"],
            "quantity": data["quantity"],
            "need_date": data["need_date"],
        }
        if data["place_orders"]:
            split, orders = demand_split_order(**arguments, user=request.user)
            split.purchase_orders = [po.number for po in orders]
        else:
            split = demand_split(**arguments)
        status_code = status.HTTP_201_CREATED if data["place_orders"] else status.HTTP_200_OK
        return Response(SplitSerializer(split).data, status=status_code)


class AutomationRateSerializer(serializers.Serializer):
    period = serializers.CharField()
    applied = serializers.IntegerField(help_text="Decisions the engine applied alone.")
    planning_released = serializers.IntegerField(
        help_text="Of those, orders the planning engine released alone."
    )
    exceptions = serializers.IntegerField(help_text="Exceptions raised for a buyer.")
    exceptions_open = serializers.IntegerField()
    automation_rate_pct = serializers.FloatField(allow_null=True)


class AutomationRateViewSet(viewsets.ViewSet):
    """`GET /api/v1/automation-rate/?period=YYYY-MM` (default this month)."""

    permission_classes = [InternalOnly]

    def get_exception_handler(self):
        return api_exception_handler

    @extend_schema(
        parameters=[OpenApiParameter("period", str, description="YYYY-MM; default this month")],
        responses=AutomationRateSerializer,
    )
    def list(self, request):
        period = request.query_params.get("period") or None
        if period is not None and not PERIOD_RE.match(period):
            raise exceptions.ValidationError({"period": "Use YYYY-MM, e.g. 2026-03."})
        return Response(AutomationRateSerializer(automation_rate(period=period)).data)
