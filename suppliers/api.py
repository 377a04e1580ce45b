"""/api/v1/suppliers/: suppliers by code."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser

from accounts.api import NaturalKeyField, ScopedViewSet
from accounts.roles import Role
from accounts.selectors import user_supplier_id
from core.api import Conflict, context_user
from core.fields import CountryField, CurrencyField
from core.parsers import SafeJSONParser
from suppliers.filters import SupplierFilter
from suppliers.models import Certificate, Supplier
from suppliers.services import (
    certificate_upload,
    supplier_create,
    supplier_delete,
    supplier_update,
)
from suppliers.views import certificate_document_response


def _owner_candidates():
    return (
        get_user_model()
        .objects.filter(Q(is_superuser=True) | Q(groups__name=Role.BUYER.value), is_active=True)
        .distinct()
    )


class SupplierSerializer(serializers.ModelSerializer):
    country = CountryField()
    currency = CurrencyField()
    owner = serializers.SlugRelatedField(
        slug_field="username",
        queryset=_owner_candidates(),
        allow_null=True,
        required=False,
        help_text="Username of the buyer who owns the relationship.",
    )
    primary_contact = serializers.CharField(
        source="primary_contact.user.username", read_only=True, default=None
    )

    class Meta:
        model = Supplier
        fields = [
            "code",
            "name",
            "country",
            "region",
            "currency",
            "status",
            "owner",
            "primary_contact",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def validate_code(self, value):
        if self.instance is not None and value != self.instance.code:
            raise serializers.ValidationError(
                "The code is the supplier's key in every system; it cannot change."
            )
        return value

    def create(self, validated_data):
        return supplier_create(actor=_actor(self.context), **validated_data)

    def update(self, instance, validated_data):
        # The lifecycle (prospect → qualified → approved ...) is enforced by the service.
        return supplier_update(supplier=instance, data=validated_data, actor=_actor(self.context))


def _actor(context):
    user = context_user(context)
    return user if getattr(user, "pk", None) else None


class SupplierViewSet(ScopedViewSet):
    """Suppliers; a supplier contact sees only its own supplier."""

    queryset = Supplier.objects.select_related("owner", "primary_contact__user").order_by("code")
    serializer_class = SupplierSerializer
    filterset_class = SupplierFilter
    lookup_field = "code"

    def service_delete(self, instance):
        try:
            supplier_delete(supplier=instance, actor=self.request.user)
        except DjangoValidationError as exc:
            raise Conflict(" ".join(exc.messages)) from None


class CertificateSerializer(serializers.ModelSerializer):
    supplier = NaturalKeyField(
        slug_field="code",
        queryset=Supplier.objects.all(),
        label_noun="supplier",
        required=False,
        help_text="Supplier code; a supplier contact's certificates are always its own.",
    )
    document = serializers.FileField(
        write_only=True, required=False, help_text="PDF, PNG or JPEG (multipart upload)."
    )
    document_url = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = [
            "id",
            "supplier",
            "kind",
            "number",
            "issued_by",
            "valid_until",
            "document",
            "document_url",
            "document_name",
            "uploaded_at",
        ]
        read_only_fields = ["id", "document_name", "uploaded_at"]
        validators = []  # the unique number is checked by the service, as a field error

    def get_document_url(self, certificate) -> str | None:
        if not certificate.document:
            return None
        return reverse("certificate-document", args=[certificate.pk])

    def validate(self, attrs):
        own = user_supplier_id(context_user(self.context))
        if own is not None:
            attrs["supplier"] = Supplier.objects.get(pk=own)
        elif attrs.get("supplier") is None:
            raise serializers.ValidationError({"supplier": "This field is required."})
        return attrs

    def create(self, validated_data):
        try:
            return certificate_upload(user=context_user(self.context), **validated_data)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None


class CertificateViewSet(ScopedViewSet):
    """Certificates with their documents; contacts upload their own (multipart)."""

    queryset = Certificate.objects.select_related("supplier")
    serializer_class = CertificateSerializer
    parser_classes = [MultiPartParser, FormParser, SafeJSONParser]
    lookup_field = "pk"
    lookup_value_regex = r"[0-9]+"
    http_method_names = ["get", "post", "head", "options"]
    supplier_actions = ("create",)
    filterset_fields = ["supplier__code", "kind"]

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def document(self, request, pk=None):
        """The certificate's file, as an attachment (PDF, PNG or JPEG)."""
        return certificate_document_response(self.get_object())
