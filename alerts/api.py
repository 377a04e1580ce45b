"""/api/v1/alerts/: the alerts a user may see, filtered by kind, severity, state, supplier.

`POST /api/v1/alerts/{id}/acknowledge/` (buyers, admins, and a supplier contact for its
own alerts) and `POST /api/v1/alerts/{id}/resolve/` (buyers and admins).
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from alerts.filters import AlertFilter
from alerts.models import Alert
from alerts.selectors import alerts_for_user
from alerts.services import alert_acknowledge, alert_resolve
from core.api import ExportableListMixin


class AlertSerializer(serializers.ModelSerializer):
    supplier = serializers.SlugRelatedField(slug_field="code", read_only=True)
    part = serializers.SlugRelatedField(slug_field="number", read_only=True)
    purchase_order = serializers.SlugRelatedField(slug_field="number", read_only=True)
    line = serializers.IntegerField(source="line.line_number", read_only=True, allow_null=True)
    acknowledged_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    resolved_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, help_text="Null when resolved automatically."
    )

    class Meta:
        model = Alert
        fields = [
            "id",
            "kind",
            "severity",
            "state",
            "supplier",
            "part",
            "purchase_order",
            "line",
            "site",
            "dedupe_key",
            "message",
            "first_seen",
            "last_seen",
            "acknowledged_by",
            "acknowledged_at",
            "resolved_by",
            "resolved_at",
        ]
        read_only_fields = fields


class AlertViewSet(ExportableListMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = AlertSerializer
    filterset_class = AlertFilter
    supplier_actions = ("acknowledge",)

    def get_queryset(self):
        return alerts_for_user(user=self.request.user).order_by("-last_seen", "-id")

    @extend_schema(request=None, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        alert = alert_acknowledge(alert=self.get_object(), user=request.user)
        return Response(self.get_serializer(alert).data)

    @extend_schema(request=None, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        alert = alert_resolve(alert=self.get_object(), user=request.user)
        return Response(self.get_serializer(alert).data)
