"""Site filters, shared by the pages and /api/v1/sites/."""

import django_filters

from sites.models import Site


class SiteFilter(django_filters.FilterSet):
    code = django_filters.CharFilter(lookup_expr="iexact")
    name = django_filters.CharFilter(lookup_expr="icontains")
    country = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Site
        fields = ["code", "name", "country"]
