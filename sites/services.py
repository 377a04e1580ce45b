"""Writes for sites."""

from django.db import transaction

from core.services import model_update
from sites.models import Site

SITE_FIELDS = ["code", "name", "country"]


def site_create(*, code: str, name: str, country: str = "", actor=None) -> Site:
    site = Site(code=code, name=name, country=(country or "").upper())
    site.full_clean()
    site.save()
    return site


def site_update(*, site: Site, data: dict, actor=None) -> Site:
    """Rename a site or set its country; the code is its key in every system and stays."""
    data = dict(data)
    data.pop("code", None)
    if "country" in data:
        data["country"] = (data["country"] or "").upper()
    model_update(instance=site, fields=["name", "country"], data=data)
    return site


@transaction.atomic
def site_delete(*, site: Site, actor=None) -> None:
    """Refused (ProtectedError) while orders or readings name the site."""
    site.delete()


def sites_ensure(*, codes: set[str]) -> dict[str, Site]:
    """The sites with these codes, creating the missing ones (named after their code):
    readings from ERPs and sensors may name a site before anyone entered it."""
    found = {site.code: site for site in Site.objects.filter(code__in=codes)}
    missing = [Site(code=code, name=code) for code in sorted(codes - found.keys())]
    if missing:
        Site.objects.bulk_create(missing, ignore_conflicts=True)
        found = {site.code: site for site in Site.objects.filter(code__in=codes)}
    return found
