"""/api/v1/prediction-models/ (read), and purchase orders whose lines carry their late risk
for internal roles (`late_risk`, `expected_days_late`); a supplier contact's orders,
lines and exports never do (docs/prediction.md)."""

from django.db.models import Prefetch
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.api import ScopedViewSet
from accounts.roles import user_is_internal
from prediction.models import PredictionModel
from purchasing.api.orders import (
    LINE_PARAMETER,
    PurchaseOrderLineDetailSerializer,
    PurchaseOrderLineSerializer,
    PurchaseOrderSerializer,
    PurchaseOrderViewSet,
)
from purchasing.models import PurchaseOrderLine


class PredictionModelSerializer(serializers.ModelSerializer):
    class Meta:
        model = PredictionModel
        fields = [
            "version",
            "trained_at",
            "auc",
            "baseline_auc",
            "brier",
            "baseline_brier",
            "in_use",
            "window_start",
            "window_end",
            "samples",
            "lines",
        ]


class PredictionModelViewSet(ScopedViewSet):
    """Trained late-delivery models, newest first, with their backtest against the baseline
    and which of the two the product uses (internal roles only)."""

    queryset = PredictionModel.objects.defer("model_bytes").order_by("-version")
    serializer_class = PredictionModelSerializer
    lookup_field = "version"
    http_method_names = ["get", "head", "options"]

    def get_object(self):
        if not str(self.kwargs.get("version", "")).isdigit():
            # The answer of a version that does not exist, whatever was asked.
            raise Http404(f"No {PredictionModel._meta.object_name} matches the given query.")
        return super().get_object()


class _RiskMethods:
    """`late_risk` and `expected_days_late` of a line, from its stored LineRisk."""

    def _risk(self, line):
        try:
            return line.risk
        except PurchaseOrderLine.risk.RelatedObjectDoesNotExist:
            return None

    def get_late_risk(self, line) -> float | None:
        risk = self._risk(line)
        return None if risk is None else risk.late_risk

    def get_expected_days_late(self, line) -> float | None:
        risk = self._risk(line)
        return None if risk is None else risk.expected_days_late


# The risk fields are declared in each class body so they follow the line's own fields.
class RiskLineSerializer(_RiskMethods, PurchaseOrderLineSerializer):
    late_risk = serializers.SerializerMethodField(help_text="0–1, or null when not scored.")
    expected_days_late = serializers.SerializerMethodField()


class RiskLineDetailSerializer(_RiskMethods, PurchaseOrderLineDetailSerializer):
    late_risk = serializers.SerializerMethodField(help_text="0–1, or null when not scored.")
    expected_days_late = serializers.SerializerMethodField()


class RiskPurchaseOrderSerializer(PurchaseOrderSerializer):
    lines = RiskLineSerializer(many=True, allow_empty=False)


class RiskPurchaseOrderViewSet(PurchaseOrderViewSet):
    """Purchase orders as in purchasing; internal roles also read each line's late risk."""

    queryset = PurchaseOrderViewSet.queryset.prefetch_related(None).prefetch_related(
        Prefetch(
            "lines",
            queryset=PurchaseOrderLine.objects.select_related("part", "risk").order_by(
                "line_number"
            ),
        )
    )

    def get_serializer_class(self):
        if user_is_internal(self.request.user):
            return RiskPurchaseOrderSerializer
        return super().get_serializer_class()

    @extend_schema(parameters=[LINE_PARAMETER], responses=RiskLineDetailSerializer)
    @action(detail=True, methods=["get"], url_path=r"lines/(?P<line>[0-9]{1,9})")
    def line(self, request, number=None, line=None):
        """One line with its promise revisions (and its late risk, for internal roles)."""
        order_line = self._line(line)
        if user_is_internal(request.user):
            return Response(RiskLineDetailSerializer(order_line).data)
        return Response(PurchaseOrderLineDetailSerializer(order_line).data)
