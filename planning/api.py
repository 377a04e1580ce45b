"""/api/v1/demand-plans/, /replenishment-policies/ (read) and /replenishment-suggestions/
(with POST …/{id}/release/). Internal data: contacts get empty lists and 404s."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.api import ScopedViewSet
from accounts.selectors import scope_for_user
from core.api import (
    BatchItemSerializer,
    BulkCreateMixin,
    add_error,
    bulk_create_schema,
    context_user,
)
from parts.models import Part
from planning.filters import DemandPlanFilter, PolicyFilter, SuggestionFilter
from planning.models import DemandPlan, ReplenishmentPolicy, ReplenishmentSuggestion
from planning.selectors import demand_plan_list, policy_list, suggestion_list
from planning.services import demand_plans_upsert, suggestions_release
from sites.models import Site


class DemandPlanSerializer(BatchItemSerializer):
    id = serializers.IntegerField(read_only=True)
    part = serializers.CharField(source="part.number", max_length=40, help_text="Part number.")
    site = serializers.CharField(max_length=40, help_text="Site code.")
    period_start = serializers.DateField()
    quantity = serializers.DecimalField(max_digits=14, decimal_places=3, min_value=Decimal(0))

    def flatten(self, validated):
        part = validated.pop("part", None)
        if part is not None:
            validated["part_number"] = part["number"]
        return validated

    def instance_values(self, plan):
        return {
            "part_number": plan.part.number,
            "site": plan.site_id,
            "period_start": plan.period_start,
            "quantity": plan.quantity,
        }

    def validate_batch(self, items, errors):
        wanted = {item["part_number"] for item in items if item is not None}
        parts = dict(
            scope_for_user(
                Part.objects.filter(number__in=wanted), context_user(self.context)
            ).values_list("number", "pk")
        )
        sites = set(
            Site.objects.filter(
                code__in={item["site"] for item in items if item is not None}
            ).values_list("code", flat=True)
        )
        seen = {}
        for index, item in enumerate(items):
            if item is None:
                continue
            if item["site"] not in sites:
                add_error(errors, index, "site", f"No site {item['site']}.")
            pk = parts.get(item["part_number"])
            if pk is None:
                add_error(errors, index, "part", f"No part {item['part_number']}.")
                continue
            key = (pk, item["site"], item["period_start"])
            if key in seen:
                add_error(errors, index, "period_start", f"Repeats item {seen[key]}.")
            seen[key] = index
            item["part_id"] = pk

    def create_batch(self, items):
        rows = [
            {
                "part_id": i["part_id"],
                "site": i["site"],
                "period_start": i["period_start"],
                "quantity": i["quantity"],
            }
            for i in items
        ]
        plans = demand_plans_upsert(rows=rows)
        return DemandPlan.objects.select_related("part").filter(pk__in=[p.pk for p in plans])

    def update(self, instance, validated_data):
        demand_plans_upsert(
            rows=[
                {
                    "part_id": validated_data["part_id"],
                    "site": validated_data["site"],
                    "period_start": validated_data["period_start"],
                    "quantity": validated_data["quantity"],
                }
            ]
        )
        instance.refresh_from_db()
        return instance


@extend_schema_view(create=bulk_create_schema(DemandPlanSerializer, noun="demand plan"))
class DemandPlanViewSet(BulkCreateMixin, ScopedViewSet):
    """Planned demand per part, site and period; a list body upserts on those three."""

    queryset = DemandPlan.objects.none()
    serializer_class = DemandPlanSerializer
    filterset_class = DemandPlanFilter
    lookup_value_regex = "[0-9]{1,18}"

    def get_queryset(self):
        return demand_plan_list(user=self.request.user).order_by(
            "part__number", "site", "period_start"
        )


class PolicySerializer(serializers.ModelSerializer):
    part = serializers.CharField(source="part.number")
    site = serializers.CharField(source="site_id", help_text="Site code.")
    fast_supplier = serializers.CharField(source="fast_supplier.code", default=None)
    slow_supplier = serializers.CharField(source="slow_supplier.code", default=None)

    class Meta:
        model = ReplenishmentPolicy
        fields = [
            "id", "part", "site", "kind", "parameters", "lot_size", "expected_cost_per_period",
            "cost_exact", "cost_stderr", "fill_rate", "share_fast", "saving_vs_single_pct",
            "saving_vs_split_pct",
            "single_cost", "split_cost", "fast_supplier", "slow_supplier", "inputs",
            "computed_at",
        ]  # fmt: skip


class PolicyViewSet(ScopedViewSet):
    """The cached policy of each planned part × site (read only)."""

    queryset = ReplenishmentPolicy.objects.none()
    serializer_class = PolicySerializer
    filterset_class = PolicyFilter
    lookup_value_regex = "[0-9]{1,18}"
    http_method_names = ["get", "head", "options"]

    def get_queryset(self):
        return policy_list(user=self.request.user).order_by("part__number", "site")


class SuggestionSerializer(serializers.ModelSerializer):
    part = serializers.CharField(source="part.number")
    site = serializers.CharField(source="site_id", help_text="Site code.")
    supplier = serializers.CharField(source="supplier.code")
    purchase_order = serializers.CharField(source="purchase_order.number", default=None)

    class Meta:
        model = ReplenishmentSuggestion
        fields = [
            "id", "part", "site", "supplier", "quantity", "unit_price", "currency",
            "need_date", "reason", "state", "purchase_order", "auto_released", "run_date",
            "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class SuggestionViewSet(ScopedViewSet):
    """This period's suggested orders; `POST …/{id}/release/` places the purchase order."""

    queryset = ReplenishmentSuggestion.objects.none()
    serializer_class = SuggestionSerializer
    filterset_class = SuggestionFilter
    lookup_value_regex = "[0-9]{1,18}"
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return suggestion_list(user=self.request.user).order_by("need_date", "id")

    def create(self, request, *args, **kwargs):
        raise exceptions.MethodNotAllowed("POST")

    @extend_schema(request=None, responses=SuggestionSerializer)
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        """Place the order through the purchase-order service (one PO for this suggestion)."""
        suggestion = self.get_object()
        suggestions_release(suggestions=[suggestion], user=request.user)
        suggestion.refresh_from_db()
        return Response(SuggestionSerializer(suggestion).data)
