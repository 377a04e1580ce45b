"""Every URL pattern of the project, read off the URL resolver, and a way to fill its kwargs.

The walks (tests/dualsource/test_url_walk.py, test_cross_supplier.py, test_query_counts.py
and tests/api/test_permission_matrix.py) take their routes from here, so a page or
endpoint added anywhere is walked without editing a test. A URL kwarg is filled from the
world (tests/world.py) by its name and the model the view shows; a name the walk does not
know fails with a message saying where to teach it.
"""

import importlib
import re
from dataclasses import dataclass
from itertools import product

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.world import World, natural_key_fields

# Admin internals are Django's own; the walk opens the admin index only.
SKIPPED_NAMESPACES = {"admin"}
KEPT_ADMIN = {"admin:index"}
# DRF's `.json` / `.api` suffix routes repeat their view with another renderer.
SKIPPED_KWARGS = {"format"}

# Pages anyone may open: signing in and out, recovering a password, accepting an emailed
# invitation, and the API's shape (the OpenAPI schema and its Swagger page hold no data).
PUBLIC = {"login", "logout", "api-schema", "api-docs", "invitation_accept"}
PUBLIC_PREFIXES = ("password_reset", "password-reset", "reset")

# API endpoints of internal figures (no rows to scope): a supplier contact finds nothing.
INTERNAL_API = {"automation-rate-list"}
# The contract's children a contract page edits by <kind> and <child_id>.
CHILD_KINDS = {"tiers": "contracts.PriceTier", "commitments": "contracts.VolumeCommitment"}

# A URL value that names nothing, to compare "another supplier's object" with "no object".
FAKE_INT = 987654321
FAKE_TEXT = "ZZNOPE"


class UnknownKwarg(LookupError):
    pass


@dataclass(frozen=True)
class Route:
    route: str  # the whole pattern, as written in the urlconfs ("suppliers/<str:code>/")
    name: str  # "namespace:name"
    callback: object
    kwargs: tuple[str, ...]
    namespaces: tuple[str, ...]

    @property
    def id(self) -> str:
        return f"{self.name} {self.route}"

    @property
    def is_api(self) -> bool:
        return hasattr(self.callback, "cls")

    @property
    def viewset(self):
        return getattr(self.callback, "cls", None)

    @property
    def api_actions(self) -> dict:
        """HTTP method → viewset action (`{"get": "list", "post": "create"}`)."""
        return dict(getattr(self.callback, "actions", None) or {})

    @property
    def serves_get(self) -> bool | None:
        """Whether GET is served (None: the view does not say; a plain function)."""
        if self.api_actions:
            return "get" in self.api_actions
        view_class = getattr(self.callback, "view_class", None) or self.viewset
        if view_class is not None:
            return hasattr(view_class, "get")
        return None

    def model(self):
        """The model the view shows, when the view says so (viewsets, generic views)."""
        view_class = self.viewset or getattr(self.callback, "view_class", None)
        if view_class is None:
            return None
        queryset = getattr(view_class, "queryset", None)
        if queryset is not None:
            return queryset.model
        if getattr(view_class, "model", None) is not None:
            return view_class.model
        serializer = getattr(view_class, "serializer_class", None)
        meta = getattr(serializer, "Meta", None)
        return getattr(meta, "model", None)

    def url(self, kwargs: dict) -> str:
        return reverse(self.name, kwargs=kwargs)


def _pattern_kwargs(pattern) -> list[str]:
    converters = getattr(pattern, "converters", None)
    if converters:
        return list(converters)
    regex = getattr(pattern, "regex", None)
    return list(regex.groupindex) if regex is not None else []


def all_routes() -> list[Route]:
    """Every named URL pattern of the project (recursively through includes)."""
    found: dict[str, Route] = {}

    def walk(patterns, prefix: str, namespaces: tuple, kwargs: tuple):
        for entry in patterns:
            text = prefix + str(entry.pattern).removeprefix("^").removesuffix("$")
            names = kwargs + tuple(_pattern_kwargs(entry.pattern))
            if isinstance(entry, URLResolver):
                spaces = namespaces + ((entry.namespace,) if entry.namespace else ())
                walk(entry.url_patterns, text, spaces, names)
                continue
            assert isinstance(entry, URLPattern)
            if set(names) & SKIPPED_KWARGS:
                continue
            name = ":".join([*namespaces, entry.name or ""])
            if namespaces and namespaces[0] in SKIPPED_NAMESPACES and name not in KEPT_ADMIN:
                continue
            assert entry.name, f"URL pattern {text!r} has no name: name it so it can be reversed"
            found.setdefault(
                name,
                Route(
                    route=text,
                    name=name,
                    callback=entry.callback,
                    kwargs=names,
                    namespaces=namespaces,
                ),
            )

    walk(get_resolver().url_patterns, "", (), ())
    return sorted(found.values(), key=lambda r: r.name)


def is_public(route: Route) -> bool:
    short = route.name.rsplit(":", 1)[-1]
    return short in PUBLIC or short.startswith(PUBLIC_PREFIXES)


def page_routes() -> list[Route]:
    return [r for r in all_routes() if not r.is_api]


def api_routes() -> list[Route]:
    return [r for r in all_routes() if r.is_api]


# --- filling URL kwargs ---------------------------------------------------------------------

# URL words that do not spell their model's name.
SEGMENT_MODELS = {
    "orders": "purchasing.PurchaseOrder",
    "purchase-orders": "purchasing.PurchaseOrder",
    "asn": "purchasing.ShipNotice",
    "asns": "purchasing.ShipNotice",
    "lines": "purchasing.PurchaseOrderLine",
    "scorecards": "scorecards.SupplierScorecard",
    "part-scorecards": "scorecards.PartScorecard",
    "stock": "inventory.InventoryPosition",
    "inventory-positions": "inventory.InventoryPosition",
    "inventory-readings": "inventory.InventoryPosition",
    "inventory-rejects": "inventory.InventoryReject",
    "sources": "parts.ApprovedSource",
    "colleagues": "suppliers.SupplierContact",
    "messages": "messaging.Thread",  # a page per conversation: /messages/<pk>/
}
# Kwarg names that name an object of one model whatever the URL says around them.
KWARG_MODELS = {
    "code": "suppliers.Supplier",
    "supplier": "suppliers.Supplier",
    "supplier_code": "suppliers.Supplier",
    "part": "parts.Part",
    "part_number": "parts.Part",
    "reference": "contracts.Contract",
    "contract": "contracts.Contract",
    "po": "purchasing.PurchaseOrder",
    "po_number": "purchasing.PurchaseOrder",
    "order": "purchasing.PurchaseOrder",
    "purchase_order": "purchasing.PurchaseOrder",
    "receipt": "purchasing.Receipt",
    "receipt_number": "purchasing.Receipt",
}
OBJECT_KEYS = {"pk", "id", "number"}  # take the model from the view or the URL around them


def _norm(word: str) -> str:
    return re.sub(r"[^a-z0-9]", "", word.lower())


def _project_models():
    return [m for m in apps.get_models() if hasattr(m, "supplier_field")]


def model_for_word(word: str):
    """The model a URL word (`suppliers`, `orders`, `threads`) or a kwarg stem names."""
    if word in SEGMENT_MODELS:
        return apps.get_model(SEGMENT_MODELS[word])
    singular = _norm(word).removesuffix("s")
    if not singular:
        return None
    exact = [m for m in _project_models() if _norm(m._meta.model_name) == singular]
    if len(exact) == 1:
        return exact[0]
    tail = [m for m in _project_models() if _norm(m._meta.model_name).endswith(singular)]
    return tail[0] if len(tail) == 1 else None


def _segment_before(route: Route, kwarg: str) -> str | None:
    """The URL word just before `<kwarg>` (`suppliers/<str:code>/` → `suppliers`)."""
    text = route.route
    found = re.search(rf"<(?:\w+:)?{kwarg}>|\(\?P<{kwarg}>", text)
    if found is None or found.start() == 0:
        return None
    before = re.sub(r"<[^>]*>|\(\?P<[^>]+>[^)]*\)", "", text[: found.start()])
    words = [w for w in re.split(r"[/.]", before) if w and not w.startswith("(")]
    return words[-1] if words else None


def _model_for_kwarg(route: Route, kwarg: str):
    if kwarg in KWARG_MODELS:
        return apps.get_model(KWARG_MODELS[kwarg])
    viewset = route.viewset
    if viewset is not None:
        lookup = viewset.lookup_url_kwarg or viewset.lookup_field
        if kwarg == lookup:
            return route.model()
    if kwarg in OBJECT_KEYS:
        segment = _segment_before(route, kwarg)
        for word in [segment, *reversed(route.namespaces)]:
            model = model_for_word(word) if word else None
            if model is not None:
                return model
        return route.model()
    stem = re.sub(r"_(id|pk|number|code)$", "", kwarg)
    return model_for_word(stem)


def _lookup_field(route: Route, kwarg: str, model) -> str:
    viewset = route.viewset
    if viewset is not None and kwarg == (viewset.lookup_url_kwarg or viewset.lookup_field):
        return viewset.lookup_field
    if kwarg in ("pk", "id") or kwarg.endswith(("_id", "_pk")):
        return "pk"
    keys = natural_key_fields(model)
    if kwarg in keys:
        return kwarg
    return keys[0] if keys else "pk"


def _values_beside_objects(route: Route, kwarg: str, world: World, side: str) -> list | None:
    """Kwargs that are not an object: formats, import kinds, export lists, periods, tokens."""
    if kwarg in ("fmt", "ext"):
        return ["csv", "xlsx"]
    if kwarg == "kind" and route.name.startswith("contracts:child-"):
        return sorted(CHILD_KINDS)
    if kwarg == "kind":
        module = importlib.import_module(route.callback.__module__)
        kinds = getattr(module, "KINDS", None)
        if kinds is None:
            raise UnknownKwarg(f"{route.id}: the view module has no KINDS to fill <kind> from")
        return sorted(kinds)
    if kwarg == "resource":
        return sorted(exportable_prefixes())
    if kwarg == "period":
        return ["rolling-90"]
    if kwarg == "month":
        return ["2026-02"]
    if kwarg == "year":
        return [2026]
    if kwarg in ("line", "line_number"):
        line = world.object_for(apps.get_model("purchasing.PurchaseOrderLine"), side)
        return [line.line_number]
    if kwarg == "uidb64":
        return [urlsafe_base64_encode(force_bytes(world.sides[side].contact.pk))]
    if kwarg == "token":
        return ["not-a-valid-token"]
    if kwarg == "slug" and route.name == "guide:page":
        return ["kpis"]  # a page every role reads (tests/guide: the internal ones)
    return None


def reverse_api_prefixes() -> list[str]:
    """The API's resource prefixes, as its root view lists them."""
    routes = {r.name: r for r in all_routes()}
    root = routes["api-root"].callback.initkwargs["api_root_dict"]
    return list(root)


def exportable_prefixes() -> list[str]:
    """The API resources that list rows (what /exports/<resource>.<fmt> serves)."""
    from rest_framework.generics import GenericAPIView

    routes = {r.name: r for r in all_routes()}
    return [
        prefix
        for prefix, list_name in routes["api-root"].callback.initkwargs["api_root_dict"].items()
        if routes[list_name].api_actions.get("get") == "list"
        and issubclass(routes[list_name].viewset, GenericAPIView)
    ]


def kwarg_values(route: Route, kwarg: str, world: World, side: str) -> list:
    """The values of one kwarg for a URL about supplier `side` ("A", "B", "A+shared": the
    objects ACME shares with BOLT where there are such; "fake": nothing)."""
    real_side = "A" if side == "fake" else side.removesuffix("+shared")
    beside = _values_beside_objects(route, kwarg, world, real_side)
    if beside is not None:
        if side == "fake" and kwarg in ("line", "line_number"):
            return [FAKE_INT % 10000]
        if side == "fake" and kwarg == "uidb64":
            return [urlsafe_base64_encode(force_bytes(FAKE_INT))]
        return beside
    model = _model_for_kwarg(route, kwarg)
    if model is None:
        raise UnknownKwarg(
            f"{route.id}: the walk does not know what URL kwarg <{kwarg}> names. Teach it in "
            "tests/routes.py (KWARG_MODELS for an object, _values_beside_objects otherwise)."
        )
    field = _lookup_field(route, kwarg, model)
    if side == "fake":
        return [FAKE_INT if field in ("pk", "id") else f"{FAKE_TEXT}-{kwarg}"]
    instance = world.object_for(model, side)
    if instance is None:
        raise UnknownKwarg(
            f"{route.id}: <{kwarg}> names a {model.__name__}, and the world has none of "
            f"supplier {side}. Add one in tests/world.py (build_world)."
        )
    return [getattr(instance, field)]


def named_object(route: Route, kwarg: str, world: World, side: str):
    """The world's object a kwarg names in a URL about `side` (None: not an object)."""
    if _values_beside_objects(route, kwarg, world, side) is not None:
        return None
    model = _model_for_kwarg(route, kwarg)
    return world.object_for(model, side) if model is not None else None


def fillings(route: Route, world: World, side: str) -> list[dict]:
    """Every way to fill the route's kwargs for `side`, in a stable order (a product of
    the kwargs' values), so the fillings of A, B and "fake" line up one to one."""
    names = list(route.kwargs)
    free = [name for name in names if name != "child_id"]
    choices = [kwarg_values(route, name, world, side) for name in free]
    found = []
    for values in product(*choices):
        filled = dict(zip(free, values, strict=True))
        if "child_id" in names:  # the child's model is the one its <kind> names
            filled["child_id"] = _child_id(filled["kind"], world, side)
        found.append({name: filled[name] for name in names})
    return found


def _child_id(kind: str, world: World, side: str):
    if side == "fake":
        return FAKE_INT
    instance = world.object_for(apps.get_model(CHILD_KINDS[kind]), side)
    return instance.pk


def object_kwargs(route: Route) -> set[str]:
    """The kwargs that name a supplier's object (not a format, kind or period)."""
    return {
        name
        for name in route.kwargs
        if name not in ("fmt", "ext", "kind", "resource", "period", "month", "year", "slug")
    }
