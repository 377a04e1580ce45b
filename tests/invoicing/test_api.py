"""/api/v1/invoices/: submitting, refusals (nothing written), decisions, payment, exports,
and a contact never seeing or billing another supplier's orders."""

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from invoicing.models import Invoice
from purchasing.models import PurchaseOrderLine

pytestmark = pytest.mark.django_db
URL = "/api/v1/invoices/"


def _body(number="INV-1", order="PO-A1", line=1, quantity="60", price="10.00", **extra):
    return {
        "number": number,
        "invoice_date": "2026-03-02",
        "currency": "EUR",
        "freight": "12.50",
        "lines": [
            {"purchase_order": order, "line": line, "quantity": quantity, "unit_price": price}
        ],
        **extra,
    }


def test_a_contact_submits_an_invoice_for_its_own_order_and_it_is_approved(
    line_a, contact_a, api_for
):
    response = api_for(contact_a).post(URL, _body(), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["supplier"] == "ACME"
    assert data["status"] == "approved" and data["approved_by_engine"] is True
    assert data["lines"][0]["match"] == "ok"
    assert Decimal(data["total_amount"]) == Decimal("612.50")  # 60 × 10 + 12.50 freight
    assert data["decided_by"] is None


def test_a_mismatch_is_an_exception_with_the_reason_per_line(line_a, contact_a, api_for):
    data = api_for(contact_a).post(URL, _body(price="11"), format="json").json()
    assert data["status"] == "exception"
    line = data["lines"][0]
    assert "unit price 11 differs from expected 10" in line["match"]
    assert Decimal(line["expected_price"]) == 10 and Decimal(line["price_difference"]) == 1
    assert Decimal(line["received_quantity"]) == 60


def test_a_number_used_twice_by_the_same_supplier_is_refused(line_a, contact_a, api_for):
    api = api_for(contact_a)
    assert api.post(URL, _body(quantity="10"), format="json").status_code == 201
    response = api.post(URL, _body(quantity="10"), format="json")
    assert response.status_code == 400
    assert "already sent invoice INV-1" in response.json()["number"][0]
    assert Invoice.objects.count() == 1


def test_another_supplier_may_use_the_same_number(line_a, order_b, contact_b, api_for):
    response = api_for(contact_b).post(URL, _body(order="PO-B1", quantity="5"), format="json")
    assert response.status_code == 201


def test_a_cancelled_line_cannot_be_invoiced(line_a, contact_a, api_for):
    PurchaseOrderLine.objects.filter(pk=line_a.pk).update(status="cancelled")
    response = api_for(contact_a).post(URL, _body(), format="json")
    assert response.status_code == 400
    assert "cancelled" in str(response.json()["lines"])
    assert not Invoice.objects.exists()


def test_a_contact_naming_another_suppliers_order_finds_nothing(
    line_a, order_b, contact_a, api_for
):
    response = api_for(contact_a).post(URL, _body(order="PO-B1"), format="json")
    assert response.status_code == 404
    assert response.json()["lines"] == {"0": {"line": ["No order line PO-B1/1."]}}
    assert not Invoice.objects.exists()
    # Another supplier's order and an order that does not exist read the same.
    missing = api_for(contact_a).post(URL, _body(order="PO-NOPE"), format="json")
    assert missing.json()["lines"] == {"0": {"line": ["No order line PO-NOPE/1."]}}


def test_a_contact_cannot_bill_in_another_suppliers_name(line_a, order_b, contact_a, api_for):
    response = api_for(contact_a).post(URL, _body(supplier="BOLT"), format="json")
    assert response.status_code == 400
    assert response.json()["supplier"] == ["No supplier with code 'BOLT'."]
    assert not Invoice.objects.exists()


def test_a_buyer_keying_in_another_suppliers_line_is_told_so(line_a, order_b, buyer, api_for):
    response = api_for(buyer).post(URL, _body(supplier="ACME", order="PO-B1"), format="json")
    assert response.status_code == 400
    assert "not an order line of ACME" in str(response.json())
    assert not Invoice.objects.exists()


def test_a_buyer_approves_an_exception_with_a_reason(line_a, contact_a, buyer, api_for):
    invoice = api_for(contact_a).post(URL, _body(price="11"), format="json").json()
    api = api_for(buyer)
    assert api.post(f"{URL}{invoice['id']}/approve/", {}, format="json").status_code == 400
    response = api.post(
        f"{URL}{invoice['id']}/approve/", {"reason": "Surcharge agreed by phone"}, format="json"
    )
    assert response.status_code == 200
    data = response.json()
    assert (data["status"], data["decided_by"]) == ("approved", "buyer")
    assert data["reason"] == "Surcharge agreed by phone" and data["approved_by_engine"] is False


def test_a_rejected_invoice_shows_the_contact_its_reason(line_a, contact_a, buyer, api_for):
    invoice = api_for(contact_a).post(URL, _body(price="11"), format="json").json()
    api_for(buyer).post(f"{URL}{invoice['id']}/reject/", {"reason": "Price is 10"}, format="json")
    seen = api_for(contact_a).get(f"{URL}{invoice['id']}/").json()
    assert (seen["status"], seen["reason"]) == ("rejected", "Price is 10")
    corrected = api_for(contact_a).post(
        URL, _body(number="INV-1C", corrects="INV-1"), format="json"
    )
    assert corrected.status_code == 201
    assert corrected.json()["status"] == "approved"
    assert corrected.json()["corrects"] == "INV-1"


def test_contacts_and_viewers_cannot_decide(line_a, contact_a, viewer, api_for):
    invoice = api_for(contact_a).post(URL, _body(price="11"), format="json").json()
    for user in (contact_a, viewer):
        response = api_for(user).post(
            f"{URL}{invoice['id']}/approve/", {"reason": "mine"}, format="json"
        )
        assert response.status_code == 403
    assert Invoice.objects.get().status == "exception"


def test_the_erp_reads_approved_invoices_and_marks_them_paid(line_a, contact_a, buyer, api_for):
    api_for(contact_a).post(URL, _body(number="INV-1", quantity="10"), format="json")
    api_for(contact_a).post(URL, _body(number="INV-2", quantity="10", price="20"), format="json")
    erp = api_for(buyer)
    approved = erp.get(URL, {"status": "approved"}).json()["results"]
    assert [i["number"] for i in approved] == ["INV-1"]
    response = erp.post(
        f"{URL}paid/",
        [{"supplier": "ACME", "number": "INV-1", "paid_at": "2026-03-20", "reference": "PAY-7"}],
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()[0]["status"] == "paid"
    # An invoice still in exception cannot be paid; nothing changes.
    exception = Invoice.objects.get(number="INV-2")
    response = erp.post(f"{URL}paid/", {"id": exception.pk}, format="json")
    assert response.status_code == 400
    assert Invoice.objects.get(number="INV-2").status == "exception"


def test_the_approved_export_opens_in_a_spreadsheet_without_running_formulas(
    line_a, contact_a, buyer, api_for, client_for
):
    api_for(contact_a).post(URL, _body(number="INV-0", quantity="10"), format="json")
    waiting = api_for(contact_a).post(URL, _body(price="12"), format="json").json()
    formula = '=HYPERLINK("http://evil.example","pay")'
    api_for(buyer).post(f"{URL}{waiting['id']}/approve/", {"reason": formula}, format="json")
    api_for(contact_a).post(URL, _body(number="INV-9", price="13"), format="json")  # exception
    client = client_for(buyer)
    response = client.get("/exports/invoices.csv", {"status": "approved"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert sorted(r["number"] for r in rows) == ["INV-0", "INV-1"]
    assert {r["reason"] for r in rows} == {"", "'" + formula}
    assert {(r["purchase_order"], r["line"]) for r in rows} == {("PO-A1", "1")}
    workbook = load_workbook(
        io.BytesIO(client.get("/exports/invoices.xlsx", {"status": "approved"}).content)
    )
    sheet = workbook.active
    header = [c.value for c in sheet[1]]
    reasons = {sheet.cell(row=r, column=header.index("reason") + 1).value for r in (2, 3)}
    assert "'" + formula in reasons
    assert sheet.max_row == 3  # the header and the two approved invoices


def test_a_contact_sees_only_its_own_invoices_in_lists_details_and_exports(
    line_a, order_b, contact_a, contact_b, api_for, client_for
):
    own = api_for(contact_a).post(URL, _body(quantity="5"), format="json").json()
    api_for(contact_b).post(URL, _body(number="INV-B", order="PO-B1", quantity="5"), format="json")
    listed = api_for(contact_b).get(URL).json()["results"]
    assert [i["number"] for i in listed] == ["INV-B"]
    assert api_for(contact_b).get(f"{URL}{own['id']}/").status_code == 404
    exported = client_for(contact_b).get("/exports/invoices.csv").content.decode("utf-8-sig")
    assert "INV-B" in exported and "PO-A1" not in exported and "ACME" not in exported
