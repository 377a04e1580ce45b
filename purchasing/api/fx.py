"""/api/v1/fx-rates/: base-currency units per one unit of a currency, from a date on.

`POST` a list (a daily rate table) to upsert on (currency, date), all or nothing; one
object creates one rate (correct an existing one with `PATCH`, or send it in a list).
"""

from decimal import Decimal

from django.conf import settings
from drf_spectacular.utils import extend_schema_view
from rest_framework import serializers

from accounts.api import ScopedViewSet
from core.api import (
    BatchItemSerializer,
    BulkCreateMixin,
    add_error,
    bulk_create_schema,
)
from core.fields import CurrencyField, SaneDateField
from purchasing.filters import FxRateFilter
from purchasing.models import FxRate
from purchasing.services import fx_rate_delete, fx_rate_update, fx_rates_upsert


class FxRateSerializer(BatchItemSerializer):
    id = serializers.IntegerField(read_only=True)
    currency = CurrencyField()
    date = SaneDateField(help_text="The rate holds from this date until the next one.")
    rate = serializers.DecimalField(
        max_digits=18,
        decimal_places=8,
        min_value=Decimal("0.00000001"),
        help_text="Base-currency units per one unit of `currency`.",
    )

    def validate_currency(self, value):
        if value == settings.BASE_CURRENCY:
            raise serializers.ValidationError(
                f"{value} is the base currency; its rate is always 1."
            )
        return value

    def instance_values(self, instance):
        return {"currency": instance.currency, "date": instance.date, "rate": instance.rate}

    def validate_batch(self, items, errors):
        first: dict[tuple, int] = {}
        for index, item in enumerate(items):
            if item is None:
                continue
            key = (item["currency"], item["date"])
            if key in first:
                add_error(
                    errors,
                    index,
                    "date",
                    f"{key[0]} {key[1]} appears twice in this batch "
                    f"(items {first[key]} and {index}).",
                )
            else:
                first[key] = index
        if self.context.get("upsert", True) or self.instance is not None:
            return  # a list corrects existing rates; an update is checked by its service
        for index, item in enumerate(items):
            if (
                item is not None
                and FxRate.objects.filter(currency=item["currency"], date=item["date"]).exists()
            ):
                add_error(
                    errors,
                    index,
                    "date",
                    f"There is already a {item['currency']} rate for {item['date']}; correct it "
                    "with PATCH, or send the rates as a list to upsert them.",
                )

    def create_batch(self, items):
        return fx_rates_upsert(rates=[FxRate(**item) for item in items], validate=True)

    def update(self, instance, validated_data):
        return fx_rate_update(fx_rate=instance, data=validated_data)


@extend_schema_view(
    create=bulk_create_schema(
        FxRateSerializer,
        noun="FX rate",
        more="A list upserts on (currency, date): a rate already stored for that day is "
        "corrected, and the landed cost of the receipts it prices is recomputed.",
    )
)
class FxRateViewSet(BulkCreateMixin, ScopedViewSet):
    """FX rates (internal: supplier contacts see none). POST a list to upsert many."""

    queryset = FxRate.objects.order_by("currency", "-date")
    serializer_class = FxRateSerializer
    filterset_class = FxRateFilter
    lookup_value_regex = "[0-9]{1,18}"

    def get_serializer_context(self):
        context = super().get_serializer_context()
        request = context.get("request")
        context["upsert"] = isinstance(getattr(request, "data", None), list)
        return context

    def perform_destroy(self, instance):
        fx_rate_delete(fx_rate=instance, actor=self.request.user)
