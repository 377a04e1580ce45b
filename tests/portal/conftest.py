import datetime as dt

import pytest

from tests.factories import PurchaseOrderFactory, PurchaseOrderLineFactory


@pytest.fixture
def lines_a(supplier_a):
    order = PurchaseOrderFactory(number="PO-A1", supplier=supplier_a)
    return [
        PurchaseOrderLineFactory(
            purchase_order=order, line_number=n, requested_date=dt.date(2026, 3, n)
        )
        for n in (1, 2, 3)
    ]


@pytest.fixture
def line_b(supplier_b):
    order = PurchaseOrderFactory(number="PO-B1", supplier=supplier_b)
    return PurchaseOrderLineFactory(purchase_order=order, line_number=1)


@pytest.fixture
def portal_a(client, contact_a):
    client.force_login(contact_a)
    return client
