"""Supplier reads, scoped through the one permission selector (`accounts.selectors`)."""

from django.db.models import QuerySet

from accounts.selectors import scope_for_user
from suppliers.models import Supplier


def visible_suppliers(user) -> QuerySet[Supplier]:
    return scope_for_user(Supplier.objects.all(), user)
