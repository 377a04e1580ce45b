"""API permission: the role table of docs/roles.md.

Object scoping is done by the queryset selector.
"""

from rest_framework.exceptions import NotFound
from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts.roles import EDITOR_ROLES, INTERNAL_ROLES, Role, user_role


class RolePermission(BasePermission):
    """Any role may read (scoped by its queryset); only admins and buyers write.

    A view lists the actions a supplier contact may perform in
    `supplier_actions` (acknowledging a line, posting a ship notice, ...).
    """

    def has_permission(self, request, view) -> bool:
        role = user_role(request.user)
        if role is None:
            return False
        if request.method in SAFE_METHODS:
            return True
        if role in EDITOR_ROLES:
            return True
        return role == Role.SUPPLIER and getattr(view, "action", None) in getattr(
            view, "supplier_actions", ()
        )


class InternalOnly(RolePermission):
    """Internal figures with no rows to scope (the automation rate, sourcing risk): to a
    supplier contact the endpoint does not exist (404), as a buyer page does not."""

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        if user_role(request.user) not in INTERNAL_ROLES:
            raise NotFound()
        return True
