"""Who may open a page: the one set of gates every app's views use (docs/roles.md).

Each gate sends an anonymous visitor to sign in first, then, when given `methods`, answers
405 to any other method (before the role is looked at, as Django's `require_POST` does),
then checks the role. A page that does not exist for a role answers 404, as an unknown
URL; a page a role may see but not use answers 403 with a sentence saying why.

Every gated view carries `gate` (the gate's name): tests/accounts/test_access.py checks that
every page of the project has one, so a new page without a gate fails.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.views.decorators.http import require_http_methods

from accounts.roles import EDITOR_ROLES, INTERNAL_ROLES, Role, user_role

READ_ONLY_MESSAGE = "Viewers read only: ask a buyer or an admin to make this change."
ANY_ROLE = frozenset(Role)


def require_role(request, roles, message: str | None = None) -> None:
    """The check of a gate, for a view that needs it part way (a POST on a readable page):
    a role outside `roles` gets 403 with `message`, or 404 without one."""
    if user_role(request.user) not in roles:
        if message is None:
            raise Http404("No such page.")
        raise PermissionDenied(message)


def _gate(name: str, check, methods):
    def decorate(view):
        @wraps(view)
        def checked(request, *args, **kwargs):
            check(request)
            return view(request, *args, **kwargs)

        gated = require_http_methods(methods)(checked) if methods else checked
        gated = login_required(gated)
        gated.gate = name
        return gated

    return decorate


def _decorator(name: str, check, view, methods):
    """`@gate` and `@gate(methods=[...])` alike."""
    decorate = _gate(name, check, methods)
    return decorate if view is None else decorate(view)


def signed_in(view=None, *, methods=None):
    """Anyone signed in: the page shows what the user's selector scopes (maybe nothing)."""
    return _decorator("signed_in", lambda request: None, view, methods)


def any_role(view=None, *, methods=None):
    """Anyone with a role; a role-less account finds nothing here (404)."""
    return _decorator("any_role", lambda request: require_role(request, ANY_ROLE), view, methods)


def internal_only(view=None, *, methods=None):
    """Buyer pages: a supplier contact (or a role-less account) finds nothing here (404)."""
    check = lambda request: require_role(request, INTERNAL_ROLES)  # noqa: E731
    return _decorator("internal_only", check, view, methods)


def editors_only(view=None, *, message: str = READ_ONLY_MESSAGE, methods=None):
    """Buyers and admins change data. A viewer is told why not (403, `message`); a supplier
    contact finds nothing here (404), as on every buyer page."""

    def check(request):
        require_role(request, INTERNAL_ROLES)
        require_role(request, EDITOR_ROLES, message)

    return _decorator("editors_only", check, view, methods)


def roles_only(roles, *, message: str, methods=None):
    """Pages shared by some roles; any other is told why not (403, `message`)."""
    return _gate("roles_only", lambda request: require_role(request, roles, message), methods)


def contact_required(view=None, *, methods=None):
    """The supplier portal: only an active supplier contact (then `request.contact` is its
    contact); anyone else finds nothing here (404)."""

    def check(request):
        contact = getattr(request.user, "supplier_contact", None)
        if user_role(request.user) != Role.SUPPLIER or contact is None:
            raise Http404
        request.contact = contact

    return _decorator("contact_required", check, view, methods)
