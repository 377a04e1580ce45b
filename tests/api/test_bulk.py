"""Bulk create of receipts, inspections and stock readings: all or nothing.

A bad batch answers 400 with {"detail": ..., "errors": [{"index", "field", "message"}]}
and writes nothing.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory.models import InventoryPosition
from purchasing.models import Inspection, PurchaseOrderLine, Receipt


def receipt(n: int, **overrides) -> dict:
    return {
        "number": f"GR-{n:04d}",
        "purchase_order": "PO-A1",
        "line": 1 + n % 2,
        "receipt_date": "2026-02-10",
        "quantity": "10",
        "freight": "1.50",
        **overrides,
    }


def post(api, resource, body):
    return api.post(f"/api/v1/{resource}/", body, format="json")


class TestReceipts:
    def test_bulk_create(self, world, api_for, buyer):
        response = post(api_for(buyer), "receipts", [receipt(n) for n in range(50)])
        assert response.status_code == 201, response.content
        body = response.json()
        assert len(body) == 50
        assert body[0] == {
            "id": body[0]["id"],
            "number": "GR-0000",
            "purchase_order": "PO-A1",
            "line": 1,
            "part": "P-1",
            "supplier": "ACME",
            "receipt_date": "2026-02-10",
            "quantity": "10.000",
            "freight": "1.5000",
            "duty": "0.0000",
            "other_costs": "0.0000",
            "cost_currency": "EUR",  # the order's currency when not given
            "created_at": body[0]["created_at"],
        }
        assert Receipt.objects.filter(number__startswith="GR-0").count() == 50
        # The answer describes what is stored.
        stored = api_for(buyer).get("/api/v1/receipts/GR-0000/").json()
        assert stored == body[0]

    def test_single_object_answers_an_object(self, world, api_for, buyer):
        response = post(api_for(buyer), "receipts", receipt(1, cost_currency="usd"))
        assert response.status_code == 201
        assert response.json()["number"] == "GR-0001"
        assert response.json()["cost_currency"] == "USD"

    def test_single_object_errors_are_field_errors(self, world, api_for, buyer):
        response = post(api_for(buyer), "receipts", receipt(1, quantity="-1"))
        assert response.status_code == 400
        assert "quantity" in response.json()

    def test_one_bad_item_writes_nothing(self, world, api_for, buyer):
        batch = [receipt(n) for n in range(10)]
        batch[3]["quantity"] = "-4"
        response = post(api_for(buyer), "receipts", batch)
        assert response.status_code == 400
        body = response.json()
        assert body["errors"] == [
            {"index": 3, "field": "quantity", "message": "Must be more than zero."}
        ]
        assert "1 of 10" in body["detail"]
        assert not Receipt.objects.filter(number__startswith="GR-0").exists()

    @pytest.mark.parametrize(
        ("bad", "field"),
        [
            ({"purchase_order": "PO-NOPE"}, "purchase_order"),
            ({"line": 9}, "line"),
            ({"line": "one"}, "line"),
            ({"number": "GR-A1"}, "number"),  # already exists
            ({"number": "has space"}, "number"),
            ({"number": None}, "number"),
            ({"receipt_date": "2026-13-01"}, "receipt_date"),
            ({"receipt_date": "1999-12-31"}, "receipt_date"),
            ({"receipt_date": "2101-01-01"}, "receipt_date"),
            ({"receipt_date": 20260210}, "receipt_date"),
            ({"quantity": "0"}, "quantity"),
            ({"quantity": "abc"}, "quantity"),
            ({"quantity": "NaN"}, "quantity"),
            ({"quantity": True}, "quantity"),
            ({"quantity": "1.2345"}, "quantity"),  # more than 3 decimals
            ({"quantity": "1e20"}, "quantity"),
            ({"freight": "-0.01"}, "freight"),
            ({"duty": []}, "duty"),
            ({"cost_currency": "EURO"}, "cost_currency"),
            ({"cost_currency": "XYZ"}, "cost_currency"),
            ({"purchase_order": "PO-B1", "line": 1, "receipt_date": "2026-02-10"}, None),
        ],
    )
    def test_each_problem_names_index_and_field(self, world, api_for, buyer, bad, field):
        batch = [receipt(0), receipt(1, **bad)]
        response = post(api_for(buyer), "receipts", batch)
        if field is None:  # a valid receipt on another supplier's order: fine for a buyer
            assert response.status_code == 201
            return
        assert response.status_code == 400, response.content
        errors = response.json()["errors"]
        assert {(e["index"], e["field"]) for e in errors} == {(1, field)}
        assert all(e["message"] for e in errors)
        assert not Receipt.objects.filter(number="GR-0000").exists()

    def test_cancelled_line_receives_nothing(self, world, api_for, buyer):
        PurchaseOrderLine.objects.filter(pk=world["lines"][1].pk).update(status="cancelled")
        response = post(api_for(buyer), "receipts", [receipt(1)])
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "line"
        assert "cancelled" in response.json()["errors"][0]["message"]

    def test_duplicate_numbers_within_the_batch(self, world, api_for, buyer):
        response = post(api_for(buyer), "receipts", [receipt(1), receipt(2), receipt(1)])
        assert response.status_code == 400
        assert response.json()["errors"] == [
            {
                "index": 2,
                "field": "number",
                "message": "Receipt GR-0001 appears twice in this batch (items 0 and 2).",
            }
        ]

    def test_every_bad_item_is_reported(self, world, api_for, buyer):
        batch = [receipt(n) for n in range(6)]
        batch[1]["quantity"] = "0"
        batch[4]["purchase_order"] = "PO-NOPE"
        batch[5] = "not an object"
        response = post(api_for(buyer), "receipts", batch)
        assert response.status_code == 400
        assert [(e["index"], e["field"]) for e in response.json()["errors"]] == [
            (1, "quantity"),
            (4, "purchase_order"),
            (5, "non_field_errors"),
        ]

    def test_missing_fields(self, world, api_for, buyer):
        response = post(api_for(buyer), "receipts", [{"number": "GR-X"}])
        assert response.status_code == 400
        fields = {e["field"] for e in response.json()["errors"]}
        assert fields == {"purchase_order", "line", "receipt_date", "quantity"}

    def test_empty_list_creates_nothing(self, world, api_for, buyer):
        response = post(api_for(buyer), "receipts", [])
        assert response.status_code == 201
        assert response.json() == []

    def test_too_many_items(self, world, api_for, buyer):
        response = post(api_for(buyer), "receipts", [{}] * 10_001)
        assert response.status_code == 400

    def test_queries_do_not_grow_with_the_batch(self, world, api_for, buyer):
        """References are resolved per batch, not per item (one query per model)."""
        api = api_for(buyer)
        with CaptureQueriesContext(connection) as small:
            assert post(api, "receipts", [receipt(n) for n in range(5)]).status_code == 201
        with CaptureQueriesContext(connection) as large:
            batch = [receipt(n) for n in range(100, 400)]
            assert post(api, "receipts", batch).status_code == 201
        assert len(large.captured_queries) <= len(small.captured_queries) + 2

    def test_supplier_contact_may_not_post_receipts(self, world, api_for, contact_a):
        assert post(api_for(contact_a), "receipts", [receipt(1)]).status_code == 403

    def test_kpi_refresh_is_queued_once_per_batch(
        self, world, api_for, buyer, django_capture_on_commit_callbacks, monkeypatch
    ):
        queued = []
        from engine import tasks

        monkeypatch.setattr(tasks.engine_run, "delay", lambda ids, *_: queued.append(ids))
        with django_capture_on_commit_callbacks(execute=True):
            response = post(api_for(buyer), "receipts", [receipt(n) for n in range(20)])
        assert response.status_code == 201
        assert queued == [[world["orders"][0].supplier_id]]


def inspection(**overrides) -> dict:
    return {
        "receipt": "GR-A1",
        "inspection_date": "2026-02-11",
        "inspected_quantity": "50",
        "defective_quantity": "2",
        "defect_codes": ["DIM"],
        "disposition": "rework",
        **overrides,
    }


class TestInspections:
    def test_bulk_create(self, world, api_for, buyer):
        batch = [inspection(), inspection(receipt="GR-B1", defect_codes=["DIM", "SURF"])]
        response = post(api_for(buyer), "inspections", batch)
        assert response.status_code == 201, response.content
        first, second = response.json()
        assert first["receipt"] == "GR-A1"
        assert first["supplier"] == "ACME"
        assert first["part"] == "P-1"
        assert first["defective_quantity"] == "2.000"
        assert second["defect_codes"] == ["DIM", "SURF"]
        assert Inspection.objects.count() == 4

    @pytest.mark.parametrize(
        ("bad", "field"),
        [
            ({"defective_quantity": "51"}, "defective_quantity"),
            ({"inspected_quantity": "0"}, "inspected_quantity"),
            ({"inspected_quantity": "101"}, "inspected_quantity"),  # only 100 received
            ({"receipt": "GR-NOPE"}, "receipt"),
            ({"defect_codes": "DIM"}, "defect_codes"),
            ({"defect_codes": ["DIM", 2]}, "defect_codes.1"),
            ({"defect_codes": ["RUST"]}, "defect_codes"),  # not on P-1's checklist
            ({"defect_codes": ["DIM", "DIM"]}, "defect_codes"),
            ({"defect_codes": [["DIM"]]}, "defect_codes.0"),
            ({"inspection_date": "2026-02-01"}, "inspection_date"),  # before the goods came
            ({"disposition": "burn"}, "disposition"),
        ],
    )
    def test_each_problem_names_index_and_field(self, world, api_for, buyer, bad, field):
        response = post(api_for(buyer), "inspections", [inspection(), inspection(**bad)])
        assert response.status_code == 400, response.content
        errors = response.json()["errors"]
        assert {(e["index"], e["field"]) for e in errors} == {(1, field)}
        assert Inspection.objects.count() == 2

    def test_codes_are_free_when_the_part_has_no_checklist(self, world, api_for, buyer):
        response = post(
            api_for(buyer),
            "inspections",
            [inspection(receipt="GR-A2", inspected_quantity="5", defect_codes=["ANY"])],
        )
        assert response.status_code == 201


def reading(**overrides) -> dict:
    return {
        "part": "P-1",
        "site": "PLANT-2",
        "on_hand": "120",
        "safety_stock": "20",
        "reorder_point": "40",
        "read_at": "2026-03-01T06:00:00+01:00",
        "source": "iot",
        **overrides,
    }


class TestInventoryPositions:
    def test_bulk_create_and_current_filter(self, world, api_for, buyer):
        api = api_for(buyer)
        batch = [reading(), reading(on_hand="100", read_at="2026-03-01T07:00:00+01:00")]
        response = post(api, "inventory-positions", batch)
        assert response.status_code == 201, response.content
        assert response.json()[0]["read_at"] == "2026-03-01T06:00:00+01:00"
        current = api.get("/api/v1/inventory-positions/?site=PLANT-2").json()
        assert [(r["on_hand"], r["source"]) for r in current["results"]] == [("100.000", "iot")]
        readings = api.get("/api/v1/inventory-readings/?site=PLANT-2").json()
        assert [r["on_hand"] for r in readings["results"]] == ["100.000", "120.000"]

    @pytest.mark.parametrize(
        ("bad", "field"),
        [
            ({"part": "P-NOPE"}, "part"),
            ({"on_hand": "-1"}, "on_hand"),
            ({"read_at": "yesterday"}, "read_at"),
            ({"read_at": "1970-01-01T00:00:00Z"}, "read_at"),
            ({"source": "guess"}, "source"),
            ({"site": ""}, "site"),
            ({"site": "PLANT-NOPE"}, "site"),
        ],
    )
    def test_each_problem_names_index_and_field(self, world, api_for, buyer, bad, field):
        response = post(api_for(buyer), "inventory-positions", [reading(), reading(**bad)])
        assert response.status_code == 400
        assert {(e["index"], e["field"]) for e in response.json()["errors"]} == {(1, field)}
        assert InventoryPosition.objects.count() == 1

    def test_supplier_contact_sees_no_stock(self, world, api_for, contact_a):
        assert api_for(contact_a).get("/api/v1/inventory-positions/").json()["count"] == 0
