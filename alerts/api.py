"""/api/v1/alerts/: the alerts a user may see, filtered by kind, severity, state, supplier.

`POST /api/v1/alerts/{id}/acknowledge/` (buyers, admins, and a supplier contact for its
own alerts) and `POST /api/v1/alerts/{id}/resolve/` (buyers and admins).
"""

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from accounts.roles import EDITOR_ROLES, user_is_internal, user_role
from alerts.filters import AlertFilter
from alerts.models import Alert
from alerts.selectors import alerts_for_user
from alerts.services import (
    alert_acknowledge,
    alert_note_add,
    alert_owner,
    alert_owner_set,
    alert_resolve,
)
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

    owner = serializers.SerializerMethodField(
        help_text="The buyer who follows it up (username): its owner, else the supplier's owner."
    )
    notes = serializers.SerializerMethodField(help_text="Buyers' notes (internal roles only).")

    def _internal(self) -> bool:
        request = self.context.get("request")
        return request is not None and user_is_internal(request.user)

    def get_owner(self, alert) -> str | None:
        owner = alert_owner(alert)
        return owner.get_username() if owner else None

    def get_notes(self, alert) -> list[dict]:
        if not self._internal():
            return []
        return [
            {
                "author": n.author.get_username() if n.author_id else None,
                "body": n.body,
                "created_at": n.created_at.isoformat(),
            }
            for n in alert.notes.all()
        ]

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
            "owner",
            "notes",
        ]
        read_only_fields = fields


class NoteSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=2000)


class AssignSerializer(serializers.Serializer):
    owner = serializers.SlugRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.filter(is_active=True),
        allow_null=True,
        help_text="A buyer's username; null: back to the supplier's owner buyer.",
    )


def _buyer_only(request) -> None:
    if user_role(request.user) not in EDITOR_ROLES:
        raise PermissionDenied("Only buyers and admins write notes or reassign alerts.")


class AlertViewSet(ExportableListMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = AlertSerializer
    filterset_class = AlertFilter
    supplier_actions = ("acknowledge",)

    def get_queryset(self):
        return (
            alerts_for_user(user=self.request.user)
            .select_related("owner", "supplier__owner")
            .prefetch_related("notes__author")
            .order_by("-last_seen", "-id")
        )

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

    @extend_schema(request=NoteSerializer, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def note(self, request, pk=None):
        """Add a buyer's note to the alert."""
        _buyer_only(request)
        payload = NoteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        alert = self.get_object()
        alert_note_add(alert=alert, author=request.user, body=payload.validated_data["body"])
        return Response(self.get_serializer(self.get_queryset().get(pk=alert.pk)).data)

    @extend_schema(request=AssignSerializer, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """Reassign the alert to a buyer (null: the supplier's owner buyer)."""
        _buyer_only(request)
        payload = AssignSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        alert = self.get_object()
        alert_owner_set(alert=alert, owner=payload.validated_data["owner"], actor=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=alert.pk)).data)
