"""/api/v1/assessments/ (qualification) and /api/v1/esg-answers/ (docs/qualification.md).

Supplier contacts read their own assessments' outcome (scores, weighted score, pass/fail
and why), never the assessors' comments or names; they post their own ESG answers.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.api import NaturalKeyField, ScopedViewSet
from accounts.roles import INTERNAL_ROLES, user_role
from core.api import context_user
from core.fields import SaneDateField
from suppliers.api.suppliers import own_supplier_default
from suppliers.filters import AssessmentFilter, EsgAnswerFilter
from suppliers.models import EsgAssessment, QualificationAssessment, QualificationScore, Supplier
from suppliers.selectors import esg_answers_visible, esg_result, esg_weights
from suppliers.services import (
    assessment_create,
    assessment_submit,
    assessment_update,
    esg_assessment_submit,
)

PartCategory = QualificationAssessment._meta.get_field("category").related_model


def _django_errors(exc: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(
        exc.message_dict if hasattr(exc, "error_dict") else exc.messages
    )


class ScoresField(serializers.DictField):
    """criterion code → score (0–5 in halves, null: not scored); read from the score rows."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "child", serializers.DecimalField(max_digits=3, decimal_places=1, allow_null=True)
        )
        super().__init__(**kwargs)

    def to_representation(self, value):
        return {
            s.criterion.code: (None if s.score is None else float(s.score)) for s in value.all()
        }


@extend_schema_field(OpenApiTypes.STR)
class CategoryCodeField(serializers.Field):
    """A part category by code (or null: the supplier as a whole)."""

    def to_internal_value(self, data):
        found = PartCategory.objects.filter(code__iexact=str(data).strip()).first()
        if found is None:
            raise serializers.ValidationError(f"No part category '{str(data)[:40]}'.")
        return found

    def to_representation(self, value):
        return value.code


class AssessmentOutcomeSerializer(serializers.ModelSerializer):
    """What a supplier contact sees: the outcome, not the assessors' notes."""

    supplier = serializers.CharField(source="supplier.code", read_only=True)
    category = serializers.CharField(source="category.code", read_only=True, default=None)
    assessed_at = serializers.DateField(source="assessed_on", read_only=True)
    scores = serializers.SerializerMethodField()
    reason = serializers.CharField(source="outcome_reason", read_only=True)

    class Meta:
        model = QualificationAssessment
        fields = [
            "id",
            "supplier",
            "category",
            "state",
            "assessed_at",
            "scores",
            "weighted_score",
            "passed",
            "reason",
        ]
        read_only_fields = fields

    def get_scores(self, assessment) -> dict:
        return {
            s.criterion.code: (None if s.score is None else float(s.score))
            for s in assessment.scores.all()
        }


class AssessmentSerializer(AssessmentOutcomeSerializer):
    supplier = NaturalKeyField(
        slug_field="code", queryset=Supplier.objects.all(), label_noun="supplier"
    )
    category = CategoryCodeField(required=False, allow_null=True)
    assessed_at = SaneDateField(source="assessed_on", required=False)
    assessed_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, help_text="The buyer who assessed."
    )
    scores = ScoresField(
        required=False, help_text="criterion code → 0–5 in halves (null: not scored yet)."
    )
    comments = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=5000),
        required=False,
        write_only=True,
    )
    comments_by_criterion = serializers.SerializerMethodField()
    state = serializers.ChoiceField(
        choices=QualificationAssessment.State.choices,
        required=False,
        help_text="`submitted` submits at once; a submitted assessment is never edited.",
    )

    class Meta(AssessmentOutcomeSerializer.Meta):
        fields = [
            *AssessmentOutcomeSerializer.Meta.fields,
            "assessed_by",
            "comments",
            "comments_by_criterion",
            "notes",
        ]
        read_only_fields = ["id", "weighted_score", "passed", "reason", "assessed_by"]

    def get_comments_by_criterion(self, assessment) -> dict:
        return {s.criterion.code: s.comment for s in assessment.scores.all() if s.comment}

    def create(self, validated_data):
        user = context_user(self.context)
        try:
            return assessment_create(
                supplier=validated_data["supplier"],
                category=validated_data.get("category"),
                assessed_by=user,
                assessed_on=validated_data.get("assessed_on"),
                scores=validated_data.get("scores") or {},
                comments=validated_data.get("comments") or {},
                notes=validated_data.get("notes", ""),
                submit=validated_data.get("state") == QualificationAssessment.State.SUBMITTED,
            )
        except DjangoValidationError as exc:
            raise _django_errors(exc) from None

    def update(self, instance, validated_data):
        user = context_user(self.context)
        if "supplier" in validated_data and validated_data["supplier"] != instance.supplier:
            raise serializers.ValidationError(
                {"supplier": "An assessment stays with its supplier."}
            )
        try:
            extra = {}
            if "category" in validated_data:
                extra["category"] = validated_data["category"]
            assessment = assessment_update(
                assessment=instance,
                scores=validated_data.get("scores"),
                comments=validated_data.get("comments"),
                notes=validated_data.get("notes"),
                actor=user,
                **extra,
            )
            if validated_data.get("state") == QualificationAssessment.State.SUBMITTED:
                assessment = assessment_submit(assessment=assessment, actor=user)
        except DjangoValidationError as exc:
            raise _django_errors(exc) from None
        return assessment


class AssessmentViewSet(ScopedViewSet):
    """Qualification assessments: open (draft), score, submit; history kept."""

    queryset = (
        QualificationAssessment.objects.select_related("supplier", "category", "assessed_by")
        .prefetch_related(
            Prefetch("scores", queryset=QualificationScore.objects.select_related("criterion"))
        )
        .order_by("-assessed_on", "-id")
    )
    serializer_class = AssessmentSerializer
    lookup_field = "pk"
    lookup_value_regex = r"[0-9]+"
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_class = AssessmentFilter

    def get_serializer_class(self):
        role = user_role(getattr(self.request, "user", None))
        if role is not None and role not in INTERNAL_ROLES:
            return AssessmentOutcomeSerializer
        return AssessmentSerializer

    @extend_schema(request=None, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit a draft: the outcome is final; a newer assessment replaces it."""
        try:
            assessment = assessment_submit(assessment=self.get_object(), actor=request.user)
        except DjangoValidationError as exc:
            raise _django_errors(exc) from None
        assessment = self.get_queryset().get(pk=assessment.pk)
        return Response(self.get_serializer(assessment).data)


class EsgAnswerSerializer(serializers.ModelSerializer):
    supplier = NaturalKeyField(
        slug_field="code",
        queryset=Supplier.objects.all(),
        label_noun="supplier",
        required=False,
        help_text="Supplier code; a supplier contact's answers are always its own.",
    )
    traceability_pct = serializers.DecimalField(
        source="traceability_origin_known_pct",
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
        required=False,
        allow_null=True,
    )
    waste_recycled_pct = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
        required=False,
        allow_null=True,
    )
    emissions_kg_co2e_per_eur = serializers.DecimalField(
        max_digits=10, decimal_places=4, min_value=0, required=False, allow_null=True
    )
    labour = serializers.ChoiceField(
        choices=EsgAssessment.Labour.choices, required=False, allow_blank=True
    )
    evidence_date = SaneDateField(required=False, allow_null=True)
    answered_at = serializers.DateField(source="answered_on", read_only=True)
    esg_score = serializers.SerializerMethodField()
    stale = serializers.SerializerMethodField()

    class Meta:
        model = EsgAssessment
        fields = [
            "id",
            "supplier",
            "emissions_kg_co2e_per_eur",
            "waste_recycled_pct",
            "labour",
            "traceability_pct",
            "evidence_date",
            "comments",
            "answered_at",
            "esg_score",
            "stale",
        ]
        read_only_fields = ["id", "answered_at", "esg_score", "stale"]

    def _result(self, answer):
        cache = self.context.setdefault("_esg_results", {})
        if answer.pk not in cache:
            cache[answer.pk] = esg_result(
                answer,
                as_of=timezone.localdate(),
                weights=self.context.setdefault("_esg_weights", esg_weights()),
            )
        return cache[answer.pk]

    def get_esg_score(self, answer) -> float | None:
        """This set of answers on its own (labour certificates not counted here)."""
        score = self._result(answer).score
        return None if score is None else float(score)

    def get_stale(self, answer) -> bool:
        return self._result(answer).stale

    def validate(self, attrs):
        return own_supplier_default(attrs, self.context)

    def create(self, validated_data):
        try:
            return esg_assessment_submit(user=context_user(self.context), **validated_data)
        except DjangoValidationError as exc:
            raise _django_errors(exc) from None


class EsgAnswerViewSet(ScopedViewSet):
    """ESG answers with their evidence date; every set kept (the latest counts). Contacts
    post their own."""

    queryset = EsgAssessment.objects.all()
    serializer_class = EsgAnswerSerializer
    lookup_field = "pk"
    lookup_value_regex = r"[0-9]+"
    http_method_names = ["get", "post", "head", "options"]
    supplier_actions = ("create",)
    filterset_class = EsgAnswerFilter

    def get_queryset(self):
        return esg_answers_visible(user=self.request.user)
