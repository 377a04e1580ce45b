"""Permissions that depend on the deployment rather than on a role."""

from django.conf import settings
from rest_framework.permissions import BasePermission


class SignedInInProduction(BasePermission):
    """Anyone in development; in production (DUALSOURCE_PRODUCTION) signed-in users only,
    by session or token: the API schema names every resource and field."""

    def has_permission(self, request, view) -> bool:
        if not getattr(settings, "PRODUCTION", False):
            return True
        return bool(request.user and request.user.is_authenticated)
