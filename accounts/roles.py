"""The four roles of docs/roles.md. Buyer, viewer and supplier are groups; admin is a superuser."""

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    BUYER = "buyer"
    VIEWER = "viewer"
    SUPPLIER = "supplier"


# Roles that see every supplier; supplier contacts see only their own.
INTERNAL_ROLES = frozenset({Role.ADMIN, Role.BUYER, Role.VIEWER})
# Roles that may change master data, orders, contracts and rules.
EDITOR_ROLES = frozenset({Role.ADMIN, Role.BUYER})
GROUP_ROLES = (Role.BUYER, Role.VIEWER, Role.SUPPLIER)


def user_role(user) -> Role | None:
    """The role of a user, or None for anonymous and role-less accounts (they see nothing)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    cached = getattr(user, "_dualsource_role", False)
    if cached is not False:
        return cached
    if user.is_superuser:
        role = Role.ADMIN
    else:
        names = set(user.groups.values_list("name", flat=True))
        role = next((r for r in (Role.BUYER, Role.VIEWER, Role.SUPPLIER) if r.value in names), None)
    user._dualsource_role = role
    return role


def user_is_internal(user) -> bool:
    """Admins, buyers and viewers: they see every supplier, its shares and its figures."""
    return user_role(user) in INTERNAL_ROLES


def user_can_edit(user) -> bool:
    """Admins and buyers: they change master data, orders, contracts and rules."""
    return user_role(user) in EDITOR_ROLES
