"""CSV and Excel exports of every list: the same rows as the API list, all pages at once."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

RESOURCES = [
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
    "scorecards",
    "part-scorecards",
]


def csv_rows(response) -> list[dict]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    text = content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def xlsx_rows(response) -> list[dict]:
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    # Trailing empty cells are not stored: pad each row to the header.
    return [dict(zip(rows[0], [*row, *[None] * len(rows[0])], strict=False)) for row in rows[1:]]


@pytest.fixture
def scorecards(world):
    from scorecards.services import scorecard_recompute

    scorecard_recompute(as_of=dt.date(2026, 3, 31))


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_list_exports(world, scorecards, client_for, buyer, resource, fmt):
    response = client_for(buyer).get(f"/exports/{resource}.{fmt}")
    assert response.status_code == 200, response.content[:300]
    assert f".{fmt}" in response["Content-Disposition"]
    rows = csv_rows(response) if fmt == "csv" else xlsx_rows(response)
    assert rows, f"{resource} export is empty"


def test_receipts_csv_through_the_api(world, api_for, buyer):
    response = api_for(buyer).get("/api/v1/receipts/?format=csv&supplier=ACME")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = csv_rows(response)
    assert [r["number"] for r in rows] == ["GR-A1", "GR-A2"]
    assert rows[0]["purchase_order"] == "PO-A1"
    assert rows[0]["quantity"] == "100.000"
    assert rows[0]["supplier"] == "ACME"


def test_export_respects_scoping(world, api_for, client_for, contact_a):
    api_rows = csv_rows(api_for(contact_a).get("/api/v1/receipts/?format=csv"))
    page_rows = csv_rows(client_for(contact_a).get("/exports/receipts.csv"))
    assert {r["number"] for r in api_rows} == {r["number"] for r in page_rows} == {"GR-A1", "GR-A2"}
    assert csv_rows(client_for(contact_a).get("/exports/fx-rates.csv")) == []


def test_contact_export_of_sources_has_no_shares(world, client_for, contact_a):
    rows = csv_rows(client_for(contact_a).get("/exports/sources.csv"))
    assert rows and not any("share" in column for column in rows[0])


def test_scorecard_export_is_scoped(world, scorecards, client_for, buyer, contact_a):
    everyone = {r["supplier"] for r in csv_rows(client_for(buyer).get("/exports/scorecards.csv"))}
    assert everyone == {"ACME", "BOLT"}
    own = {r["supplier"] for r in csv_rows(client_for(contact_a).get("/exports/scorecards.csv"))}
    assert own == {"ACME"}


def test_purchase_orders_export_one_row_per_line(world, api_for, buyer):
    rows = csv_rows(api_for(buyer).get("/api/v1/purchase-orders/?format=csv&supplier=ACME"))
    assert [(r["number"], r["line"], r["part"]) for r in rows] == [
        ("PO-A1", "1", "P-1"),
        ("PO-A1", "2", "P-2"),
        ("PO-A2", "1", "P-2"),
    ]
    assert rows[0]["supplier"] == "ACME"
    assert rows[0]["status"] == "open"  # the line's status
    assert rows[0]["order_status"] == "open"


def test_xlsx_cells_are_typed(world, api_for, buyer):
    response = api_for(buyer).get("/api/v1/receipts/?format=xlsx&number=GR-A1")
    assert response.status_code == 200
    (row,) = xlsx_rows(response)
    assert row["number"] == "GR-A1"
    assert row["quantity"] == 100  # a number, not text
    assert isinstance(row["receipt_date"], dt.datetime)  # Excel stores dates as date-times
    assert row["receipt_date"].date() == dt.date(2026, 2, 10)


def test_list_columns_are_joined(world, api_for, buyer):
    from purchasing.models import Inspection

    Inspection.objects.filter(pk=world["inspections"][0].pk).update(defect_codes=["DIM", "SURF"])
    rows = csv_rows(api_for(buyer).get("/api/v1/inspections/?format=csv&receipt=GR-A1"))
    assert rows[0]["defect_codes"] == "DIM; SURF"


def test_export_ignores_pagination(world, api_for, buyer):
    from tests.factories import ReceiptFactory

    for n in range(120):
        ReceiptFactory(number=f"GR-X{n:03d}", line=world["lines"][0], quantity=Decimal("1"))
    rows = csv_rows(api_for(buyer).get("/api/v1/receipts/?format=csv&page_size=10"))
    assert len(rows) == 123


def test_invalid_filter_on_export_is_400(world, client_for, buyer):
    response = client_for(buyer).get("/exports/receipts.csv?receipt_date_after=soon")
    assert response.status_code == 400


def test_unknown_resource_is_404(world, client_for, buyer):
    assert client_for(buyer).get("/exports/secrets.csv").status_code == 404


def test_anonymous_export_goes_to_login(world, client):
    response = client.get("/exports/receipts.csv")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_large_csv_export_streams(world, api_for, buyer, monkeypatch):
    from core import exports

    monkeypatch.setattr(exports, "IN_MEMORY_LIMIT", 1)
    response = api_for(buyer).get("/api/v1/receipts/?format=csv")
    assert response.streaming
    assert {r["number"] for r in csv_rows(response)} == {"GR-A1", "GR-A2", "GR-B1"}


def test_control_characters_do_not_break_excel(world, api_for, buyer):
    from suppliers.models import Supplier

    Supplier.objects.filter(code="ACME").update(name="Acme\x02 Castings\x1b")
    response = api_for(buyer).get("/api/v1/suppliers/?format=xlsx")
    assert response.status_code == 200
    names = {row["code"]: row["name"] for row in xlsx_rows(response)}
    assert names["ACME"] == "Acme Castings"
    bad_filter = api_for(buyer).get("/api/v1/suppliers/?format=xlsx&status=\x02")
    assert bad_filter.status_code == 400
