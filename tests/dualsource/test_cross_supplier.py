"""A contact of ACME asks for BOLT's things everywhere, and learns nothing (docs/roles.md).

Every URL pattern and API route (tests/routes.py) is requested by ACME's contact three
times: with ACME's objects, with BOLT's, and with keys that name nothing. BOLT's answer
must be indistinguishable from "nothing" (same status, same body once the keys are
swapped back) and, where ACME's own object opens, a 404, never a 403 that confirms the
object exists. Lists, filters (`?supplier=`), searches (`?q=`, `?search=`) and request
bodies that name BOLT's objects are probed the same way, and no body ever shows BOLT's
code, name, part numbers, order numbers, prices or tracking numbers.
"""

import io
import re
import zipfile
from html import escape
from urllib.parse import quote, quote_plus, urlencode

import pytest
from django.test import Client
from rest_framework import serializers

from tests.routes import FAKE_TEXT, KWARG_MODELS, all_routes, fillings, is_public, object_kwargs
from tests.world import World

pytestmark = pytest.mark.django_db

ROUTES = all_routes()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSRF_TOKEN = re.compile(r"[A-Za-z0-9]{64}|[A-Za-z0-9]{32}")


def body_text(response) -> str:
    content = (
        b"".join(response.streaming_content) if response.streaming else bytes(response.content)
    )
    if response.get("Content-Type", "").startswith(XLSX):
        with zipfile.ZipFile(io.BytesIO(content)) as book:
            names = sorted(n for n in book.namelist() if not n.startswith("docProps/"))
            return "\n".join(book.read(n).decode("utf-8") for n in names)
    return CSRF_TOKEN.sub("<token>", content.decode("utf-8", errors="replace"))


def swapped(text: str, swaps: dict) -> str:
    """`text` with every fake key replaced by the real one, however it was encoded."""
    for fake, real in swaps.items():
        fake, real = str(fake), str(real)
        for encode in (str, quote, quote_plus, escape):
            text = text.replace(encode(fake), encode(real))
    return text


def leaked(text: str, world: World) -> list[str]:
    return [secret for secret in world.sides["B"].secrets if secret in text]


def request(client: Client, method: str, url: str, data=None):
    if method == "get":
        return client.get(url, data or {})
    return getattr(client, method)(url, data or {}, content_type="application/json")


def methods_of(route) -> list[str]:
    if route.api_actions:
        return sorted(route.api_actions)
    return ["get", "post"] if object_kwargs(route) else ["get"]


def assert_same_as_nothing(other, missing, swaps, where):
    assert other.status_code == missing.status_code, (
        f"{where}: BOLT's object answers {other.status_code}, a missing one {missing.status_code}"
    )
    assert body_text(other) == swapped(body_text(missing), swaps), (
        f"{where}: BOLT's object answers differently from a missing one"
    )


@pytest.fixture
def contact_a(full_world):
    client = Client()
    client.force_login(full_world.users["contact_a"])
    return client


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.id)
def test_another_suppliers_objects_do_not_exist(full_world, contact_a, route):
    world = full_world
    rows = zip(
        fillings(route, world, "A"),
        fillings(route, world, "A+shared"),
        fillings(route, world, "B"),
        fillings(route, world, "fake"),
        strict=True,
    )
    for own_kwargs, shared_kwargs, other_kwargs, missing_kwargs in rows:
        swaps = {
            missing_kwargs[k]: other_kwargs[k]
            for k in route.kwargs
            if missing_kwargs[k] != other_kwargs[k]
        }
        for method in methods_of(route):
            where = f"{method.upper()} {route.url(other_kwargs)} as ACME's contact"
            own = request(contact_a, method, route.url(own_kwargs))
            assert own.status_code < 500
            shown = leaked(body_text(own), world)
            assert not shown, f"{where}: ACME's own answer shows BOLT's {shown}"
            if not object_kwargs(route):
                continue
            shared_url = route.url(shared_kwargs)
            if shared_url != route.url(own_kwargs):  # the part both supply: BOLT stays hidden
                shared = request(contact_a, method, shared_url)
                assert shared.status_code < 500
                shown = leaked(body_text(shared), world)
                assert not shown, f"{method.upper()} {shared_url} shows BOLT's {shown}"
            other = request(contact_a, method, route.url(other_kwargs))
            missing = request(contact_a, method, route.url(missing_kwargs))
            assert_same_as_nothing(other, missing, swaps, where)
            # A public page's kwargs are tokens, not objects (a password reset link): it
            # only must answer BOLT's exactly as it answers nothing.
            if own.status_code < 400 and not is_public(route):
                assert other.status_code == 404, f"{where}: {other.status_code}, not 404"
            assert other.status_code != 403 or own.status_code == 403, where


def probes(world: World) -> list[tuple[str, str, str]]:
    """(query parameter, BOLT's value, a value naming nothing) for filters and searches."""
    bolt = world.sides["B"]
    order = next(o for m, o in bolt.objects.items() if m.__name__ == "PurchaseOrder")
    part = next(p for m, p in bolt.objects.items() if m.__name__ == "Part")
    return [
        ("supplier", bolt.supplier.code, FAKE_TEXT),
        ("q", bolt.supplier.code, FAKE_TEXT),
        ("q", bolt.supplier.name, "Zz Nowhere"),
        ("search", bolt.supplier.code, FAKE_TEXT),
        ("search", bolt.supplier.name, "Zz Nowhere"),
        ("part", part.number, f"{FAKE_TEXT}-P"),
        ("q", part.number, f"{FAKE_TEXT}-P"),
        ("purchase_order", order.number, f"{FAKE_TEXT}-PO"),
        ("q", order.number, f"{FAKE_TEXT}-PO"),
    ]


# The API's own description holds no data and takes no filters.
DOCUMENTATION = {"api-schema", "api-docs"}
LISTS = [
    r
    for r in ROUTES
    if not object_kwargs(r) and r.serves_get is not False and r.name not in DOCUMENTATION
]


@pytest.mark.parametrize("route", LISTS, ids=lambda r: r.id)
def test_filters_and_searches_for_another_supplier_find_nothing(full_world, contact_a, route):
    for kwargs in fillings(route, full_world, "A"):
        if kwargs.get("fmt", "csv") != "csv":
            continue  # the same rows as the CSV, in another format
        url = route.url(kwargs)
        for name, value, nothing in probes(full_world):
            where = f"GET {url}?{urlencode({name: value})} as ACME's contact"
            other = contact_a.get(url, {name: value})
            missing = contact_a.get(url, {name: nothing})
            assert_same_as_nothing(other, missing, {nothing: value}, where)


def _naming_fields(serializer) -> list[tuple[tuple[str, ...], object]]:
    """Writable fields that name an object: (path in the body, model)."""
    from django.apps import apps

    found = []
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        if isinstance(field, serializers.ListSerializer) and isinstance(
            field.child, serializers.Serializer
        ):
            found += [((name, *path), model) for path, model in _naming_fields(field.child)]
        elif isinstance(field, serializers.RelatedField) and field.queryset is not None:
            found.append(((name,), field.queryset.model))
        elif name in KWARG_MODELS:
            found.append(((name,), apps.get_model(KWARG_MODELS[name])))
    return found


def _body(path: tuple[str, ...], value) -> dict:
    head, *rest = path
    return {head: [_body(tuple(rest), value)] if rest else value}


CREATES = [
    r
    for r in ROUTES
    if r.api_actions.get("post") == "create"
    and "create" in getattr(r.viewset, "supplier_actions", ())
]


@pytest.mark.parametrize("route", CREATES, ids=lambda r: r.id)
def test_bodies_naming_another_suppliers_objects_are_refused_alike(full_world, contact_a, route):
    from tests.world import natural_key_fields

    fields = _naming_fields(route.viewset.serializer_class())
    assert fields, f"{route.id}: a supplier writes here, yet no field names an object"
    for path, model in fields:
        instance = full_world.object_for(model, "B")
        key = (natural_key_fields(model) or ["pk"])[0]
        value = getattr(instance, key)
        nothing = f"{FAKE_TEXT}-{path[-1]}" if key != "pk" else 987654321
        where = f"POST {route.url({})} naming BOLT's {model.__name__} in {'.'.join(path)}"
        other = request(contact_a, "post", route.url({}), _body(path, value))
        missing = request(contact_a, "post", route.url({}), _body(path, nothing))
        assert_same_as_nothing(other, missing, {nothing: value}, where)


def _forms_of(response) -> list:
    from django.forms import BaseForm, BaseFormSet

    if response.context is None:
        return []
    contexts = response.context if isinstance(response.context, list) else [response.context]
    values = [v for context in contexts for v in context.flatten().values()]
    found = []
    for value in values:
        if isinstance(value, BaseForm):
            found.append(value)
        elif isinstance(value, BaseFormSet):
            found += [value.empty_form, *value.forms]
    return list({id(form): form for form in found}.values())  # a form sits in several contexts


PAGES = [r for r in ROUTES if not r.is_api and r.serves_get is not False]


def test_page_forms_accept_only_the_contacts_own_objects(full_world, contact_a):
    """A form field that names an object (a PO line in an ASN, a thread) takes ACME's only:
    BOLT's object is refused exactly like one that does not exist."""
    from django.forms import ModelChoiceField, ModelMultipleChoiceField

    probed = []
    for route in PAGES:
        for kwargs in fillings(route, full_world, "A")[:1]:
            url = route.url(kwargs)
            page = contact_a.get(url)
            if page.status_code != 200:
                continue
            for form in _forms_of(page):
                for name, field in form.fields.items():
                    if not isinstance(field, ModelChoiceField):
                        continue
                    instance = full_world.object_for(field.queryset.model, "B")
                    if instance is None:
                        continue
                    value = getattr(instance, field.to_field_name or "pk")
                    nothing = FAKE_TEXT if field.to_field_name else 987654321
                    if isinstance(field, ModelMultipleChoiceField):
                        value, nothing = [value], [nothing]
                    key = form.add_prefix(name)
                    where = f"POST {url} with BOLT's {instance._meta.model_name} in {key}"
                    other = contact_a.post(url, {key: value})
                    missing = contact_a.post(url, {key: nothing})
                    swaps = (
                        {str(n): str(v) for n, v in zip(nothing, value, strict=True)}
                        if (isinstance(value, list))
                        else {nothing: value}
                    )
                    assert_same_as_nothing(other, missing, swaps, where)
                    probed.append(where)
    if not probed:
        pytest.skip("No page form a supplier contact opens names an object yet.")
