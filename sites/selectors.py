"""Reads for sites."""

from sites.models import Site


def sites_by_code(*, codes) -> dict[str, Site]:
    return {site.code: site for site in Site.objects.filter(code__in=set(codes))}
