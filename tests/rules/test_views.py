"""The exceptions queue, split-a-demand page and the share-history snippet."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.template.loader import render_to_string

from purchasing.models import PurchaseOrder
from rules.models import AllocationException
from rules.selectors import part_share_history
from rules.services import rules_evaluate
from tests.rules.conftest import AS_OF

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 3, 20, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def exception(engine):
    engine.rule(name="Deep cut", amount=Decimal("65"))
    engine.card(engine.a, otd_pct=82.0)
    rules_evaluate(as_of=AS_OF)
    return AllocationException.objects.get()


def test_the_queue_shows_evidence_and_the_proposal(exception, buyer, client_for):
    page = client_for(buyer).get("/exceptions/").content.decode()
    assert "Shift would break a share bound" in page and "Deep cut" in page
    assert "15.00" in page and "85.00" in page  # proposed shares
    assert "20 lines due" in page and "would fall below its minimum" in page
    assert "lines_due" not in page
    assert "/api/v1/scorecards/?supplier=ACME&amp;period=rolling-90" in page


def test_filters_narrow_the_queue(exception, buyer, client_for):
    client = client_for(buyer)
    assert "Deep cut" in client.get("/exceptions/?kind=bound_break&supplier=ACME").content.decode()
    assert "Deep cut" not in client.get("/exceptions/?kind=hold").content.decode()
    assert "Deep cut" not in client.get("/exceptions/?part=P-OTHER").content.decode()


def test_approve_with_one_click_and_a_comment(exception, engine, buyer, client_for):
    client = client_for(buyer)
    response = client.post(
        f"/exceptions/{exception.pk}/decide/", {"decision": "approve", "comment": "agreed"}
    )
    assert response.status_code == 302
    exception.refresh_from_db()
    assert (exception.state, exception.decided_by, exception.comment) == (
        "approved",
        buyer,
        "agreed",
    )
    assert engine.shares() == (Decimal("20.00"), Decimal("80.00"))  # within the bounds
    # Deciding again is refused with a message, not a 500.
    again = client.post(f"/exceptions/{exception.pk}/decide/", {"decision": "reject"}, follow=True)
    assert "already approved" in again.content.decode()


def test_viewers_see_the_queue_but_cannot_decide(exception, viewer, client_for):
    client = client_for(viewer)
    page = client.get("/exceptions/").content.decode()
    assert "Deep cut" in page and 'value="approve"' not in page
    assert (
        client.post(f"/exceptions/{exception.pk}/decide/", {"decision": "approve"}).status_code
        == 403
    )
    exception.refresh_from_db()
    assert exception.state == "open"


def test_a_contact_cannot_decide(exception, contact_a, client_for):
    response = client_for(contact_a).post(
        f"/exceptions/{exception.pk}/decide/", {"decision": "approve"}
    )
    assert response.status_code == 404


def test_the_split_page_shows_reasons_and_places_orders(engine, buyer, client_for):
    engine.source_b.moq = Decimal("500")
    engine.source_b.save()
    client = client_for(buyer)
    form = {"part": "P-100", "quantity": "1000", "need_date": "2026-04-15"}
    page = client.post("/allocations/split/", form).content.decode()
    assert "moved to ACME" in page and "Place these purchase orders" in page
    assert not PurchaseOrder.objects.exists()
    placed = client.post("/allocations/split/", {**form, "place_orders": "1"}).content.decode()
    assert "Purchase orders placed" in placed
    assert PurchaseOrder.objects.get().supplier == engine.a


def test_the_split_page_shows_field_errors(engine, buyer, client_for):
    page = (
        client_for(buyer)
        .post("/allocations/split/", {"part": "P-NOPE", "quantity": "-1", "need_date": "x"})
        .content.decode()
    )
    assert "No part with number" in page and "Enter a valid date" in page


def test_a_viewer_can_preview_a_split_but_not_order(engine, viewer, client_for):
    client = client_for(viewer)
    form = {"part": "P-100", "quantity": "10", "need_date": "2026-04-15"}
    page = client.post("/allocations/split/", form).content.decode()
    assert "target share 80 %" in page and "Place these purchase orders" not in page
    assert client.post("/allocations/split/", {**form, "place_orders": "1"}).status_code == 403
    assert not PurchaseOrder.objects.exists()


def test_share_history_snippet(engine, buyer, contact_a):
    engine.rule()
    engine.card(engine.a, otd_pct=82.0)
    rules_evaluate(as_of=AS_OF)
    changes = part_share_history(user=buyer, part_id=engine.part.pk)
    html = render_to_string("rules/_share_history.html", {"changes": changes})
    assert "ACME 80.00 / BOLT 20.00" in html and "ACME 70.00 / BOLT 30.00" in html
    assert "OTD floor" in html and "system" in html
    assert not part_share_history(user=contact_a, part_id=engine.part.pk).exists()


def test_the_card_shows_the_receiving_source_grade_capacity_and_cost(
    exception, engine, buyer, client_for
):
    from tests.factories import PurchaseOrderFactory, PurchaseOrderLineFactory

    engine.card(engine.b, otd_pct=96.5, grade="B")
    engine.source_b.monthly_capacity = Decimal("500")
    engine.source_b.unit_price, engine.source_a.unit_price = Decimal("12"), Decimal("10")
    engine.source_b.save()
    engine.source_a.save()
    order = PurchaseOrderFactory(supplier=engine.b, order_date=dt.date(2026, 3, 1))
    PurchaseOrderLineFactory(  # 1,000 units this year, 200 of BOLT's due this month
        purchase_order=order, part=engine.part, quantity=Decimal("200"),
        requested_date=dt.date(2026, 3, 25),
    )  # fmt: skip
    PurchaseOrderLineFactory(
        purchase_order=PurchaseOrderFactory(supplier=engine.a, order_date=dt.date(2026, 2, 1)),
        part=engine.part, quantity=Decimal("800"), requested_date=dt.date(2026, 4, 20),
    )  # fmt: skip
    page = client_for(buyer).get("/exceptions/").content.decode()
    assert "receiving" in page and ">B<" in page and "96.50" in page
    assert ">300<" in page  # BOLT: 500 a month, 200 already due this month
    # 65 points of 1,000 units a year: ACME −650 × 10, BOLT +650 × 12 = +1,300 EUR.
    assert "1300.00 EUR</strong> a year" in page


def test_a_buyer_decides_many_exceptions_from_the_queue(exception, engine, buyer, client_for):
    client = client_for(buyer)
    response = client.post(
        "/exceptions/decide/", {"ids": [exception.pk], "decision": "reject", "comment": "Q2"}
    )
    assert response.status_code == 302
    exception.refresh_from_db()
    assert (exception.state, exception.comment) == ("rejected", "Q2")
    nothing = client.post("/exceptions/decide/", {"decision": "approve"}, follow=True)
    assert "Tick at least one exception" in nothing.content.decode()


def test_the_buyer_widens_the_bounds_from_the_card(exception, engine, buyer, client_for):
    client_for(buyer).post(
        f"/exceptions/{exception.pk}/decide/", {"decision": "approve", "widen_bounds": "on"}
    )
    assert engine.shares() == (Decimal("15.00"), Decimal("85.00"))
