"""Every URL pattern of the project, opened by every role (docs/roles.md).

The routes come from the URL resolver (tests/routes.py) and their kwargs from one world
of two suppliers (tests/world.py), so a new page or endpoint is walked without editing
this file. Nothing answers 500 (the test client re-raises); anonymous users are sent to
log in (the API answers 401/403); internal roles open every GET page; a supplier contact
gets 404 only for what it may not see.
"""

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client

from accounts.selectors import scope_for_user
from tests.routes import INTERNAL_API, all_routes, fillings, is_public, named_object
from tests.world import INTERNAL, ROLES

pytestmark = pytest.mark.django_db

ROUTES = all_routes()
# Pages that change data: viewers are refused (403, saying why), buyers and admins work there.
EDITOR_ONLY = {
    "imports:home",
    "imports:template",
    "suppliers:create",
    "suppliers:edit",
    "parts:create",
    "parts:edit",
    "parts:source_create",
    "parts:source_edit",
    "orders:create",
    "messaging:thread_new",
    "contracts:create",
    "contracts:edit",
    "contracts:rule-create",
    "contracts:rule-edit",
    "contracts:child-create",
    "contracts:child-edit",
    "contracts:child-delete",
    "invoicing:new",
    "suppliers:assessment_create",
    "suppliers:assessment_edit",
}
# Buyer pages (issue 11): lists of the whole supply base and the forms that change master
# data and orders. To a supplier contact they do not exist (404, as an unknown URL).
BUYER_PAGES = {
    "prediction:lines",
    "prediction:model",
    "suppliers:list",
    "suppliers:create",
    "suppliers:edit",
    "parts:list",
    "parts:create",
    "parts:edit",
    "parts:source_create",
    "parts:source_edit",
    "orders:list",
    "orders:create",
    "contracts:list",
    "contracts:create",
    "contracts:detail",
    "contracts:edit",
    "contracts:rule-create",
    "contracts:rule-edit",
    "contracts:child-create",
    "contracts:child-edit",
    "contracts:child-delete",
    "rules:exceptions",
    "rules:split",
    "invoicing:list",
    "invoicing:new",
    "invoicing:detail",
    "inventory:list",
    "inventory:rejects",
    # Qualification and regional risk: a contact reads its own outcome in the portal.
    "suppliers:requalification",
    "suppliers:assessment",
    "suppliers:assessment_create",
    "suppliers:assessment_edit",
    "parts:sourcing_risk",
    "planning:suggestions",
    "planning:part",
}
# The supplier portal is the contacts' own: to internal roles it does not exist (404).
SUPPLIERS_ONLY = {"portal"}


def side_of(role: str) -> str:
    return "B" if role == "contact_b" else "A"


def login(world, role: str) -> Client:
    client = Client()
    if world.users[role] is not None:
        client.force_login(world.users[role])
    return client


def allows_get(route, response) -> bool:
    if route.serves_get is False:
        return False
    if response.status_code == 405:
        return "GET" in response.get("Allow", "")
    return True


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.id)
def test_every_url_as_every_role(full_world, route, role):
    client = login(full_world, role)
    side = side_of(role)
    user = full_world.users[role]
    for kwargs in fillings(route, full_world, side):
        url = route.url(kwargs)
        response = client.get(url)
        status = response.status_code
        where = f"GET {url} as {role}: {status}"
        assert status < 500, where
        if route.name.startswith("admin:"):
            if role == "admin":
                assert status == 200, where
            else:
                assert status == 302 and response["Location"].startswith("/admin/login/"), where
        elif is_public(route):
            continue  # anyone may open it; it only must not fail
        elif role == "anonymous":
            if route.is_api:
                assert status in (401, 403), where
            else:
                login_url = resolve_url(settings.LOGIN_URL)
                assert status == 302, f"{where}: a page that is public on purpose goes in PUBLIC"
                assert response["Location"].startswith(f"{login_url}?next="), where
        elif not allows_get(route, response):
            assert status == 405, where
        elif role in INTERNAL:
            if route.namespaces and route.namespaces[0] in SUPPLIERS_ONLY:
                assert status == 404, where
            elif role == "viewer" and route.name in EDITOR_ONLY:
                assert status == 403, where
            else:
                assert status in (200, 301, 302), where
                if status != 200:
                    login_url = resolve_url(settings.LOGIN_URL)
                    assert not response["Location"].startswith(login_url), where
        elif route.name in BUYER_PAGES or route.name in INTERNAL_API:
            assert status == 404, f"{where}: a buyer page, which a contact must not find"
        else:
            # A contact opens its own supplier's pages; 404 only for what it may not see
            # (internal data), 403 only for a buyer's page.
            assert status in (200, 302, 403, 404), where
            named = [named_object(route, name, full_world, side) for name in kwargs]
            hidden = [
                obj
                for obj in named
                if obj is not None
                and not scope_for_user(type(obj)._default_manager.filter(pk=obj.pk), user).exists()
            ]
            if status == 404:
                assert hidden, f"{where}, yet the contact may see every object the URL names"
            if status == 403:  # test_cross_supplier.py checks it is the same for anyone's object
                assert not route.is_api, f"{where}: the API lets every role read (scoped)"
            if status == 200 and route.is_api and hidden:
                pytest.fail(f"{where}: the URL names an object the contact may not see")


def test_the_walk_covers_pages_and_the_api():
    names = {route.name for route in ROUTES}
    assert {"home", "suppliers:detail", "parts:detail", "admin:index", "api-root"} <= names
    assert {"supplier-list", "supplier-detail", "purchase-order-acknowledge"} <= names
    assert not any(name.startswith("admin:") and name != "admin:index" for name in names)


def test_an_unknown_url_kwarg_tells_the_developer_where_to_teach_it(full_world):
    from dataclasses import replace

    from tests.routes import UnknownKwarg

    detail = next(route for route in ROUTES if route.name == "suppliers:detail")
    unknown = replace(detail, route="suppliers/<str:frobnicate>/", kwargs=("frobnicate",))
    with pytest.raises(UnknownKwarg, match=r"<frobnicate>.*Teach it in tests/routes.py"):
        fillings(unknown, full_world, "A")


def test_a_kind_of_object_the_world_lacks_tells_where_to_add_it(full_world):
    from dataclasses import replace

    from tests.routes import UnknownKwarg

    detail = next(route for route in ROUTES if route.name == "suppliers:detail")
    scans = replace(detail, route="scans/<int:alertscanrun_id>/", kwargs=("alertscanrun_id",))
    with pytest.raises(UnknownKwarg, match=r"AlertScanRun.*Add one in tests/world.py"):
        fillings(scans, full_world, "A")


def test_kwargs_are_filled_from_the_model_the_url_names(full_world):
    from dataclasses import replace

    from suppliers.models import Certificate

    detail = next(route for route in ROUTES if route.name == "parts:detail")
    bolt = full_world.sides["B"]
    cases = {
        "parts/<str:number>/": {"number": "P-BOLT-7"},
        "orders/<str:number>/lines/<int:line>/": {"number": "PO-BOLT-1", "line": 1},
        "receipts/<str:number>/": {"number": "GR-BOLT-1"},
        "certificates/<int:pk>/": {"pk": bolt.objects[Certificate].pk},
        "contracts/<str:reference>/": {"reference": "C-BOLT-1"},
    }
    for text, expected in cases.items():
        kwargs = tuple(expected)
        route = replace(detail, route=text, kwargs=kwargs, namespaces=(), callback=lambda: None)
        assert fillings(route, full_world, "B") == [expected], text
