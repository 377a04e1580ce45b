from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SitesConfig(AppConfig):
    name = "sites"
    label = "sites"

    def ready(self):
        from sites.models import main_site_forget

        # A flush (transactional tests) empties the table: forget the cached main site.
        post_migrate.connect(lambda **kwargs: main_site_forget(), weak=False)
