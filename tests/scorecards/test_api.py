"""Scorecard API: the names of docs/api.md, filters, decimals, nulls and supplier isolation."""

import datetime as dt
from decimal import Decimal

import pytest

from tests.factories import PartFactory
from tests.scorecards.test_rules import FEB_10

pytestmark = pytest.mark.django_db

SCORECARDS = "/api/v1/scorecards/"
PART_SCORECARDS = "/api/v1/part-scorecards/"


@pytest.fixture
def cards(kpi, supplier_a, supplier_b):
    """ACME and BOLT both supply P-KPI in February; ACME also P-ONLY-A."""
    only_a = PartFactory(number="P-ONLY-A")
    kpi.receive(kpi.line(supplier=supplier_a, unit_price="10"), FEB_10, "100")
    kpi.receive(kpi.line(supplier=supplier_a, part=only_a, quantity="50"), FEB_10, "50")
    kpi.receive(kpi.line(supplier=supplier_b, unit_price="12"), dt.date(2026, 2, 12), "100")
    kpi.recompute()


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_scorecard_fields_and_filters(api_for, buyer, cards):
    rows = results(api_for(buyer).get(SCORECARDS, {"supplier": "ACME", "period": "2026-02"}))
    assert len(rows) == 1
    row = rows[0]
    for field in (
        "supplier",
        "period",
        "otd_pct",
        "otif_pct",
        "defect_ppm",
        "lead_time_mean_days",
        "lead_time_p90_days",
        "landed_cost_index",
        "composite_score",
        "grade",
        "lines_due",
        "units_inspected",
        "receipts_count",
        "low_sample",
        "fx_missing_receipts",
    ):
        assert field in row
    assert (row["supplier"], row["period"], row["window"]) == ("ACME", "2026-02", "month")
    assert Decimal(row["otd_pct"]) == 100
    assert row["otd_pct"] == "100.000000"  # decimals as strings, 6 places
    assert row["defect_ppm"] is None  # nothing inspected: null, not 0
    assert row["lines_due"] == 2 and row["receipts_count"] == 2
    assert row["low_sample"] is True and row["otd_low_sample"] is True
    assert row["defect_low_sample"] is False
    assert len(row["landed_cost_index"].split(".")[1]) >= 4


def test_rolling_rows_are_period_rolling_90(api_for, buyer, cards):
    rows = results(api_for(buyer).get(SCORECARDS, {"period": "rolling-90"}))
    assert {r["supplier"] for r in rows} == {"ACME", "BOLT"}
    assert all(r["window"] == "rolling-90" for r in rows)
    months = results(api_for(buyer).get(SCORECARDS, {"window": "month"}))
    assert {r["period"] for r in months} == {"2026-02"}
    ranged = results(
        api_for(buyer).get(SCORECARDS, {"period_from": "2026-01", "period_to": "2026-03"})
    )
    assert {r["period"] for r in ranged} == {"2026-02"}


def test_part_scorecards_compare_the_sources_of_a_part(api_for, buyer, cards):
    rows = results(api_for(buyer).get(PART_SCORECARDS, {"part": "P-KPI", "period": "2026-02"}))
    by_supplier = {r["supplier"]: r for r in rows}
    assert set(by_supplier) == {"ACME", "BOLT"}
    assert Decimal(by_supplier["ACME"]["landed_unit_cost"]) == 10
    assert Decimal(by_supplier["BOLT"]["landed_unit_cost"]) == 12
    assert Decimal(by_supplier["BOLT"]["otd_pct"]) == 0  # two days late
    assert Decimal(by_supplier["ACME"]["quantity_received"]) == 100
    for field in ("part", "otd_pct", "defect_ppm", "lead_time_mean_days", "landed_unit_cost"):
        assert field in by_supplier["ACME"]
    assert by_supplier["ACME"]["part"] == "P-KPI"


@pytest.mark.parametrize(
    ("params", "field"),
    [({"period": "2026-13"}, "period"), ({"period_from": "rolling-90"}, "period_from")],
)
def test_malformed_filters_answer_400(api_for, buyer, cards, params, field):
    response = api_for(buyer).get(SCORECARDS, params)
    assert response.status_code == 400
    assert field in response.json()


def test_supplier_contact_sees_only_its_own_scorecards(api_for, contact_a, cards):
    api = api_for(contact_a)
    rows = results(api.get(SCORECARDS))
    assert rows and {r["supplier"] for r in rows} == {"ACME"}
    assert results(api.get(SCORECARDS, {"supplier": "BOLT"})) == []
    parts = results(api.get(PART_SCORECARDS, {"part": "P-KPI"}))
    assert {r["supplier"] for r in parts} == {"ACME"}  # never the alternate source


def test_supplier_contact_gets_404_for_another_suppliers_scorecard(
    api_for, buyer, contact_a, cards
):
    bolt_card = results(api_for(buyer).get(SCORECARDS, {"supplier": "BOLT"}))[0]
    bolt_part = results(api_for(buyer).get(PART_SCORECARDS, {"supplier": "BOLT"}))[0]
    acme_card = results(api_for(buyer).get(SCORECARDS, {"supplier": "ACME"}))[0]
    api = api_for(contact_a)
    assert api.get(f"{SCORECARDS}{bolt_card['id']}/").status_code == 404
    assert api.get(f"{PART_SCORECARDS}{bolt_part['id']}/").status_code == 404
    assert api.get(f"{SCORECARDS}{acme_card['id']}/").status_code == 200


def test_anonymous_is_refused(api_for, cards):
    assert api_for(None).get(SCORECARDS).status_code in (401, 403)
    assert api_for(None).get(PART_SCORECARDS).status_code in (401, 403)


def test_scorecards_are_read_only(api_for, buyer, cards):
    response = api_for(buyer).post(SCORECARDS, {"supplier": "ACME"}, format="json")
    assert response.status_code == 405


def test_viewer_reads_every_supplier(api_for, viewer, cards):
    rows = results(api_for(viewer).get(SCORECARDS, {"period": "2026-02"}))
    assert {r["supplier"] for r in rows} == {"ACME", "BOLT"}


def test_scorecard_lists_download_as_csv_and_excel_with_the_same_scope(
    api_for, buyer, contact_a, cards
):
    from tests.imports.test_exports import csv_rows, xlsx_rows

    response = api_for(buyer).get(SCORECARDS, {"period": "2026-02", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = csv_rows(response)
    assert {r["supplier"] for r in rows} == {"ACME", "BOLT"}
    acme = next(r for r in rows if r["supplier"] == "ACME")
    assert Decimal(acme["otd_pct"]) == 100 and acme["defect_ppm"] == ""  # null stays empty

    parts = api_for(contact_a).get(PART_SCORECARDS, {"part": "P-KPI", "format": "xlsx"})
    assert parts.status_code == 200
    assert {r["supplier"] for r in xlsx_rows(parts)} == {"ACME"}  # never the alternate source
