"""Input and outages that used to answer 500: deeply nested JSON, oversized bodies, the
dashboard and postings while Redis is down."""

import time
from unittest import mock

import pytest
from django.core.cache import caches
from django.urls import reverse
from kombu.exceptions import OperationalError

from outbox.models import PendingCell
from tests.factories import PurchaseOrderFactory, PurchaseOrderLineFactory

DEEP = "[" * 50_000 + "]" * 50_000
ENDPOINTS = [
    "/api/v1/suppliers/",
    "/api/v1/ship-notices/",
    "/api/v1/receipts/",
    "/api/v1/fx-rates/",
]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("who", ["anonymous", "buyer", "contact_a"])
def test_deeply_nested_json_is_a_400_for_anyone(request, api_for, endpoint, who):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    response = api_for(user).post(endpoint, DEEP, content_type="application/json")
    assert response.status_code in (400, 401, 403), response.status_code
    if who == "buyer" or (who == "contact_a" and endpoint == "/api/v1/ship-notices/"):
        assert response.status_code == 400
        assert "nested deeper" in response.json()["detail"]


def test_nesting_inside_strings_does_not_count(api_for, buyer):
    response = api_for(buyer).post(
        "/api/v1/fx-rates/",
        '{"currency": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", "date": "x", "rate": "1"}',
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "currency" in response.json()


@pytest.mark.parametrize("path", ["/api/v1/suppliers/", "/login/", "/portal/"])
def test_an_oversized_body_is_refused_before_it_is_read(client, settings, path):
    settings.DUALSOURCE_MAX_REQUEST_BYTES = 1000
    response = client.post(path, "x" * 2000, content_type="application/json")
    assert response.status_code == 413


def test_the_json_parser_stops_reading_at_the_cap(api_for, buyer, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    body = '{"code": "' + "A" * 500 + '"}'
    response = api_for(buyer).post("/api/v1/suppliers/", body, content_type="application/json")
    assert response.status_code == 413


@pytest.fixture
def redis_down(settings):
    """The cache points at a port where nothing listens."""
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.FailSafeRedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    from core.cache import FailSafeRedisCache

    FailSafeRedisCache._down_until = 0.0
    caches._settings = None  # noqa: SLF001  (rebuild the handler from the new settings)
    caches.__init__()
    yield
    FailSafeRedisCache._down_until = 0.0
    caches.__init__()


def test_the_dashboard_opens_while_redis_is_down(redis_down, client_for, buyer):
    started = time.monotonic()
    response = client_for(buyer).get(reverse("home"))
    assert response.status_code == 200
    assert time.monotonic() - started < 5


def test_a_posting_is_saved_while_the_broker_is_down(
    api_for, buyer, supplier_a, django_capture_on_commit_callbacks
):
    # The broker refuses connections (bench/faults.py does this with a real Redis stopped).
    line = PurchaseOrderLineFactory(purchase_order=PurchaseOrderFactory(supplier=supplier_a))
    refused = OperationalError("Error 111 connecting to 127.0.0.1:6390. Connection refused.")
    with (
        mock.patch("core.tasks.task_queue", side_effect=refused) as queue,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = api_for(buyer).post(
            "/api/v1/receipts/",
            {
                "number": "GR-DOWN",
                "purchase_order": line.purchase_order.number,
                "line": line.line_number,
                "receipt_date": "2026-02-10",
                "quantity": "5",
            },
            format="json",
        )
    assert response.status_code == 201, response.content
    assert queue.called  # the refresh was asked for, and failed to queue quietly
    # The cells wait in the outbox for the beat's sweep (every two minutes).
    assert PendingCell.objects.filter(supplier=supplier_a).exists()


def test_a_nul_character_in_a_filter_is_a_400_not_a_500(db, api_for, buyer):
    response = api_for(buyer).get("/api/v1/suppliers/", {"code": "A\x00B"})
    assert response.status_code == 400 and "NUL" in response.json()["detail"]


def test_a_nul_character_in_a_session_cookie_is_a_400_not_a_500(db, client):
    client.cookies["sessionid"] = "abc\x00def"
    assert client.get("/api/v1/suppliers/").status_code == 400


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"received_at_after": "2026-04-17T21:53:41-20:02"}, 200),  # valid ISO, odd offset
        ({"received_at_after": "0226-04-17T21:53:41-20:02"}, 400),
        ({"received_at_before": "2026-13-01T00:00:00Z"}, 400),
    ],
)
def test_a_time_filter_with_any_offset_is_an_answer_not_a_database_error(
    db, api_for, buyer, query, status
):
    from django.db import connection

    response = api_for(buyer).get("/api/v1/inventory-rejects/", query)
    assert response.status_code == status, response.content
    if status == 400:
        assert "received_at" in response.json()
    # The test's transaction is still usable (PostgreSQL aborts it on a database error).
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
