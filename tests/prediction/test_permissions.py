"""Risk is internal: buyers read it on order lines and the model list; contacts never do."""

import datetime as dt

import pytest

from prediction.models import LineRisk, PredictionModel
from tests.factories import ApprovedSourceFactory, PartFactory
from tests.prediction.builders import line_add


@pytest.fixture
def scored_line(supplier_a, contact_a):
    part = PartFactory(number="P-RISK")
    ApprovedSourceFactory(part=part, supplier=supplier_a)
    line = line_add(
        supplier=supplier_a, part=part, ordered=dt.date(2026, 5, 1), promised=dt.date(2026, 6, 1)
    )
    LineRisk.objects.create(
        line=line,
        late_risk=0.73,
        expected_days_late=4.5,
        source="model",
        model_version=3,
        scored_at=dt.datetime(2026, 5, 2, tzinfo=dt.UTC),
    )
    PredictionModel.objects.create(
        version=3,
        trained_at=dt.datetime(2026, 5, 2, tzinfo=dt.UTC),
        as_of=dt.date(2026, 5, 2),
        window_start=dt.date(2025, 5, 1),
        window_end=dt.date(2026, 5, 2),
        auc=0.81,
        baseline_auc=0.7,
        brier=0.12,
        baseline_brier=0.15,
        in_use="model",
    )
    return line


def test_buyer_reads_line_risk_and_models(api_for, buyer, scored_line):
    api = api_for(buyer)
    number = scored_line.purchase_order.number
    order = api.get(f"/api/v1/purchase-orders/{number}/").json()
    assert order["lines"][0]["late_risk"] == 0.73
    assert order["lines"][0]["expected_days_late"] == 4.5
    line = api.get(f"/api/v1/purchase-orders/{number}/lines/10/").json()
    assert line["late_risk"] == 0.73
    models = api.get("/api/v1/prediction-models/").json()["results"]
    assert models == [
        {
            "version": 3,
            "trained_at": "2026-05-02T02:00:00+02:00",
            "auc": 0.81,
            "baseline_auc": 0.7,
            "brier": 0.12,
            "baseline_brier": 0.15,
            "in_use": "model",
            "window_start": "2025-05-01",
            "window_end": "2026-05-02",
            "samples": 0,
            "lines": 0,
        }
    ]
    export = api.get("/api/v1/purchase-orders/?format=csv").content.decode()
    assert "late_risk" in export.splitlines()[0] and "0.73" in export


def test_contact_sees_no_risk_in_api_or_exports(api_for, contact_a, scored_line):
    api = api_for(contact_a)
    number = scored_line.purchase_order.number
    order = api.get(f"/api/v1/purchase-orders/{number}/")
    assert order.status_code == 200
    assert "late_risk" not in order.json()["lines"][0]
    assert "expected_days_late" not in order.json()["lines"][0]
    line = api.get(f"/api/v1/purchase-orders/{number}/lines/10/").json()
    assert "late_risk" not in line
    for url in ("/api/v1/purchase-orders/?format=csv", "/exports/purchase-orders.csv"):
        response = api.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert b"late_risk" not in body and b"0.73" not in body
    assert api.get("/api/v1/prediction-models/").json()["results"] == []
    assert api.get("/api/v1/prediction-models/3/").status_code == 404


def test_contact_pages_show_no_risk(client_for, contact_a, scored_line):
    client = client_for(contact_a)
    page = client.get(f"/orders/{scored_line.purchase_order.number}/")
    assert page.status_code == 200
    assert b"0.73" not in page.content and b"73 %" not in page.content
    assert b"late risk" not in page.content.lower()
    supplier_page = client.get(f"/suppliers/{scored_line.purchase_order.supplier.code}/")
    assert supplier_page.status_code == 200
    assert b"late risk" not in supplier_page.content.lower()
    assert b"expected otd" not in supplier_page.content.lower()
    assert client.get("/prediction/lines/").status_code == 404
    assert client.get("/prediction/").status_code == 404


def test_buyer_pages_show_risk(client_for, buyer, scored_line):
    client = client_for(buyer)
    page = client.get(f"/orders/{scored_line.purchase_order.number}/").content.decode()
    assert "Late risk" in page and "73 %" in page
    supplier_page = client.get(f"/suppliers/{scored_line.purchase_order.supplier.code}/")
    assert "Expected OTD of the open lines: <strong>27.0 %" in supplier_page.content.decode()
    listing = client.get("/prediction/lines/?at_risk=1").content.decode()
    assert scored_line.purchase_order.number in listing
    assert (
        scored_line.purchase_order.number
        not in client.get("/prediction/lines/?min_risk=80").content.decode()
    )
    model_page = client.get("/prediction/").content.decode()
    assert "the model (v3)" in model_page
