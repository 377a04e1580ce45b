"""Files go with their rows: a certificate's document leaves storage when the row is
deleted, however it is deleted (its own delete, the admin, a supplier's cascade), once
the deleting transaction commits (a rolled-back delete keeps the file)."""

from django.db import transaction


def certificate_document_delete(sender, instance, **kwargs) -> None:
    if not instance.document:
        return
    storage, name = instance.document.storage, instance.document.name
    transaction.on_commit(lambda: storage.delete(name))
