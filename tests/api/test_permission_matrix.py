"""Who may call what, for every endpoint the API router knows (docs/roles.md).

Driven by `router.registry`: every viewset's list, detail and extra actions, with every
HTTP method they answer, as anonymous, admin, buyer, viewer and ACME's contact. Anyone
signed in reads (scoped: internal data answers a contact 404); only buyers and admins
write, except the few actions a viewset names in `supplier_actions`. A refused write
changes nothing. A new endpoint is covered without editing this file.
"""

from dataclasses import dataclass

import pytest
from django.forms.models import model_to_dict
from django.test import Client

from accounts.selectors import scope_for_user
from dualsource.api_urls import router
from tests.routes import INTERNAL_API, all_routes, fillings, named_object

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "admin", "buyer", "viewer", "contact_a")
EDITORS = ("admin", "buyer")
STANDARD = {
    "list": (False, "get"),
    "create": (False, "post"),
    "retrieve": (True, "get"),
    "update": (True, "put"),
    "partial_update": (True, "patch"),
    "destroy": (True, "delete"),
}


@dataclass(frozen=True)
class Call:
    prefix: str
    viewset: type
    action: str
    method: str
    url_name: str

    @property
    def id(self) -> str:
        return f"{self.method.upper()} {self.prefix} {self.action}"

    @property
    def writes(self) -> bool:
        return self.method not in ("get", "head", "options")


def calls() -> list[Call]:
    found = []
    for prefix, viewset, basename in router.registry:
        for action, (detail, method) in STANDARD.items():
            if hasattr(viewset, action):
                suffix = "detail" if detail else "list"
                found.append(Call(prefix, viewset, action, method, f"{basename}-{suffix}"))
        for extra in viewset.get_extra_actions():
            for method, handler in extra.mapping.items():
                found.append(Call(prefix, viewset, handler, method, f"{basename}-{extra.url_name}"))
    return found


CALLS = calls()
ROUTES = {route.name: route for route in all_routes()}


def snapshot(model, instance):
    if model is None:
        return None
    instance = model._default_manager.filter(pk=instance.pk).first() if instance else None
    return model._default_manager.count(), model_to_dict(instance) if instance else None


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("call", CALLS, ids=lambda c: c.id)
def test_permission_matrix(full_world, call, role):
    route = ROUTES[call.url_name]
    (kwargs,) = fillings(route, full_world, "A")[:1] or [{}]
    url = route.url(kwargs)
    user = full_world.users[role]
    client = Client()
    if user is not None:
        client.force_login(user)
    model = route.model()
    named = [named_object(route, name, full_world, "A") for name in kwargs]
    target = next((obj for obj in named if model and isinstance(obj, model)), None)
    before = snapshot(model, target)
    hidden = user is not None and any(
        obj is not None
        and not scope_for_user(type(obj)._default_manager.filter(pk=obj.pk), user).exists()
        for obj in named
    )

    response = getattr(client, call.method)(url, {}, content_type="application/json")
    status = response.status_code
    where = f"{call.method.upper()} {url} ({call.action}) as {role}: {status}"
    assert status < 500, where

    supplier_may = call.action in getattr(call.viewset, "supplier_actions", ())
    if role == "anonymous":
        assert status in (401, 403), where
    elif not call.writes:
        internal = role == "contact_a" and call.url_name in INTERNAL_API
        assert status == (404 if hidden or internal else 200), where
    elif role in EDITORS or (role == "contact_a" and supplier_may):
        # Allowed: the empty body is then applied, or refused on its merits (400; 409 for a
        # protected delete; 405 where the viewset never deletes, as for audited contracts).
        assert status in ((404,) if hidden else (200, 201, 204, 400, 405, 409)), where
    else:
        assert status == 403, where
    if status in (401, 403, 404):
        assert snapshot(model, target) == before, f"{where}, yet something changed"


def test_every_supplier_action_names_an_action_of_its_viewset():
    for prefix, viewset, _ in router.registry:
        actions = set(STANDARD) | {
            handler for extra in viewset.get_extra_actions() for handler in extra.mapping.values()
        }
        unknown = set(getattr(viewset, "supplier_actions", ())) - actions
        assert not unknown, f"{prefix}: supplier_actions names no action {sorted(unknown)}"


def test_the_matrix_covers_every_registered_viewset():
    assert {c.prefix for c in CALLS} == {prefix for prefix, _, _ in router.registry}
    assert any(c.action == "acknowledge" for c in CALLS)  # extra actions are in
