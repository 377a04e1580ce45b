"""/api/v1/suppliers/ (by code, status through the gates) and /api/v1/certificates/."""

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
from suppliers.certificate_kinds import KINDS, certificate_kind_code, certificate_kind_error
from suppliers.filters import CertificateFilter, SupplierFilter
from suppliers.models import Certificate, Supplier
from suppliers.selectors import esg_scores, qualification_scores
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


def own_supplier_default(attrs: dict, context: dict) -> dict:
    """A contact always writes for its own supplier; anyone else must name one."""
    own = user_supplier_id(context_user(context))
    if own is not None:
        attrs["supplier"] = Supplier.objects.get(pk=own)
    elif attrs.get("supplier") is None:
        raise serializers.ValidationError({"supplier": "This field is required."})
    return attrs


class CertificateKindField(serializers.CharField):
    """A certificate kind as people write it (`ISO 9001`, `iso9001`, `IATF16949`), stored
    and answered as its code (`iso_9001`)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("help_text", "Kind code or its usual spelling: " + ", ".join(KINDS) + ".")
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        code = certificate_kind_code(data)
        if code is None:
            raise serializers.ValidationError(certificate_kind_error(data), code="invalid_kind")
        return code


class SupplierListSerializer(serializers.ListSerializer):
    """Reads the ESG and qualification scores of a whole page in two queries."""

    def to_representation(self, data):
        items = list(data.all() if hasattr(data, "all") else data)
        ids = [s.pk for s in items]
        self.child.context["esg_scores"] = esg_scores(supplier_ids=ids)
        self.child.context["qualification_scores"] = qualification_scores(supplier_ids=ids)
        return [self.child.to_representation(item) for item in items]


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
    reason = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="Why the status changes; required to disqualify. Kept in the audit.",
    )
    esg_score = serializers.SerializerMethodField(help_text="0–100, null when unanswered.")
    qualification_score = serializers.SerializerMethodField(
        help_text="Weighted score (0–5) of the latest submitted assessment."
    )

    class Meta:
        model = Supplier
        list_serializer_class = SupplierListSerializer
        fields = [
            "code",
            "name",
            "country",
            "region",
            "currency",
            "status",
            "owner",
            "primary_contact",
            "reason",
            "esg_score",
            "qualification_score",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def get_esg_score(self, supplier) -> float | None:
        scores = self.context.get("esg_scores")
        if scores is None:
            scores = esg_scores(supplier_ids=[supplier.pk])
        result = scores.get(supplier.pk)
        return None if result is None or result.score is None else float(result.score)

    def get_qualification_score(self, supplier) -> float | None:
        scores = self.context.get("qualification_scores")
        if scores is None:
            scores = qualification_scores(supplier_ids=[supplier.pk])
        value = scores.get(supplier.pk)
        return None if value is None else float(value)

    def validate_code(self, value):
        if self.instance is not None and value != self.instance.code:
            raise serializers.ValidationError(
                "The code is the supplier's key in every system; it cannot change."
            )
        return value

    def create(self, validated_data):
        validated_data.pop("reason", None)
        return supplier_create(actor=_actor(self.context), **validated_data)

    def update(self, instance, validated_data):
        # The gates (a passed assessment, certificates, four eyes, a reason) are the service's.
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
    kind = CertificateKindField()

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
        return own_supplier_default(attrs, self.context)

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
    filterset_class = CertificateFilter

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def document(self, request, pk=None):
        """The certificate's file, as an attachment (PDF, PNG or JPEG)."""
        return certificate_document_response(self.get_object())
