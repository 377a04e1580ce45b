"""/api/v1/sites/ (by code): the plants and warehouses that hold stock and receive goods.

Internal master data: supplier contacts get an empty list (an order shows its own
delivery site's code).
"""

from rest_framework import serializers

from accounts.api import ScopedViewSet
from core.iso_codes import COUNTRY_CODES
from core.validators import natural_key_validator
from sites.filters import SiteFilter
from sites.models import Site
from sites.services import site_create, site_delete, site_update


class SiteSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40, validators=[natural_key_validator])
    name = serializers.CharField(max_length=200)
    country = serializers.CharField(
        max_length=2,
        required=False,
        allow_blank=True,
        help_text="ISO 3166-1 alpha-2 code, such as DE.",
    )

    def validate_code(self, value):
        if self.instance is not None:
            if value != self.instance.code:
                raise serializers.ValidationError(
                    "The site code is the site's key in every system; it cannot change."
                )
        elif Site.objects.filter(code=value).exists():
            raise serializers.ValidationError(f"Site {value} already exists.")
        return value

    def validate_country(self, value):
        value = value.strip().upper()
        if value and value not in COUNTRY_CODES:
            raise serializers.ValidationError(
                f"'{value[:10]}' is not an ISO 3166-1 alpha-2 country code (such as DE)."
            )
        return value

    def create(self, validated_data):
        return site_create(**validated_data)

    def update(self, instance, validated_data):
        return site_update(site=instance, data=validated_data)


class SiteViewSet(ScopedViewSet):
    """Sites by code; buyers and admins create and edit them."""

    queryset = Site.objects.order_by("code")
    serializer_class = SiteSerializer
    filterset_class = SiteFilter
    lookup_field = "code"
    lookup_url_kwarg = "site_code"

    def perform_destroy(self, instance):
        site_delete(site=instance)
