"""The database refuses data that breaks the hard rules, whatever path it comes in by."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from purchasing.models import FxRate, ShipNotice
from tests.factories import (
    FxRateFactory,
    InspectionFactory,
    PurchaseOrderFactory,
    PurchaseOrderLineFactory,
    ReceiptFactory,
    SupplierFactory,
)

pytestmark = pytest.mark.django_db


def rejected(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_purchase_order_numbers_are_unique():
    PurchaseOrderFactory(number="PO-1")
    rejected(lambda: PurchaseOrderFactory(number="PO-1"))


def test_line_numbers_are_unique_within_an_order():
    po = PurchaseOrderFactory()
    PurchaseOrderLineFactory(purchase_order=po, line_number=1)
    rejected(lambda: PurchaseOrderLineFactory(purchase_order=po, line_number=1))
    PurchaseOrderLineFactory(line_number=1)  # another order may reuse the number


@pytest.mark.parametrize("quantity", [Decimal("0"), Decimal("-5")])
def test_line_quantity_must_be_positive(quantity):
    rejected(lambda: PurchaseOrderLineFactory(quantity=quantity))


def test_line_price_cannot_be_negative():
    rejected(lambda: PurchaseOrderLineFactory(unit_price=Decimal("-0.01")))


def test_receipt_quantity_must_be_positive_and_costs_not_negative():
    rejected(lambda: ReceiptFactory(quantity=Decimal("-1")))
    rejected(lambda: ReceiptFactory(freight=Decimal("-3")))
    rejected(lambda: ReceiptFactory(duty=Decimal("-3")))


def test_receipt_numbers_are_unique():
    ReceiptFactory(number="GR-1")
    rejected(lambda: ReceiptFactory(number="GR-1"))


def test_defective_cannot_exceed_inspected():
    receipt = ReceiptFactory(quantity=Decimal("10"))
    rejected(
        lambda: InspectionFactory(
            receipt=receipt, inspected_quantity=Decimal("10"), defective_quantity=Decimal("11")
        )
    )
    rejected(lambda: InspectionFactory(receipt=receipt, defective_quantity=Decimal("-1")))
    InspectionFactory(
        receipt=receipt, inspected_quantity=Decimal("10"), defective_quantity=Decimal("10")
    )


def test_one_fx_rate_per_currency_and_day_and_rates_positive():
    FxRateFactory(currency="USD", date=dt.date(2026, 1, 1))
    rejected(lambda: FxRateFactory(currency="USD", date=dt.date(2026, 1, 1)))
    rejected(lambda: FxRateFactory(currency="GBP", rate=Decimal("0")))
    assert FxRate.objects.count() == 1


def test_ship_notice_cannot_arrive_before_it_ships():
    supplier = SupplierFactory()
    rejected(
        lambda: ShipNotice.objects.create(
            number="ASN-1",
            supplier=supplier,
            ship_date=dt.date(2026, 3, 10),
            eta=dt.date(2026, 3, 9),
        )
    )
