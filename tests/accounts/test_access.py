"""The one set of page gates (accounts/access.py): every page has one, and each answers as
docs/roles.md says: sign in first, then 405 for a wrong method, then 404 for a page that
does not exist for the role, 403 (saying why) for one the role may see but not use."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.test import RequestFactory

from accounts import access
from accounts.roles import EDITOR_ROLES
from tests.factories import UserFactory
from tests.routes import all_routes, is_public

pytestmark = pytest.mark.django_db

GATES = {
    "signed_in",
    "any_role",
    "internal_only",
    "editors_only",
    "roles_only",
    "contact_required",
}
# Django's own pages, gated by Django (changing one's password asks to sign in first).
DJANGO_GATED = {"password_change", "password_change_done"}


def test_every_page_of_the_project_has_a_gate():
    """A new page without one of the gates fails here (the API is gated by RolePermission)."""
    ungated = [
        route.id
        for route in all_routes()
        if not route.is_api
        and not route.name.startswith("admin:")
        and not is_public(route)
        and route.name not in DJANGO_GATED
        and getattr(route.callback, "gate", None) not in GATES
    ]
    assert ungated == [], "Gate these pages with a decorator of accounts/access.py"


def test_public_pages_carry_no_gate():
    """A page listed as public that is gated would lock out the people it is for."""
    public = [route for route in all_routes() if is_public(route) and not route.is_api]
    assert public
    assert [route.id for route in public if getattr(route.callback, "gate", None)] == []


def _view(request):
    return HttpResponse("ok")


def _call(gated, user, method="get"):
    request = getattr(RequestFactory(), method)("/somewhere/")
    request.user = user
    return gated(request)


@pytest.fixture
def role_less(db):
    return UserFactory(username="nobody", role=None)


def test_anyone_not_signed_in_is_sent_to_sign_in_before_anything_else():
    for gate in (access.signed_in, access.internal_only, access.contact_required):
        response = _call(gate(methods=["POST"])(_view), AnonymousUser())
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_wrong_method_is_405_before_the_role_is_looked_at(contact_a, viewer):
    gated = access.editors_only(methods=["POST"])(_view)
    for user in (contact_a, viewer):
        assert _call(gated, user, "get").status_code == 405


def test_editors_only_hides_the_page_from_contacts_and_tells_viewers_why(
    buyer, admin_user, viewer, contact_a, role_less
):
    gated = access.editors_only(message="Only buyers change this.")(_view)
    assert _call(gated, buyer).status_code == 200
    assert _call(gated, admin_user).status_code == 200
    with pytest.raises(PermissionDenied, match="Only buyers change this."):
        _call(gated, viewer)
    for user in (contact_a, role_less):
        with pytest.raises(Http404):
            _call(gated, user)


def test_internal_only_and_contact_required_split_the_two_sides(buyer, viewer, contact_a):
    internal = access.internal_only(_view)
    portal = access.contact_required(_view)
    for user in (buyer, viewer):
        assert _call(internal, user).status_code == 200
        with pytest.raises(Http404):
            _call(portal, user)
    assert _call(portal, contact_a).status_code == 200
    with pytest.raises(Http404):
        _call(internal, contact_a)


def test_roles_only_refuses_other_roles_with_its_sentence(buyer, contact_a):
    gated = access.roles_only(EDITOR_ROLES, message="Only buyers and admins import data.")(_view)
    assert _call(gated, buyer).status_code == 200
    with pytest.raises(PermissionDenied, match="import data"):
        _call(gated, contact_a)


def test_any_role_hides_pages_from_an_account_without_a_role(role_less, contact_a, viewer):
    gated = access.any_role(_view)
    assert _call(gated, contact_a).status_code == 200
    assert _call(gated, viewer).status_code == 200
    with pytest.raises(Http404):
        _call(gated, role_less)
    assert _call(access.signed_in(_view), role_less).status_code == 200
