"""/api/v1/sourcing-risk/ (read): per part, its usable sources' shares by region and
country and their concentration (docs/qualification.md). Internal roles only."""

import django_filters
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from accounts.roles import INTERNAL_ROLES, user_role
from accounts.selectors import scope_for_user
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


class SourcingRiskFilter(django_filters.FilterSet):
    part = django_filters.CharFilter(field_name="number", lookup_expr="iexact")
    category = django_filters.CharFilter(field_name="category__code", lookup_expr="iexact")

    class Meta:
        model = Part
        fields = ["part", "category"]


def sourcing_risk_rows(request, parts):
    params = request.query_params
    try:
        return sourcing_risk_filtered(
            parts,
            region=params.get("region"),
            single_region=params.get("single_region"),
            single_sourced=params.get("single_sourced"),
        )
    except ValueError as exc:
        raise serializers.ValidationError({"detail": str(exc)}) from None


class SourcingRiskViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Parts ranked by regional concentration: `?part=`, `?category=`, `?region=`,
    `?single_region=true`, `?single_sourced=true`."""

    serializer_class = SourcingRiskSerializer
    filterset_class = SourcingRiskFilter
    queryset = Part.objects.all()

    def get_queryset(self):
        if user_role(self.request.user) not in INTERNAL_ROLES:
            raise NotFound()
        return scope_for_user(Part.objects.all(), self.request.user)

    def list(self, request, *args, **kwargs):
        parts = self.filter_queryset(self.get_queryset())
        rows = sourcing_risk_rows(request, parts)
        page = self.paginate_queryset(rows)
        if page is not None:
            return self.get_paginated_response(self.get_serializer(page, many=True).data)
        return Response(self.get_serializer(rows, many=True).data)
