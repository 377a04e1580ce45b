"""Sites: the plants and warehouses that hold stock and receive goods (docs/inventory.md)."""

from django.conf import settings
from django.db import models

from core.validators import country_code_validator, natural_key_validator


class Site(models.Model):
    supplier_field = None  # internal: stock and delivery sites are not shown to contacts

    code = models.CharField(max_length=40, unique=True, validators=[natural_key_validator])
    name = models.CharField(max_length=200)
    country = models.CharField(max_length=2, blank=True, validators=[country_code_validator])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    def natural_key(self) -> tuple[str]:
        return (self.code,)


_MAIN_SITE: dict[str, int] = {}


def main_site_forget() -> None:
    _MAIN_SITE.clear()


def main_site_pk() -> int:
    """The organisation's main site (setting `DUALSOURCE_MAIN_SITE`), created when missing;
    the default delivery site of a purchase order. Cached per process once found."""
    code = settings.DUALSOURCE_MAIN_SITE
    pk = _MAIN_SITE.get(code)
    if pk is not None:
        return pk
    site, created = Site.objects.get_or_create(code=code, defaults={"name": "Main site"})
    if not created:
        # Only a row that existed before this call is safe to remember across transactions.
        _MAIN_SITE[code] = site.pk
    return site.pk
