"""The three-way match, rule by rule: quantity against received minus already invoiced,
price against the order (or the price tier in force) within tolerance, currency."""

import datetime as dt
from decimal import Decimal

import pytest

from contracts.models import ContractChange
from contracts.services import price_tier_create
from invoicing.models import Invoice
from invoicing.services import invoice_reject
from purchasing.services import receipt_create
from tests.factories import ContractFactory

pytestmark = pytest.mark.django_db


def _only_line(invoice):
    return invoice.lines.get()


def test_an_invoice_within_what_was_received_at_the_order_price_is_approved_by_the_engine(
    line_a, submit
):
    invoice = submit([(line_a, 60, "10.00")])
    assert invoice.status == Invoice.Status.APPROVED
    assert invoice.approved_by_engine and invoice.decided_by is None
    line = _only_line(invoice)
    assert line.match == "ok"
    assert (line.ordered_quantity, line.received_quantity, line.invoiced_before) == (100, 60, 0)
    assert invoice.total_amount == Decimal("600")


def test_billing_more_than_was_received_is_an_exception_showing_the_figures(line_a, submit):
    invoice = submit([(line_a, 61, "10.00")])
    assert invoice.status == Invoice.Status.EXCEPTION
    assert invoice.exception_raised_at is not None
    line = _only_line(invoice)
    assert line.match.startswith("quantity 61 is more than received 60 minus already invoiced 0")


def test_what_earlier_invoices_billed_is_no_longer_available(line_a, submit):
    submit([(line_a, 40, "10.00")], number="INV-1")
    second = submit([(line_a, 30, "10.00")], number="INV-2")
    assert second.status == Invoice.Status.EXCEPTION
    line = _only_line(second)
    assert line.invoiced_before == 40
    assert "received 60 minus already invoiced 40" in line.match
    third = submit([(line_a, 20, "10.00")], number="INV-3")
    # 60 received − 40 (INV-1) − 30 (INV-2, still waiting, counts) = −10: still a mismatch
    assert third.status == Invoice.Status.EXCEPTION


def test_a_rejected_invoice_no_longer_counts_as_billed(line_a, submit, buyer):
    first = submit([(line_a, 60, "12.00")], number="INV-1")
    invoice_reject(invoice=first, user=buyer, reason="Price is 10.00")
    corrected = submit([(line_a, 60, "10.00")], number="INV-1C", corrects=first)
    assert corrected.status == Invoice.Status.APPROVED
    assert _only_line(corrected).invoiced_before == 0


def test_the_quantity_tolerance_is_a_contract_term(line_a, submit, supplier_a):
    ContractFactory(supplier=supplier_a, invoice_quantity_tolerance=Decimal("2"))
    assert submit([(line_a, 62, "10")], number="INV-1").status == Invoice.Status.APPROVED
    assert submit([(line_a, 1, "10")], number="INV-2").status == Invoice.Status.EXCEPTION


@pytest.mark.parametrize(
    ("price", "status"),
    [
        ("10.05", Invoice.Status.APPROVED),  # +0.5 %: on the default tolerance
        ("9.95", Invoice.Status.APPROVED),  # −0.5 %
        ("10.06", Invoice.Status.EXCEPTION),  # +0.6 %
        ("9.90", Invoice.Status.EXCEPTION),  # −1 %
    ],
)
def test_the_price_may_differ_by_half_a_percent_by_default(line_a, submit, price, status):
    invoice = submit([(line_a, 10, price)])
    assert invoice.status == status


def test_a_price_beyond_tolerance_names_the_difference(line_a, submit):
    line = _only_line(submit([(line_a, 10, "10.60")]))
    assert line.expected_price == Decimal("10")
    assert line.price_difference == Decimal("0.60")
    assert "differs from expected 10 by 0.6 (6 %) (tolerance 0.5 %)" in line.match


def test_the_price_tolerance_is_a_contract_term_valid_on_the_invoice_date(
    line_a, submit, supplier_a
):
    ContractFactory(
        supplier=supplier_a,
        valid_from=dt.date(2026, 1, 1),
        valid_to=dt.date(2026, 2, 28),
        invoice_price_tolerance_pct=Decimal("5"),
    )
    ContractFactory(
        supplier=supplier_a, valid_from=dt.date(2026, 3, 1), invoice_price_tolerance_pct=2
    )
    assert submit([(line_a, 10, "10.20")], number="I-1").status == Invoice.Status.APPROVED
    assert submit([(line_a, 10, "10.30")], number="I-2").status == Invoice.Status.EXCEPTION
    early = submit([(line_a, 10, "10.30")], number="I-3", day=dt.date(2026, 2, 15))
    assert early.status == Invoice.Status.APPROVED


def test_a_price_tier_in_force_on_the_invoice_date_sets_the_expected_price(
    line_a, submit, supplier_a, part
):
    contract = ContractFactory(supplier=supplier_a, valid_from=dt.date(2026, 1, 1))
    tier = price_tier_create(
        contract=contract, part=part, min_quantity=Decimal("50"), unit_price=Decimal("9")
    )
    # Not applied yet: the order's price still holds.
    assert submit([(line_a, 5, "10")], number="I-1").status == Invoice.Status.APPROVED
    tier.is_applied = True
    tier.save()
    ContractChange.objects.create(
        contract=contract,
        object_type="pricetier",
        object_id=tier.pk,
        kind="updated",
        before={"is_applied": False},
        after={"is_applied": True},
    )
    ContractChange.objects.filter(object_id=tier.pk, kind="updated").update(
        changed_at=dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)
    )
    at_tier = submit([(line_a, 5, "9")], number="I-2")
    assert at_tier.status == Invoice.Status.APPROVED
    assert _only_line(at_tier).expected_price == Decimal("9")
    old_price = submit([(line_a, 5, "10")], number="I-3")
    assert old_price.status == Invoice.Status.EXCEPTION
    # Dated before the tier was applied: the order's price was in force.
    before = submit([(line_a, 5, "10")], number="I-4", day=dt.date(2026, 2, 27))
    assert before.status == Invoice.Status.APPROVED


def test_a_currency_other_than_the_orders_is_a_mismatch(line_a, submit):
    invoice = submit([(line_a, 10, "10")], currency="USD")
    assert invoice.status == Invoice.Status.EXCEPTION
    assert "currency USD is not the order's EUR" in _only_line(invoice).match


def test_an_invoice_that_ran_ahead_of_its_goods_matches_when_they_arrive(
    line_a, submit, django_capture_on_commit_callbacks, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    invoice = submit([(line_a, 100, "10")])
    assert invoice.status == Invoice.Status.EXCEPTION
    with django_capture_on_commit_callbacks(execute=True):
        receipt_create(number="GR-A2", line=line_a, receipt_date=dt.date(2026, 3, 5), quantity=30)
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.EXCEPTION  # 90 received of 100 billed
    assert _only_line(invoice).received_quantity == 90
    with django_capture_on_commit_callbacks(execute=True):
        receipt_create(number="GR-A3", line=line_a, receipt_date=dt.date(2026, 3, 6), quantity=10)
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.APPROVED
    assert invoice.approved_by_engine
    assert _only_line(invoice).match == "ok"


def test_a_decided_invoice_is_not_matched_again(line_a, submit, buyer):
    from invoicing.services import invoices_match_waiting

    invoice = submit([(line_a, 100, "10")])
    invoice_reject(invoice=invoice, user=buyer, reason="Too many")
    line_a.receipts.update(quantity=100)
    assert invoices_match_waiting() == {"approved": 0, "exception": 0}
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.REJECTED


def test_rejecting_an_invoice_frees_its_quantity_for_the_invoices_after_it(line_a, submit, buyer):
    first = submit([(line_a, 60, "10")], number="INV-1")  # approved: all 60 billed
    Invoice.objects.filter(pk=first.pk).update(status=Invoice.Status.EXCEPTION)
    second = submit([(line_a, 60, "10")], number="INV-2")
    assert second.status == Invoice.Status.EXCEPTION
    invoice_reject(invoice=first, user=buyer, reason="Sent twice")
    second.refresh_from_db()
    assert second.status == Invoice.Status.APPROVED and second.approved_by_engine
