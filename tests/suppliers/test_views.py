"""Supplier and part pages: scoped to the user, nulls shown as dashes, constant query counts."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scorecards.services import scorecard_recompute
from tests.factories import (
    ApprovedSourceFactory,
    PartFactory,
    PurchaseOrderLineFactory,
    ReceiptFactory,
    SupplierFactory,
)

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 3, 31)


@pytest.fixture
def shared_part(supplier_a, supplier_b):
    """Both suppliers deliver one part; ACME on time, BOLT a week late."""
    part = PartFactory(number="P-SHARED")
    ApprovedSourceFactory(part=part, supplier=supplier_a, target_share_pct=Decimal("70"))
    ApprovedSourceFactory(
        part=part, supplier=supplier_b, target_share_pct=Decimal("30"), unit_price=Decimal("12.5")
    )
    for supplier, delay in ((supplier_a, 0), (supplier_b, 7)):
        line = PurchaseOrderLineFactory(
            purchase_order__supplier=supplier, part=part, requested_date=dt.date(2026, 3, 10)
        )
        ReceiptFactory(line=line, receipt_date=dt.date(2026, 3, 10) + dt.timedelta(days=delay))
    scorecard_recompute(as_of=AS_OF)
    return part


def test_buyers_see_current_figures_on_the_supplier_list(client_for, buyer, shared_part):
    response = client_for(buyer).get(reverse("suppliers:list"))
    rows = {s.code: s for s in response.context["page"]}
    assert rows["ACME"].otd_pct == pytest.approx(100)
    assert rows["BOLT"].otd_pct == pytest.approx(0)
    assert b"Acme Castings" in response.content and b"Bolt Forge" in response.content


def test_a_supplier_without_figures_shows_dashes_not_zeros(client_for, buyer, supplier_a):
    content = client_for(buyer).get(reverse("suppliers:list")).content.decode()
    row = content[content.index("ACME") :]
    row = row[: row.index("</tr>")]
    assert row.count("—") >= 6
    assert ">0.0<" not in row


def test_the_supplier_list_filters_by_status(client_for, buyer, supplier_a):
    SupplierFactory(code="HOLD1", status="on_hold")
    content = client_for(buyer).get(reverse("suppliers:list"), {"status": "on_hold"}).content
    assert b"HOLD1" in content and b"ACME" not in content


def test_supplier_contacts_land_on_their_portal_and_never_see_the_other_source(
    client_for, contact_a, shared_part
):
    client = client_for(contact_a)
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == reverse("portal:home")
    assert client.get(reverse("suppliers:detail", args=["ACME"])).status_code == 200
    assert client.get(reverse("suppliers:list")).status_code == 404  # a buyer page
    assert client.get(reverse("suppliers:detail", args=["BOLT"])).status_code == 404
    part_page = client.get(reverse("parts:detail", args=["P-SHARED"])).content.decode()
    assert "ACME" in part_page
    assert "BOLT" not in part_page and "Bolt Forge" not in part_page
    assert "Target share" not in part_page  # its own share would reveal the other's
    assert "12.5" not in part_page  # nor the other source's price


def test_buyers_compare_both_sources_of_a_part_side_by_side(client_for, buyer, shared_part):
    response = client_for(buyer).get(reverse("parts:detail", args=["P-SHARED"]))
    sources = {s.supplier.code: s for s in response.context["sources"]}
    assert set(sources) == {"ACME", "BOLT"}
    assert sources["ACME"].otd_pct == pytest.approx(100)
    assert sources["BOLT"].otd_pct == pytest.approx(0)
    assert b"Target share" in response.content


def test_a_single_sourced_part_is_flagged_as_a_risk(client_for, buyer, supplier_a):
    part = PartFactory(number="P-SOLO")
    ApprovedSourceFactory(
        part=part,
        supplier=supplier_a,
        target_share_pct=Decimal("100"),
        max_share_pct=Decimal("100"),
    )
    assert (
        b"Single-sourced" in client_for(buyer).get(reverse("parts:detail", args=["P-SOLO"])).content
    )


def test_the_supplier_page_serves_its_chart_library_locally(client_for, buyer, shared_part):
    content = client_for(buyer).get(reverse("suppliers:detail", args=["ACME"])).content.decode()
    assert "/static/vendor/plotly/plotly.min.js" in content
    assert "cdn" not in content.lower()


def queries_of(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


# The exact counts are pinned in tests/query_counts.json; these check they do not grow.
def test_the_supplier_list_query_count_does_not_grow_with_suppliers(client_for, buyer, shared_part):
    client = client_for(buyer)
    url = reverse("suppliers:list")
    before = queries_of(client, url)
    for _ in range(30):
        SupplierFactory()
    assert queries_of(client, url) == before


def test_the_supplier_page_query_count_does_not_grow_with_parts(
    client_for, buyer, supplier_a, shared_part
):
    client = client_for(buyer)
    url = reverse("suppliers:detail", args=["ACME"])
    before = queries_of(client, url)
    for _ in range(20):
        ApprovedSourceFactory(supplier=supplier_a)
    assert queries_of(client, url) == before
