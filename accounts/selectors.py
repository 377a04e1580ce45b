"""The one permission selector: every queryset a page or endpoint shows goes through here.

Each scoped model names the path from itself to its supplier in `supplier_field`
(for example "purchase_order__supplier"). Models without that attribute are
internal data that supplier contacts never see (FX rates, rules, ...).
"""

from django.db.models import QuerySet

from accounts.roles import INTERNAL_ROLES, Role, user_role


def user_supplier_id(user) -> int | None:
    """The supplier a supplier contact belongs to, else None."""
    if user_role(user) != Role.SUPPLIER:
        return None
    # The reverse side of suppliers.SupplierContact.user: read by name, no import upwards.
    contact = getattr(user, "supplier_contact", None)
    return contact.supplier_id if contact is not None else None


def scope_for_user(queryset: QuerySet, user) -> QuerySet:
    """Restrict a queryset of any model to what the user may see (docs/roles.md)."""
    role = user_role(user)
    if role in INTERNAL_ROLES:
        return queryset
    supplier_id = user_supplier_id(user)
    field = getattr(queryset.model, "supplier_field", None)
    if supplier_id is None or field is None:
        return queryset.none()
    if field == "pk":
        return queryset.filter(pk=supplier_id)
    if not _is_multi_valued(queryset.model, field):
        return queryset.filter(**{field: supplier_id})
    # A multi-valued path (a part has many sources) would repeat rows: filter by subquery.
    matching = queryset.model._default_manager.filter(**{field: supplier_id}).values("pk")
    return queryset.filter(pk__in=matching)


def _is_multi_valued(model, path: str) -> bool:
    for name in path.split("__"):
        field = model._meta.get_field(name)
        if field.one_to_many or field.many_to_many:
            return True
        model = field.related_model
    return False
