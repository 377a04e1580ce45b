"""The pages: a contact submits, sees states and reasons, corrects a rejected invoice; a
buyer lists, keys in, decides; the exceptions queue and the automation rate count them."""

from decimal import Decimal

import pytest

from invoicing.models import Invoice
from invoicing.services import invoice_reject
from rules.selectors import automation_rate
from tests.invoicing.conftest import INVOICE_DATE

pytestmark = pytest.mark.django_db


def _form(number="INV-1", lines=(), currency="EUR"):
    data = {"number": number, "invoice_date": INVOICE_DATE.isoformat(), "currency": currency,
            "freight": "0", "other_charges": "0"}  # fmt: skip
    for line, quantity, price in lines:
        data |= {f"bill_{line.pk}": "1", f"qty_{line.pk}": quantity, f"price_{line.pk}": price}
    return data


def test_the_portal_form_offers_received_lines_not_yet_billed_prefilled(
    line_a, order_b, submit, contact_a, client_for
):
    submit([(line_a, 25, "10")])
    page = client_for(contact_a).get("/portal/invoices/new/").content.decode()
    assert "PO-A1/1" in page and "PO-B1" not in page
    assert f'name="qty_{line_a.pk}" value="35"' in page  # 60 received − 25 billed
    assert f'name="price_{line_a.pk}" value="10.0000"' in page


def test_a_contact_submits_in_the_portal_and_sees_the_state(line_a, contact_a, client_for):
    client = client_for(contact_a)
    response = client.post("/portal/invoices/new/", _form(lines=[(line_a, "60", "10")]))
    invoice = Invoice.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/portal/invoices/{invoice.pk}/"
    assert invoice.status == Invoice.Status.APPROVED and invoice.submitted_by == contact_a
    assert "Approved" in client.get("/portal/invoices/").content.decode()


def test_a_portal_refusal_keeps_the_form_and_writes_nothing(
    line_a, order_b, submit, contact_a, client_for
):
    submit([(line_a, 10, "10")], number="INV-1")
    client = client_for(contact_a)
    response = client.post("/portal/invoices/new/", _form(lines=[(line_a, "5", "10")]))
    assert response.status_code == 400
    assert "already sent invoice INV-1" in response.content.decode()
    other = order_b.lines.get()
    response = client.post("/portal/invoices/new/", _form("INV-2", lines=[(other, "5", "10")]))
    assert response.status_code == 400
    assert Invoice.objects.count() == 1


def test_a_rejected_invoice_shows_its_reason_and_a_corrected_one_is_accepted(
    line_a, submit, contact_a, buyer, client_for
):
    rejected = invoice_reject(
        invoice=submit([(line_a, 60, "12")]), user=buyer, reason="Our price is 10.00"
    )
    client = client_for(contact_a)
    assert "Our price is 10.00" in client.get("/portal/invoices/").content.decode()
    page = client.get(f"/portal/invoices/new/?corrects={rejected.pk}").content.decode()
    assert "Correct invoice INV-1" in page
    assert f'name="bill_{line_a.pk}" value="1" checked' in page
    assert f'name="price_{line_a.pk}" value="12.0000"' in page  # the rejected one's lines
    data = _form("INV-1-C", lines=[(line_a, "60", "10")]) | {"corrects": rejected.pk}
    client.post(f"/portal/invoices/new/?corrects={rejected.pk}", data)
    corrected = Invoice.objects.get(number="INV-1-C")
    assert corrected.status == Invoice.Status.APPROVED and corrected.corrects == rejected


def test_a_contact_never_opens_another_suppliers_invoice(
    line_a, order_b, submit, supplier_b, contact_b, client_for
):
    own = submit([(line_a, 10, "10")])
    client = client_for(contact_b)
    assert client.get(f"/portal/invoices/{own.pk}/").status_code == 404
    assert client.get(f"/portal/invoices/new/?corrects={own.pk}").status_code == 404
    assert "INV-1" not in client.get("/portal/invoices/").content.decode()
    assert client.get("/invoices/").status_code == 404
    assert client.get(f"/invoices/{own.pk}/").status_code == 404


def test_a_buyer_keys_in_a_paper_invoice(line_a, buyer, client_for):
    client = client_for(buyer)
    page = client.get("/invoices/new/?supplier=ACME").content.decode()
    assert "PO-A1/1" in page
    data = _form(lines=[(line_a, "70", "10")]) | {"supplier": "ACME"}
    response = client.post("/invoices/new/", data)
    invoice = Invoice.objects.get()
    assert response.status_code == 302
    assert invoice.status == Invoice.Status.EXCEPTION and invoice.submitted_by == buyer


def test_the_buyer_list_filters_by_supplier_state_due_and_amount(
    line_a, order_b, submit, supplier_b, buyer, client_for
):
    submit([(line_a, 10, "10")], number="A-SMALL")  # 100 EUR, approved
    submit([(line_a, 50, "11")], number="A-BIG")  # 550 EUR, exception
    submit([(order_b.lines.get(), 5, "10")], number="B-ONE", supplier=supplier_b)
    client = client_for(buyer)

    def shown(**query):
        page = client.get("/invoices/", query).content.decode()
        return {n for n in ("A-SMALL", "A-BIG", "B-ONE") if f">{n}<" in page}

    assert shown() == {"A-SMALL", "A-BIG", "B-ONE"}
    assert shown(supplier="BOLT") == {"B-ONE"}
    assert shown(status="exception") == {"A-BIG"}
    assert shown(amount_min="200") == {"A-BIG"}
    assert shown(amount_max="100") == {"A-SMALL", "B-ONE"}
    assert shown(due_after="2026-04-02") == set()
    assert shown(due_before="2026-04-01") == {"A-SMALL", "A-BIG", "B-ONE"}


def test_the_exceptions_queue_shows_the_figures_and_a_buyer_decides_there(
    line_a, submit, buyer, client_for
):
    invoice = submit([(line_a, 70, "10.50")])
    client = client_for(buyer)
    page = client.get("/exceptions/").content.decode()
    assert f"invoice-exception-{invoice.pk}" in page
    assert "quantity 70 is more than received 60" in page and "10.5000" in page
    refused = client.post(f"/invoices/{invoice.pk}/decide/", {"decision": "approve"})
    assert refused.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.EXCEPTION  # no reason, no decision
    client.post(
        f"/invoices/{invoice.pk}/decide/",
        {"decision": "reject", "reason": "Only 60 arrived", "next": "/exceptions/"},
    )
    invoice.refresh_from_db()
    assert (invoice.status, invoice.reason, invoice.decided_by) == (
        "rejected",
        "Only 60 arrived",
        buyer,
    )
    assert f"invoice-exception-{invoice.pk}" not in client.get("/exceptions/").content.decode()


def test_a_viewer_sees_invoices_but_cannot_decide(line_a, submit, viewer, client_for):
    invoice = submit([(line_a, 70, "10")])
    client = client_for(viewer)
    assert client.get(f"/invoices/{invoice.pk}/").status_code == 200
    response = client.post(
        f"/invoices/{invoice.pk}/decide/", {"decision": "approve", "reason": "x"}
    )
    assert response.status_code == 403


def test_engine_approvals_and_invoice_exceptions_count_in_the_automation_rate(
    line_a, submit, buyer, time_machine
):
    time_machine.move_to("2026-03-10 09:00:00+00:00")
    submit([(line_a, 10, "10")], number="I-1")  # approved by the engine
    submit([(line_a, 10, "10")], number="I-2")  # approved by the engine
    waiting = submit([(line_a, 50, "10")], number="I-3")  # 60 − 20 = 40 left: exception
    rate = automation_rate(period="2026-03")
    assert (rate["applied"], rate["exceptions"], rate["exceptions_open"]) == (2, 1, 1)
    assert rate["automation_rate_pct"] == pytest.approx(66.67)
    invoice_reject(invoice=waiting, user=buyer, reason="Too many")
    assert automation_rate(period="2026-03")["exceptions_open"] == 0
    assert automation_rate(period="2026-04")["automation_rate_pct"] is None


def test_each_order_shows_ordered_received_invoiced_and_paid_per_line(
    line_a, submit, buyer, client_for
):
    from invoicing.services import invoice_mark_paid

    invoice_mark_paid(invoice=submit([(line_a, 20, "10")], number="I-1"))
    submit([(line_a, 15, "10")], number="I-2")
    page = client_for(buyer).get("/orders/PO-A1/").content.decode()
    billing = page.split('id="billing"')[1].split("</table>")[0]
    cells = [c.split("<")[0] for c in billing.split('<td class="num">')[1:]]
    assert cells == ["100", "60", "35", "20"]
    assert Decimal(cells[2]) == 20 + 15
