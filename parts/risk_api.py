"""/api/v1/sourcing-risk/ (read): per part, its usable sources' shares by region and
country and their concentration (docs/qualification.md). Internal roles only."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.settings import api_settings

from accounts.permissions import InternalOnly
from accounts.selectors import scope_for_user
from core.api import api_exception_handler
from parts.models import Part
from parts.risk import sourcing_risk_filtered


class SourcingRiskSerializer(serializers.Serializer):
    part = serializers.CharField(source="part.number")
    category = serializers.CharField(source="part.category.code", default=None)
    usable_sources = serializers.IntegerField()
    regions = serializers.DictField(child=serializers.DecimalField(max_digits=5, decimal_places=2))
    countries = serializers.DictField(
        child=serializers.DecimalField(max_digits=5, decimal_places=2)
    )
    region_hhi = serializers.DecimalField(max_digits=5, decimal_places=4, allow_null=True)
    country_hhi = serializers.DecimalField(max_digits=5, decimal_places=4, allow_null=True)
    single_sourced = serializers.BooleanField()
    single_region = serializers.BooleanField()


class SourcingRiskViewSet(viewsets.ViewSet):
    """Parts ranked by regional concentration over their usable sources: `?part=`,
    `?category=`, `?region=`, `?single_region=true`, `?single_sourced=true`. Internal
    figures: a supplier contact finds nothing here (404). Computed per request, so it has
    no file export."""

    permission_classes = [InternalOnly]

    def get_exception_handler(self):
        return api_exception_handler

    @extend_schema(
        parameters=[
            OpenApiParameter("part", str, description="Part number"),
            OpenApiParameter("category", str, description="Part category code"),
            OpenApiParameter("region", str, description="Parts with a usable source there"),
            OpenApiParameter("single_region", bool),
            OpenApiParameter("single_sourced", bool),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses=SourcingRiskSerializer(many=True),
    )
    def list(self, request):
        parts = scope_for_user(Part.objects.all(), request.user)
        params = request.query_params
        if params.get("part"):
            parts = parts.filter(number__iexact=params["part"])
        if params.get("category"):
            parts = parts.filter(category__code__iexact=params["category"])
        try:
            rows = sourcing_risk_filtered(
                parts,
                region=params.get("region"),
                single_region=params.get("single_region"),
                single_sourced=params.get("single_sourced"),
            )
        except ValueError as exc:
            raise serializers.ValidationError({"detail": str(exc)}) from None
        paginator = api_settings.DEFAULT_PAGINATION_CLASS()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(SourcingRiskSerializer(page, many=True).data)
