"""Every endpoint walked as every role: who sees what, who may write what (docs/roles.md).

Roles: admin, buyer, viewer, the contact of ACME (`contact_a`), the contact of BOLT
(`contact_b`) and anonymous. A contact sees only its own supplier's objects and gets 404
for anyone else's; viewers read everything and write nothing; anonymous gets nothing.
"""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import pytest

ROLES = ["admin_user", "buyer", "viewer", "contact_a", "contact_b", None]
INTERNAL = {"admin_user", "buyer", "viewer"}
EDITORS = {"admin_user", "buyer"}


@dataclass(frozen=True)
class Resource:
    prefix: str
    key: callable  # identity of a listed item
    everything: set
    seen_by_a: set
    seen_by_b: set
    own: callable  # world → URL key of an ACME object
    other: callable  # world → URL key of a BOLT object
    create: callable  # world → payload a buyer may create
    patch: dict = field(default_factory=dict)
    deletable: callable = None  # world → URL key of an ACME object nothing depends on
    supplier_writes: tuple = ()  # actions a contact may call on its own objects


RESOURCES = [
    Resource(
        "suppliers",
        key=lambda i: i["code"],
        everything={"ACME", "BOLT"},
        seen_by_a={"ACME"},
        seen_by_b={"BOLT"},
        own=lambda w: "ACME",
        other=lambda w: "BOLT",
        create=lambda w: {"code": "NEW", "name": "New GmbH", "country": "DE", "currency": "EUR"},
        patch={"region": "APAC"},
        deletable=None,  # ACME has orders: see test_delete_protected
    ),
    Resource(
        "parts",
        key=lambda i: i["number"],
        everything={"P-1", "P-2", "P-3", "P-4"},
        seen_by_a={"P-1", "P-2"},
        seen_by_b={"P-1", "P-3"},
        own=lambda w: "P-2",
        other=lambda w: "P-3",
        create=lambda w: {"number": "P-9", "name": "New part"},
        patch={"category": "castings"},
        deletable=lambda w: "P-4",
    ),
    Resource(
        "sources",
        key=lambda i: (i["part"], i["supplier"]),
        everything={("P-1", "ACME"), ("P-1", "BOLT"), ("P-2", "ACME"), ("P-3", "BOLT")},
        seen_by_a={("P-1", "ACME"), ("P-2", "ACME")},
        seen_by_b={("P-1", "BOLT"), ("P-3", "BOLT")},
        own=lambda w: w["sources"][0].pk,
        other=lambda w: w["sources"][1].pk,
        create=lambda w: {
            "part": "P-4",
            "supplier": "ACME",
            "target_share_pct": "50",
            "unit_price": "3.5",
            "currency": "EUR",
            "lead_time_days": 20,
        },
        patch={"unit_price": "9.5"},
        deletable=lambda w: w["sources"][0].pk,
    ),
    Resource(
        "contracts",
        key=lambda i: i["reference"],
        everything={"C-ACME", "C-BOLT"},
        seen_by_a={"C-ACME"},
        seen_by_b={"C-BOLT"},
        own=lambda w: "C-ACME",
        other=lambda w: "C-BOLT",
        create=lambda w: {"supplier": "ACME", "reference": "C-NEW", "valid_from": "2026-01-01"},
        patch={"late_tolerance_days": 1},
        deletable=None,  # contracts are never deleted (audit trail): 405
    ),
    Resource(
        "purchase-orders",
        key=lambda i: i["number"],
        everything={"PO-A1", "PO-A2", "PO-B1"},
        seen_by_a={"PO-A1", "PO-A2"},
        seen_by_b={"PO-B1"},
        own=lambda w: "PO-A1",
        other=lambda w: "PO-B1",
        create=lambda w: {
            "number": "PO-NEW",
            "supplier": "ACME",
            "order_date": "2026-03-01",
            "lines": [
                {
                    "line": 1,
                    "part": "P-2",
                    "quantity": "5",
                    "unit_price": "2",
                    "requested_date": "2026-04-01",
                }
            ],
        },
        patch={"order_date": "2026-01-06"},
        deletable=lambda w: "PO-A2",
    ),
    Resource(
        "ship-notices",
        key=lambda i: (i["supplier"], i["number"]),
        everything={("ACME", "ASN-1"), ("BOLT", "ASN-1")},
        seen_by_a={("ACME", "ASN-1")},
        seen_by_b={("BOLT", "ASN-1")},
        own=lambda w: w["notices"][0].pk,
        other=lambda w: w["notices"][1].pk,
        create=lambda w: {
            "supplier": "ACME",
            "number": "ASN-9",
            "ship_date": "2026-02-01",
            "eta": "2026-02-05",
            "lines": [{"purchase_order": "PO-A1", "line": 2, "quantity": "5"}],
        },
        patch={"carrier": "DHL"},
        deletable=lambda w: w["notices"][0].pk,
        supplier_writes=("create", "update"),
    ),
    Resource(
        "receipts",
        key=lambda i: i["number"],
        everything={"GR-A1", "GR-A2", "GR-B1"},
        seen_by_a={"GR-A1", "GR-A2"},
        seen_by_b={"GR-B1"},
        own=lambda w: "GR-A1",
        other=lambda w: "GR-B1",
        create=lambda w: {
            "number": "GR-NEW",
            "purchase_order": "PO-A1",
            "line": 2,
            "receipt_date": "2026-02-12",
            "quantity": "5",
        },
        patch={"freight": "10"},
        deletable=lambda w: "GR-A2",
    ),
    Resource(
        "inspections",
        key=lambda i: i["receipt"],
        everything={"GR-A1", "GR-B1"},
        seen_by_a={"GR-A1"},
        seen_by_b={"GR-B1"},
        own=lambda w: w["inspections"][0].pk,
        other=lambda w: w["inspections"][1].pk,
        create=lambda w: {
            "receipt": "GR-A2",
            "inspection_date": "2026-02-11",
            "inspected_quantity": "10",
            "defective_quantity": "1",
        },
        patch={"disposition": "rework"},
        deletable=lambda w: w["inspections"][0].pk,
    ),
    Resource(
        "inventory-positions",
        key=lambda i: (i["part"], i["site"]),
        everything={("P-1", "PLANT-1")},
        seen_by_a=set(),  # internal data
        seen_by_b=set(),
        own=lambda w: w["stock"].pk,
        other=lambda w: w["stock"].pk,
        create=lambda w: {
            "part": "P-1",
            "site": "PLANT-2",
            "on_hand": "5",
            "read_at": "2026-03-01T08:00:00Z",
        },
        patch={"on_hand": "7"},
        deletable=lambda w: w["stock"].pk,
    ),
    Resource(
        "fx-rates",
        key=lambda i: (i["currency"], i["date"]),
        everything={("USD", "2026-01-01")},
        seen_by_a=set(),  # internal data
        seen_by_b=set(),
        own=lambda w: w["fx"].pk,
        other=lambda w: w["fx"].pk,
        create=lambda w: {"currency": "GBP", "date": "2026-01-01", "rate": "1.15"},
        patch={"rate": "0.91"},
        deletable=lambda w: w["fx"].pk,
    ),
]
INTERNAL_ONLY = {"inventory-positions", "fx-rates"}


def _ids(value):
    return value.prefix if isinstance(value, Resource) else str(value)


@pytest.fixture
def client_as(request, api_for):
    def make(role):
        return api_for(request.getfixturevalue(role) if role else None)

    return make


def _same(returned, sent) -> bool:
    """Decimals come back with their full scale ("10.0000" for "10")."""
    try:
        return Decimal(str(returned)) == Decimal(str(sent))
    except InvalidOperation:
        return returned == sent


def _denied(status: int) -> bool:
    return status in (401, 403)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("resource", RESOURCES, ids=_ids)
def test_list_shows_exactly_what_the_role_may_see(world, client_as, resource, role):
    response = client_as(role).get(f"/api/v1/{resource.prefix}/?page_size=100")
    if role is None:
        assert _denied(response.status_code)
        return
    assert response.status_code == 200
    seen = {resource.key(item) for item in response.json()["results"]}
    expected = {
        "contact_a": resource.seen_by_a,
        "contact_b": resource.seen_by_b,
    }.get(role, resource.everything)
    assert seen == expected


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("resource", RESOURCES, ids=_ids)
def test_retrieve_own_and_other_suppliers_objects(world, client_as, resource, role):
    api = client_as(role)
    own = api.get(f"/api/v1/{resource.prefix}/{resource.own(world)}/")
    other = api.get(f"/api/v1/{resource.prefix}/{resource.other(world)}/")
    if role is None:
        assert _denied(own.status_code) and _denied(other.status_code)
    elif role in INTERNAL:
        assert (own.status_code, other.status_code) == (200, 200)
    elif resource.prefix in INTERNAL_ONLY:
        assert (own.status_code, other.status_code) == (404, 404)
    elif role == "contact_a":
        assert (own.status_code, other.status_code) == (200, 404)
    else:  # BOLT's contact: ACME's object does not exist for it
        assert (own.status_code, other.status_code) == (404, 200)


def _expected_create(resource, role) -> set[int]:
    if role is None:
        return {401, 403}
    if role in EDITORS:
        return {201}
    if role == "viewer" or "create" not in resource.supplier_writes:
        return {403}
    # A contact may create only for its own supplier: ACME's contact succeeds, BOLT's is
    # told the referenced supplier does not exist.
    return {201} if role == "contact_a" else {400}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("resource", RESOURCES, ids=_ids)
def test_create(world, client_as, resource, role):
    response = client_as(role).post(
        f"/api/v1/{resource.prefix}/", resource.create(world), format="json"
    )
    assert response.status_code in _expected_create(resource, role), response.content


def _expected_update(resource, role) -> set[int]:
    if role is None:
        return {401, 403}
    if role in EDITORS:
        return {200}
    if role == "viewer" or "update" not in resource.supplier_writes:
        return {403}
    return {200} if role == "contact_a" else {404}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("resource", RESOURCES, ids=_ids)
def test_partial_update(world, client_as, resource, role):
    url = f"/api/v1/{resource.prefix}/{resource.own(world)}/"
    response = client_as(role).patch(url, resource.patch, format="json")
    assert response.status_code in _expected_update(resource, role), response.content
    if response.status_code == 200:
        for name, value in resource.patch.items():
            assert _same(response.json()[name], value)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("resource", [r for r in RESOURCES if r.deletable], ids=_ids)
def test_delete(world, client_as, resource, role):
    url = f"/api/v1/{resource.prefix}/{resource.deletable(world)}/"
    response = client_as(role).delete(url)
    if role is None:
        assert _denied(response.status_code)
    elif role in EDITORS:
        assert response.status_code == 204
        assert client_as("buyer").get(url).status_code == 404
    else:
        assert response.status_code == 403
        assert client_as("buyer").get(url).status_code == 200


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/v1/suppliers/ACME/", 409),  # it has orders and contracts
        ("/api/v1/purchase-orders/PO-A1/", 409),  # goods were received
        ("/api/v1/receipts/GR-A1/", 409),  # it was inspected
        ("/api/v1/contracts/C-ACME/", 405),  # the audit trail hangs off contracts
    ],
)
def test_delete_protected(world, api_for, buyer, url, status):
    api = api_for(buyer)
    assert api.delete(url).status_code == status
    assert api.get(url).status_code == 200


def test_supplier_contact_never_sees_share_fields(world, api_for, contact_a):
    api = api_for(contact_a)
    listed = api.get("/api/v1/sources/").json()["results"]
    detail = api.get(f"/api/v1/sources/{world['sources'][0].pk}/").json()
    for item in [*listed, detail]:
        assert not {"target_share_pct", "min_share_pct", "max_share_pct"} & set(item)
        assert item["supplier"] == "ACME"


def test_buyer_sees_share_fields(world, api_for, buyer):
    item = api_for(buyer).get(f"/api/v1/sources/{world['sources'][0].pk}/").json()
    assert item["target_share_pct"] == "60.00"


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/receipts/?supplier=BOLT",
        "/api/v1/purchase-orders/?supplier=BOLT",
        "/api/v1/parts/?supplier=BOLT",
        "/api/v1/purchase-orders/?part=P-3",
        "/api/v1/sources/?part=P-3",
    ],
)
def test_contact_cannot_probe_other_suppliers_through_filters(world, api_for, contact_a, url):
    """Filtering by a hidden supplier or part answers like filtering by one that never existed."""
    api = api_for(contact_a)
    hidden = api.get(url)
    missing = api.get(url.replace("BOLT", "NOPE").replace("P-3", "P-NOPE"))
    assert hidden.status_code == missing.status_code == 400
    assert hidden.json() == {
        key: [m.replace("NOPE", "BOLT").replace("P-NOPE", "P-3") for m in messages]
        for key, messages in missing.json().items()
    }


def test_token_authentication(world, buyer, token_for, client):
    response = client.get("/api/v1/suppliers/", **token_for(buyer))
    assert response.status_code == 200
    assert response.json()["count"] == 2


def test_wrong_token_is_refused(world, client):
    response = client.get("/api/v1/suppliers/", HTTP_AUTHORIZATION="Token not-a-real-token")
    assert response.status_code in (401, 403)


def test_session_authentication(world, buyer, client_for):
    response = client_for(buyer).get("/api/v1/purchase-orders/PO-A1/")
    assert response.status_code == 200
    assert response.json()["supplier"] == "ACME"


def test_user_without_role_sees_nothing(world, api_for):
    from tests.factories import UserFactory

    response = api_for(UserFactory(username="nobody")).get("/api/v1/suppliers/")
    assert response.status_code == 403
