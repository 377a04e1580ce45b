"""Portal pages cost the same number of queries whatever the number of rows."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from messaging.models import Thread
from messaging.services import message_post
from purchasing.services import ship_notice_create
from suppliers.models import Certificate
from tests.factories import (
    InspectionFactory,
    PurchaseOrderFactory,
    PurchaseOrderLineFactory,
    SupplierContactFactory,
)

pytestmark = pytest.mark.django_db

PAGES = [
    "/portal/",
    "/portal/lines/",
    "/portal/lines/acknowledge/?show=all",
    "/portal/ship-notices/",
    "/portal/ship-notices/new/",
    "/portal/receipts/",
    "/portal/inspections/",
    "/portal/certificates/",
    "/portal/colleagues/",
    "/messages/",
]


def _add_rows(supplier, buyer, n: int, start: int):
    for i in range(start, start + n):
        order = PurchaseOrderFactory(number=f"PO-Q{i}", supplier=supplier)
        line = PurchaseOrderLineFactory(
            purchase_order=order, line_number=1, requested_date=dt.date(2026, 1, 1)
        )
        InspectionFactory(receipt__line=line, receipt__quantity=10)
        ship_notice_create(
            supplier=supplier,
            number=f"ASN-Q{i}",
            ship_date=dt.date(2026, 1, 1),
            eta=dt.date(2026, 1, 5),
            lines=[(line, 5)],
        )
        Certificate.objects.create(
            supplier=supplier, kind="other", number=f"C-{i}", valid_until=dt.date(2026, 1, 1)
        )
        SupplierContactFactory(supplier=supplier)
        thread = Thread.objects.create(supplier=supplier, purchase_order=order, subject=f"T{i}")
        message_post(thread=thread, author=buyer, body="Hello")


def _counts(client):
    counts = {}
    for url in PAGES:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        counts[url] = len(queries)
    return counts


def test_page_query_counts_do_not_grow_with_rows(client, contact_a, supplier_a, buyer):
    contact_a.supplier_contact.is_admin = True
    contact_a.supplier_contact.save()
    client.force_login(contact_a)
    _add_rows(supplier_a, buyer, 2, 0)
    few = _counts(client)
    _add_rows(supplier_a, buyer, 8, 2)
    many = _counts(client)
    assert many == few
    assert max(many.values()) <= 20, many
