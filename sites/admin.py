from django.contrib import admin

from core.admin import ServiceAdmin
from sites.models import Site
from sites.services import site_create, site_delete, site_update


@admin.register(Site)
class SiteAdmin(ServiceAdmin):
    list_display = ["code", "name", "country"]
    search_fields = ["code", "name"]

    def service_create(self, request, obj, form):
        return site_create(code=obj.code, name=obj.name, country=obj.country, actor=request.user)

    def service_update(self, request, stored, data, form):
        return site_update(site=stored, data=data, actor=request.user)

    def service_delete(self, request, obj):
        site_delete(site=obj, actor=request.user)
