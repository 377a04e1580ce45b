"""Purchase orders with nested lines, and the promised-date baseline (docs/orders.md)."""

import datetime as dt

import pytest

from purchasing.models import PromiseRevision, PurchaseOrder, PurchaseOrderLine
from suppliers.models import Supplier

NEW_ORDER = {
    "number": "PO-100",
    "supplier": "ACME",
    "order_date": "2026-03-01",
    "lines": [
        {
            "line": 1,
            "part": "P-1",
            "quantity": "100",
            "unit_price": "9.50",
            "requested_date": "2026-04-01",
        },
        {
            "line": 2,
            "part": "P-2",
            "quantity": "20",
            "unit_price": "4",
            "requested_date": "2026-04-15",
            "promised_date": "2026-04-20",
        },
    ],
}


def _line(number: str, line: int) -> PurchaseOrderLine:
    return PurchaseOrderLine.objects.get(purchase_order__number=number, line_number=line)


def test_create_order_with_lines(world, api_for, buyer):
    response = api_for(buyer).post("/api/v1/purchase-orders/", NEW_ORDER, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"] == "PO-100"
    assert body["supplier"] == "ACME"
    assert body["currency"] == "EUR"  # the supplier's currency when not given
    assert body["created_by"] == "buyer"
    first, second = body["lines"]
    assert {k: first[k] for k in ("line", "part", "quantity", "unit_price", "status")} == {
        "line": 1,
        "part": "P-1",
        "quantity": "100.000",
        "unit_price": "9.5000",
        "status": "open",
    }
    # Unconfirmed: the promised date is the requested date and nobody acknowledged it.
    assert first["promised_date"] == "2026-04-01"
    assert first["acknowledged_at"] is None
    # Sent with a promised date: that is the supplier's confirmation.
    assert second["promised_date"] == "2026-04-20"
    assert second["acknowledged_at"] is not None
    line = _line("PO-100", 2)
    assert line.promised_date == line.expected_date == dt.date(2026, 4, 20)


def test_retrieve_by_number(world, api_for, buyer):
    body = api_for(buyer).get("/api/v1/purchase-orders/PO-A1/").json()
    assert [line["line"] for line in body["lines"]] == [1, 2]
    assert body["order_status"] == "open"


def test_number_with_dots_is_addressable(world, api_for, buyer):
    order = {**NEW_ORDER, "number": "PO.2026.7"}
    assert api_for(buyer).post("/api/v1/purchase-orders/", order, format="json").status_code == 201
    response = api_for(buyer).get("/api/v1/purchase-orders/PO.2026.7/")
    assert response.status_code == 200
    assert response.json()["number"] == "PO.2026.7"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"number": "PO-A1"}, "number"),  # already exists
        ({"supplier": "NOPE"}, "supplier"),
        ({"order_date": "1999-12-31"}, "order_date"),
        ({"order_date": "2026-02-30"}, "order_date"),
        ({"currency": "EUE"}, "currency"),
        ({"lines": []}, "lines"),
        ({"lines": "not a list"}, "lines"),
    ],
)
def test_invalid_order_is_refused(world, api_for, buyer, change, field):
    response = api_for(buyer).post(
        "/api/v1/purchase-orders/", {**NEW_ORDER, **change}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert (
        not PurchaseOrder.objects.filter(number=NEW_ORDER["number"]).exists() or field == "number"
    )


@pytest.mark.parametrize(
    ("line_change", "field"),
    [
        ({"part": "P-NOPE"}, "part"),
        ({"quantity": "-5"}, "quantity"),
        ({"quantity": "0"}, "quantity"),
        ({"unit_price": "-1"}, "unit_price"),
        ({"requested_date": "tomorrow"}, "requested_date"),
        ({"status": "lost"}, "status"),
        ({"line": 2}, "line"),  # line 2 twice
    ],
)
def test_invalid_line_names_line_and_field(world, api_for, buyer, line_change, field):
    order = {
        **NEW_ORDER,
        "lines": [{**NEW_ORDER["lines"][0], **line_change}, NEW_ORDER["lines"][1]],
    }
    response = api_for(buyer).post("/api/v1/purchase-orders/", order, format="json")
    assert response.status_code == 400
    errors = response.json()["lines"]
    assert field in errors["0"] or field in errors.get("1", {})
    assert not PurchaseOrder.objects.filter(number="PO-100").exists()


@pytest.mark.parametrize("status", [Supplier.Status.ON_HOLD, Supplier.Status.DISQUALIFIED])
def test_supplier_on_hold_takes_no_new_orders(world, api_for, buyer, supplier_a, status):
    Supplier.objects.filter(pk=supplier_a.pk).update(status=status)
    response = api_for(buyer).post("/api/v1/purchase-orders/", NEW_ORDER, format="json")
    assert response.status_code == 400
    assert "no new orders" in response.json()["supplier"][0]


class TestAcknowledge:
    url = "/api/v1/purchase-orders/PO-A1/lines/1/acknowledge/"

    def test_first_acknowledgement_sets_the_baseline(self, world, api_for, contact_a):
        response = api_for(contact_a).post(self.url, {"promised_date": "2026-02-14"}, format="json")
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["promised_date"] == body["expected_date"] == "2026-02-14"
        assert body["acknowledged_at"] is not None
        assert body["revisions"] == []
        assert not PromiseRevision.objects.exists()

    def test_later_acknowledgement_is_a_revision(self, world, api_for, contact_a):
        api = api_for(contact_a)
        api.post(self.url, {"promised_date": "2026-02-14"}, format="json")
        response = api.post(
            self.url,
            {"promised_date": "2026-02-20", "reason": "capacity", "comment": "Furnace down"},
            format="json",
        )
        assert response.status_code == 200, response.content
        body = response.json()
        # The baseline never moves; the expected date does, and the revision is kept.
        assert body["promised_date"] == "2026-02-14"
        assert body["expected_date"] == "2026-02-20"
        assert body["revisions"] == [
            {
                "previous_date": "2026-02-14",
                "new_date": "2026-02-20",
                "reason": "capacity",
                "comment": "Furnace down",
                "created_by": "contact_a",
                "created_at": body["revisions"][0]["created_at"],
            }
        ]
        line = _line("PO-A1", 1)
        assert line.promised_date == dt.date(2026, 2, 14)
        assert line.expected_date == dt.date(2026, 2, 20)

    @pytest.mark.parametrize("reason", [None, "", "weather"])
    def test_revision_needs_a_valid_reason(self, world, api_for, buyer, reason):
        api = api_for(buyer)
        api.post(self.url, {"promised_date": "2026-02-14"}, format="json")
        payload = {"promised_date": "2026-02-20"}
        if reason is not None:
            payload["reason"] = reason
        response = api.post(self.url, payload, format="json")
        assert response.status_code == 400
        assert "reason" in response.json()
        assert _line("PO-A1", 1).expected_date == dt.date(2026, 2, 14)
        assert not PromiseRevision.objects.exists()

    @pytest.mark.parametrize(
        "payload", [{}, {"promised_date": "14.02.2026"}, {"promised_date": None}]
    )
    def test_promised_date_is_required_and_iso(self, world, api_for, buyer, payload):
        response = api_for(buyer).post(self.url, payload, format="json")
        assert response.status_code == 400
        assert "promised_date" in response.json()

    def test_other_suppliers_contact_gets_404(self, world, api_for, contact_b):
        response = api_for(contact_b).post(self.url, {"promised_date": "2026-02-14"}, format="json")
        assert response.status_code == 404
        assert _line("PO-A1", 1).acknowledged_at is None

    def test_viewer_may_not_acknowledge(self, world, api_for, viewer):
        response = api_for(viewer).post(self.url, {"promised_date": "2026-02-14"}, format="json")
        assert response.status_code == 403

    def test_unknown_line_is_404(self, world, api_for, buyer):
        url = "/api/v1/purchase-orders/PO-A1/lines/9/acknowledge/"
        assert (
            api_for(buyer).post(url, {"promised_date": "2026-02-14"}, format="json").status_code
            == 404
        )

    def test_cancelled_line_cannot_be_acknowledged(self, world, api_for, buyer):
        PurchaseOrderLine.objects.filter(pk=world["lines"][0].pk).update(status="cancelled")
        response = api_for(buyer).post(self.url, {"promised_date": "2026-02-14"}, format="json")
        assert response.status_code == 400
        assert "line" in response.json()

    def test_line_detail_shows_revisions(self, world, api_for, contact_a):
        api = api_for(contact_a)
        api.post(self.url, {"promised_date": "2026-02-14"}, format="json")
        api.post(self.url, {"promised_date": "2026-02-16", "reason": "transport"}, format="json")
        body = api.get("/api/v1/purchase-orders/PO-A1/lines/1/").json()
        assert body["purchase_order"] == "PO-A1"
        assert [r["reason"] for r in body["revisions"]] == ["transport"]


class TestUpdate:
    def test_patch_header(self, world, api_for, buyer):
        response = api_for(buyer).patch(
            "/api/v1/purchase-orders/PO-A1/", {"currency": "usd"}, format="json"
        )
        assert response.status_code == 200
        assert PurchaseOrder.objects.get(number="PO-A1").currency == "USD"

    def test_patch_lines_updates_and_adds_by_line_number(self, world, api_for, buyer):
        response = api_for(buyer).patch(
            "/api/v1/purchase-orders/PO-A1/",
            {
                "lines": [
                    {"line": 2, "quantity": "150", "requested_date": "2026-03-01"},
                    {
                        "line": 3,
                        "part": "P-2",
                        "quantity": "10",
                        "unit_price": "5",
                        "requested_date": "2026-03-10",
                    },
                ]
            },
            format="json",
        )
        assert response.status_code == 200, response.content
        lines = {line["line"]: line for line in response.json()["lines"]}
        assert set(lines) == {1, 2, 3}
        assert lines[2]["quantity"] == "150.000"
        # Not yet confirmed: the promised date follows the new requested date.
        assert lines[2]["promised_date"] == "2026-03-01"
        assert lines[3]["part"] == "P-2"

    def test_new_line_needs_every_field(self, world, api_for, buyer):
        response = api_for(buyer).patch(
            "/api/v1/purchase-orders/PO-A1/",
            {"lines": [{"line": 7, "quantity": "1"}]},
            format="json",
        )
        assert response.status_code == 400
        assert {"part", "unit_price", "requested_date"} <= set(response.json()["lines"]["0"])
        assert not PurchaseOrderLine.objects.filter(line_number=7).exists()

    def test_confirmed_promised_date_never_moves(self, world, api_for, buyer):
        api = api_for(buyer)
        api.post(
            "/api/v1/purchase-orders/PO-A1/lines/1/acknowledge/",
            {"promised_date": "2026-02-14"},
            format="json",
        )
        response = api.patch(
            "/api/v1/purchase-orders/PO-A1/",
            {"lines": [{"line": 1, "promised_date": "2026-03-01"}]},
            format="json",
        )
        assert response.status_code == 400
        assert "promised_date" in response.json()["lines"]["0"]
        assert _line("PO-A1", 1).promised_date == dt.date(2026, 2, 14)

    def test_cancel_a_line(self, world, api_for, buyer):
        response = api_for(buyer).patch(
            "/api/v1/purchase-orders/PO-A2/",
            {"lines": [{"line": 1, "status": "cancelled"}]},
            format="json",
        )
        assert response.status_code == 200
        assert response.json()["order_status"] == "cancelled"

    @pytest.mark.parametrize("change", [{"number": "PO-X"}, {"supplier": "BOLT"}])
    def test_number_and_supplier_are_fixed(self, world, api_for, buyer, change):
        response = api_for(buyer).patch("/api/v1/purchase-orders/PO-A1/", change, format="json")
        assert response.status_code == 400
        assert PurchaseOrder.objects.get(number="PO-A1").supplier.code == "ACME"

    def test_put_with_the_full_order(self, world, api_for, buyer):
        api = api_for(buyer)
        body = api.get("/api/v1/purchase-orders/PO-A1/").json()
        body["order_date"] = "2026-01-07"
        response = api.put("/api/v1/purchase-orders/PO-A1/", body, format="json")
        assert response.status_code == 200, response.content
        assert response.json()["order_date"] == "2026-01-07"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("supplier=ACME", {"PO-A1", "PO-A2"}),
        ("supplier=BOLT", {"PO-B1"}),
        ("part=P-3", {"PO-B1"}),
        ("part=P-1", {"PO-A1", "PO-B1"}),
        ("status=cancelled", set()),
        ("status=open", {"PO-A1", "PO-A2", "PO-B1"}),
        ("order_date_after=2026-01-05&order_date_before=2026-01-05", {"PO-A1", "PO-A2", "PO-B1"}),
        ("order_date_after=2026-01-06", set()),
        ("number=po-a1", {"PO-A1"}),
        ("acknowledged=false", {"PO-A1", "PO-A2", "PO-B1"}),
    ],
)
def test_filters(world, api_for, buyer, query, expected):
    response = api_for(buyer).get(f"/api/v1/purchase-orders/?{query}")
    assert response.status_code == 200
    assert {po["number"] for po in response.json()["results"]} == expected


def test_list_query_count_does_not_grow_with_orders(world, api_for, buyer):
    """The exact count is pinned in tests/query_counts.json; this checks it does not grow."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import PurchaseOrderFactory, PurchaseOrderLineFactory

    api = api_for(buyer)

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = api.get("/api/v1/purchase-orders/?page_size=100")
        return len(captured), response.json()["count"]

    queries()  # the first request also reads the user's role
    before, _ = queries()
    for n in range(20):
        po = PurchaseOrderFactory(number=f"PO-X{n}", supplier=world["orders"][0].supplier)
        PurchaseOrderLineFactory(purchase_order=po, line_number=1)
    assert queries() == (before, 23)
