from django.apps import AppConfig
from django.db.models.signals import post_delete


class SuppliersConfig(AppConfig):
    name = "suppliers"

    def ready(self):
        from suppliers.models import Certificate
        from suppliers.signals import certificate_document_delete

        post_delete.connect(
            certificate_document_delete, sender=Certificate, dispatch_uid="certificate-file"
        )
