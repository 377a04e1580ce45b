"""The ERP marks approved invoices paid by importing a file: all or nothing."""

import datetime as dt

import pytest

from imports.services import import_file_run
from invoicing.models import Invoice

pytestmark = pytest.mark.django_db


def _run(text, user):
    return import_file_run(
        kind="invoice_payments", content=text.encode(), filename="paid.csv", user=user
    )


def test_an_import_marks_approved_invoices_paid(line_a, submit, buyer):
    submit([(line_a, 10, "10")], number="I-1")
    result = _run("supplier,number,paid_at,reference\nACME,I-1,2026-03-20,PAY-1\n", buyer)
    assert result.ok, result.errors
    invoice = Invoice.objects.get()
    assert (invoice.status, invoice.paid_at, invoice.payment_reference) == (
        "paid",
        dt.date(2026, 3, 20),
        "PAY-1",
    )


def test_one_bad_row_pays_nothing(line_a, submit, buyer):
    submit([(line_a, 10, "10")], number="I-1")
    submit([(line_a, 10, "12")], number="I-2")  # an exception: not payable
    result = _run("supplier,number\nACME,I-1\nACME,I-2\nACME,I-404\n", buyer)
    assert [(e.row, e.message) for e in result.errors] == [
        (3, "The invoice is exception, not approved."),
        (4, "No such invoice of this supplier."),
    ]
    assert set(Invoice.objects.values_list("status", flat=True)) == {"approved", "exception"}
