"""Whatever a client sends, the answer is a clear 4xx, never a 500, and nothing is half-written."""

import pytest
from django.test import override_settings

from purchasing.models import Receipt

ENDPOINTS = [
    "suppliers",
    "parts",
    "sources",
    "contracts",
    "purchase-orders",
    "ship-notices",
    "receipts",
    "inspections",
    "inventory-positions",
    "fx-rates",
]


@pytest.mark.parametrize("resource", ENDPOINTS)
@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b'{"number": "GR-1",',
        b"\xff\xfe\x00garbage",
        b"NaN",
        b'{"quantity": Infinity}',
    ],
    ids=["broken", "truncated", "binary", "nan", "infinity"],
)
def test_malformed_json_is_400(world, api_for, buyer, resource, body):
    response = api_for(buyer).post(f"/api/v1/{resource}/", body, content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()


@pytest.mark.parametrize("resource", ENDPOINTS)
@pytest.mark.parametrize("body", ["just text", 42, None, True, [[1, 2]], {"": ""}, {}])
def test_wrong_shapes_are_400(world, api_for, buyer, resource, body):
    response = api_for(buyer).post(f"/api/v1/{resource}/", body, format="json")
    assert response.status_code == 400, response.content


@pytest.mark.parametrize("resource", ["suppliers", "parts", "purchase-orders", "fx-rates"])
def test_list_body_on_a_single_object_endpoint(world, api_for, buyer, resource):
    response = api_for(buyer).post(f"/api/v1/{resource}/", [{"a": 1}], format="json")
    assert response.status_code == 400


def test_form_encoded_body_is_415(world, api_for, buyer):
    response = api_for(buyer).post("/api/v1/receipts/", {"number": "GR-1"}, format="multipart")
    assert response.status_code == 415


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=10_000)
def test_oversized_body_is_413(world, api_for, buyer):
    batch = [
        {
            "number": f"GR-{n}",
            "purchase_order": "PO-A1",
            "line": 1,
            "receipt_date": "2026-02-10",
            "quantity": "1",
        }
        for n in range(200)
    ]
    response = api_for(buyer).post("/api/v1/receipts/", batch, format="json")
    assert response.status_code == 413
    assert not Receipt.objects.filter(number__startswith="GR-1").exists()


def test_oversized_body_under_the_real_limit_is_413(world, api_for, buyer, settings):
    body = b"[" + b" " * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1) + b"]"
    response = api_for(buyer).post("/api/v1/receipts/", body, content_type="application/json")
    assert response.status_code == 413


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/receipts/?receipt_date_after=not-a-date",
        "/api/v1/receipts/?receipt_date_after=99999-01-01",
        "/api/v1/purchase-orders/?order_date_before=2026-02-30",
        "/api/v1/suppliers/?status=sleeping",
        "/api/v1/inventory-readings/?read_at_after=yesterday",
        "/api/v1/receipts/?page=abc",
        "/api/v1/receipts/?page=99",
    ],
)
def test_bad_query_parameters(world, api_for, buyer, url):
    response = api_for(buyer).get(url)
    assert response.status_code in (400, 404)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/suppliers/%00/",
        "/api/v1/ship-notices/99999999999999999999999/",
        "/api/v1/fx-rates/abc/",
        "/api/v1/purchase-orders/PO-A1/lines/99999999999/acknowledge/",
        "/api/v1/parts/" + "x" * 500 + "/",
    ],
)
def test_odd_urls_are_404(world, api_for, buyer, url):
    assert api_for(buyer).get(url).status_code in (404, 405)


def test_natural_key_with_unicode_is_refused_cleanly(world, api_for, buyer):
    response = api_for(buyer).post(
        "/api/v1/suppliers/",
        {"code": "ÄCME\u0000", "name": "x", "country": "DE", "currency": "EUR"},
        format="json",
    )
    assert response.status_code == 400
    assert "code" in response.json()


def test_duplicate_natural_key_is_400(world, api_for, buyer):
    response = api_for(buyer).post(
        "/api/v1/suppliers/",
        {"code": "ACME", "name": "Again", "country": "DE", "currency": "EUR"},
        format="json",
    )
    assert response.status_code == 400
    assert "code" in response.json()


def test_integrity_race_is_400_not_500(world, api_for, buyer, monkeypatch):
    """A unique key taken between validation and insert (another request won) → 400."""
    from django.db import IntegrityError

    from purchasing.api import receipts

    def clash(**kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(receipts, "receipts_create", clash)
    body = {
        "number": "GR-RACE",
        "purchase_order": "PO-A1",
        "line": 1,
        "receipt_date": "2026-02-10",
        "quantity": "1",
    }
    response = api_for(buyer).post("/api/v1/receipts/", [body], format="json")
    assert response.status_code == 400
    assert "Nothing was saved" in str(response.json())
