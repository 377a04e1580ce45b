"""/api/v1/fx-rates/: base-currency units per one unit of a currency, from a date on."""

from decimal import Decimal

from django.conf import settings
from rest_framework import serializers

from accounts.api import ScopedViewSet
from core.fields import CurrencyField, SaneDateField
from purchasing.filters import FxRateFilter
from purchasing.models import FxRate
from purchasing.services import fx_rate_delete, fx_rate_save


class FxRateSerializer(serializers.ModelSerializer):
    currency = CurrencyField()
    date = SaneDateField()
    rate = serializers.DecimalField(
        max_digits=18,
        decimal_places=8,
        min_value=Decimal("0.00000001"),
        help_text="Base-currency units per one unit of `currency`.",
    )

    class Meta:
        model = FxRate
        fields = ["id", "currency", "date", "rate"]
        validators = []  # (currency, date) uniqueness is checked in validate() with a clear message

    def validate_currency(self, value):
        if value == settings.BASE_CURRENCY:
            raise serializers.ValidationError(
                f"{value} is the base currency; its rate is always 1."
            )
        return value

    def validate(self, attrs):
        currency = attrs.get("currency", getattr(self.instance, "currency", None))
        date = attrs.get("date", getattr(self.instance, "date", None))
        clash = FxRate.objects.filter(currency=currency, date=date)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError(
                {"date": f"There is already a {currency} rate for {date}; update that one."}
            )
        return attrs


class FxRateViewSet(ScopedViewSet):
    """FX rates (internal: supplier contacts see none)."""

    queryset = FxRate.objects.order_by("currency", "-date")
    serializer_class = FxRateSerializer
    filterset_class = FxRateFilter
    lookup_value_regex = "[0-9]{1,18}"

    # Through the services, so the KPI months a rate covers are marked for refresh.
    def perform_create(self, serializer):
        serializer.instance = fx_rate_save(rate=FxRate(**serializer.validated_data))

    def perform_update(self, serializer):
        rate = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(rate, name, value)
        fx_rate_save(rate=rate)

    def perform_destroy(self, instance):
        fx_rate_delete(rate=instance)
