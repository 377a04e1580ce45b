"""Exported files never carry a formula, and every role finds the lists it may download."""

import io

import pytest
from openpyxl import load_workbook

from tests.factories import PartFactory
from tests.imports.test_exports import csv_rows, xlsx_rows

pytestmark = pytest.mark.django_db

FORMULAS = {
    "P-EQ": '=HYPERLINK("http://evil.example","Open")',
    "P-PLUS": "+1+2",
    "P-MINUS": "-2+3",
    "P-AT": "@SUM(A1:A9)",
    "P-TAB": "\t=1+1",
    "P-CR": "\r=1+1",
    "P-SAFE": "Bracket -10 mm",
}


@pytest.fixture
def tricky_parts():
    for number, name in FORMULAS.items():
        PartFactory(number=number, name=name)


def test_csv_and_excel_exports_neutralise_every_formula(tricky_parts, client_for, buyer):
    client = client_for(buyer)
    for rows in (
        csv_rows(client.get("/exports/parts.csv")),
        xlsx_rows(client.get("/exports/parts.xlsx")),
    ):
        names = {row["number"]: row["name"] for row in rows}
        assert names["P-EQ"] == "'" + FORMULAS["P-EQ"]
        assert names["P-PLUS"] == "'+1+2"
        assert names["P-MINUS"] == "'-2+3"
        assert names["P-AT"] == "'@SUM(A1:A9)"
        assert names["P-SAFE"] == "Bracket -10 mm"
        # Tab and carriage return: the apostrophe comes first, whatever trims the rest.
        assert names["P-TAB"].startswith("'") and names["P-CR"].startswith("'")


def test_no_excel_cell_is_a_formula(tricky_parts, client_for, buyer):
    content = client_for(buyer).get("/exports/parts.xlsx").content
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_a_neutralised_file_imports_back_as_it_was(tricky_parts, client_for, buyer):
    from imports.readers import records_read
    from imports.services import KINDS, ImportResult, import_file_read

    content = client_for(buyer).get("/exports/parts.csv").content
    rows = import_file_read(content=content, filename="parts.csv")
    records = records_read(KINDS["parts"], rows, ImportResult(kind="parts"))
    names = {record["number"]: record["name"] for _, record in records}
    assert names["P-EQ"] == FORMULAS["P-EQ"] and names["P-MINUS"] == "-2+3"


def test_viewers_open_the_export_page_with_every_list(client_for, viewer):
    response = client_for(viewer).get("/exports/")
    assert response.status_code == 200
    page = response.content.decode()
    for resource in ("suppliers", "contracts", "alerts", "exceptions", "messages", "receipts"):
        assert f"/exports/{resource}.xlsx" in page


def test_a_contact_is_offered_its_own_lists_only(client_for, contact_a):
    response = client_for(contact_a).get("/exports/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/exports/receipts.csv" in page and "/exports/alerts.xlsx" in page
    for internal in ("inventory-positions", "fx-rates", "exceptions", "allocation-changes"):
        assert f"/exports/{internal}." not in page


@pytest.mark.parametrize(
    ("page", "resource"),
    [
        ("/contracts/", "contracts"),
        ("/alerts/", "alerts"),
        ("/exceptions/", "exceptions"),
        ("/messages/", "threads"),
        ("/parts/", "parts"),
        ("/orders/", "purchase-orders"),
    ],
)
def test_every_list_page_offers_its_rows_as_csv_and_excel(page, resource, client_for, buyer):
    client = client_for(buyer)
    html = client.get(page, {"state": "open"}).content.decode()
    for fmt in ("csv", "xlsx"):
        assert f"/exports/{resource}.{fmt}?state=open" in html
        assert client.get(f"/exports/{resource}.{fmt}").status_code == 200


def test_a_contacts_portal_lists_offer_their_files(client_for, contact_a):
    html = client_for(contact_a).get("/portal/receipts/").content.decode()
    assert "/exports/receipts.csv" in html and "/exports/receipts.xlsx" in html
