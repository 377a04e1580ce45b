"""Orders are checked on every path: dates not before the order, approved suppliers only,
spot buys flagged (and confirmed on the buyer's form), numbers from a gapless sequence."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse

from imports.services import SystemActor, import_file_run
from purchasing.models import PurchaseOrder, PurchaseOrderLine
from purchasing.services import order_number_next
from rules.allocation import demand_split_order
from suppliers.models import Supplier

pytestmark = pytest.mark.django_db


def _order(**changes):
    line = {
        "line": 1,
        "part": "P-1",
        "quantity": "10",
        "unit_price": "9",
        "requested_date": "2026-04-01",
    }
    line.update(changes.pop("line", {}))
    return {"number": "PO-900", "supplier": "ACME", "order_date": "2026-03-01", "lines": [line]}


@pytest.mark.parametrize("field", ["requested_date", "promised_date"])
def test_api_refuses_a_line_dated_before_its_order(world, api_for, buyer, field):
    response = api_for(buyer).post(
        "/api/v1/purchase-orders/", _order(line={field: "2026-02-27"}), format="json"
    )
    assert response.status_code == 400
    assert "before the order date 2026-03-01" in response.json()["lines"]["0"][field][0]
    assert not PurchaseOrder.objects.filter(number="PO-900").exists()


def test_api_refuses_moving_the_order_date_after_its_lines(world, api_for, buyer):
    response = api_for(buyer).patch(
        "/api/v1/purchase-orders/PO-A1/", {"order_date": "2026-03-01"}, format="json"
    )
    assert response.status_code == 400, response.content
    assert PurchaseOrder.objects.get(number="PO-A1").order_date == dt.date(2026, 1, 5)


def test_a_prospect_takes_no_new_orders(world, api_for, buyer):
    Supplier.objects.filter(code="ACME").update(status=Supplier.Status.PROSPECT)
    response = api_for(buyer).post("/api/v1/purchase-orders/", _order(), format="json")
    assert response.status_code == 400
    assert "only to approved suppliers" in response.json()["supplier"][0]


def test_the_import_reports_the_early_date_on_its_row(world):
    content = (
        b"number,supplier,order_date,currency,line,part,quantity,unit_price,requested_date\n"
        b"PO-7,ACME,2026-03-01,EUR,1,P-1,100,9.5,2026-04-01\n"
        b"PO-7,ACME,2026-03-01,EUR,2,P-2,50,3,2026-02-10\n"
    )
    result = import_file_run(
        kind="purchase_orders", content=content, filename="po.csv", user=SystemActor()
    )
    assert {(e.row, e.column) for e in result.errors} == {(3, "requested_date")}
    assert not PurchaseOrder.objects.filter(number="PO-7").exists()


def test_the_admin_shows_the_early_date_on_the_line(world, client_for, admin_user):
    supplier, part = world["orders"][0].supplier, world["parts"][0]
    data = {
        "number": "PO-ADM",
        "supplier": str(supplier.pk),
        "order_date": "2026-03-01",
        "currency": "EUR",
        "created_by": "",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-line_number": "1",
        "lines-0-part": str(part.pk),
        "lines-0-quantity": "10",
        "lines-0-unit_price": "2.5",
        "lines-0-requested_date": "2026-02-01",
        "lines-0-status": "open",
    }
    response = client_for(admin_user).post(reverse("admin:purchasing_purchaseorder_add"), data)
    assert response.status_code == 200
    assert "is before the order date 2026-03-01" in response.content.decode()
    assert not PurchaseOrder.objects.filter(number="PO-ADM").exists()


def _form(**changes):
    data = {
        "number": "",
        "supplier": "ACME",
        "order_date": "2026-03-01",
        "currency": "EUR",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-part": "P-1",
        "lines-0-quantity": "10",
        "lines-0-unit_price": "9",
        "lines-0-requested_date": "2026-04-01",
        "lines-0-status": "open",
    }
    return data | changes


def test_the_buyers_form_refuses_an_early_date_on_the_line(world, client_for, buyer):
    response = client_for(buyer).post(
        "/orders/new/", _form(**{"lines-0-promised_date": "2026-02-01"})
    )
    assert response.status_code == 400
    assert response.context["lines"].errors[0]["promised_date"]
    assert PurchaseOrder.objects.count() == 3


def test_the_buyers_form_asks_to_confirm_a_spot_buy(world, client_for, buyer):
    client = client_for(buyer)
    response = client.post("/orders/new/", _form(**{"lines-0-part": "P-3"}))
    assert response.status_code == 400
    assert "not an approved source of P-3" in response.context["form"].errors["confirm_spot_buy"][0]
    assert PurchaseOrder.objects.count() == 3
    response = client.post(
        "/orders/new/", _form(**{"lines-0-part": "P-3", "confirm_spot_buy": "on"})
    )
    assert response.status_code == 302
    order = PurchaseOrder.objects.get(number="DS-20260301-0001")
    assert order.lines.get().is_spot_buy
    page = client.get(f"/orders/{order.number}/").content.decode()
    assert "Spot buy: 1 line orders a part that has no approved source at ACME" in page


def test_an_erp_spot_buy_is_accepted_and_flagged(world, api_for, buyer, contact_a):
    order = _order(line={"part": "P-3"})
    order["lines"].append(
        {
            "line": 2,
            "part": "P-1",
            "quantity": "5",
            "unit_price": "9",
            "requested_date": "2026-04-01",
        }
    )
    response = api_for(buyer).post("/api/v1/purchase-orders/", order, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["spot_buy_lines"] == 1
    assert [line["spot_buy"] for line in body["lines"]] == [True, False]


def test_acknowledged_at_is_not_in_the_future_nor_before_the_order(world, api_for, contact_a):
    api = api_for(contact_a)
    url = "/api/v1/purchase-orders/PO-A1/lines/1/acknowledge/"
    with time_machine.travel(dt.datetime(2026, 2, 1, 12, tzinfo=dt.UTC), tick=False):
        future = api.post(
            url, {"promised_date": "2026-02-10", "acknowledged_at": "2026-02-02"}, format="json"
        )
        early = api.post(
            url, {"promised_date": "2026-02-10", "acknowledged_at": "2026-01-04"}, format="json"
        )
        before_order = api.post(url, {"promised_date": "2026-01-04"}, format="json")
        good = api.post(
            url,
            {"promised_date": "2026-02-10", "acknowledged_at": "2026-01-06T08:30:00Z"},
            format="json",
        )
    assert future.status_code == 400 and "future" in future.json()["acknowledged_at"][0]
    assert early.status_code == 400 and "2026-01-05" in early.json()["acknowledged_at"][0]
    assert before_order.status_code == 400 and before_order.json()["promised_date"]
    assert good.status_code == 200, good.content
    line = PurchaseOrderLine.objects.get(purchase_order__number="PO-A1", line_number=1)
    assert line.acknowledged_at == dt.datetime(2026, 1, 6, 8, 30, tzinfo=dt.UTC)
    assert line.promised_date == dt.date(2026, 2, 10)


def test_split_orders_are_numbered_without_gaps(world):
    # P-1 is 60 % ACME, 40 % BOLT: one order each, numbered 0001 and 0002.
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC), tick=False):
        _, first = demand_split_order(
            part=world["parts"][0], quantity=Decimal("100"), need_date=dt.date(2026, 4, 1)
        )
        _, second = demand_split_order(
            part=world["parts"][0], quantity=Decimal("100"), need_date=dt.date(2026, 4, 1)
        )
    numbers = [po.number for po in first + second]
    assert numbers == [f"DS-20260302-000{n}" for n in (1, 2, 3, 4)]


def test_a_rolled_back_order_gives_its_number_back(world):
    day = dt.date(2026, 3, 5)
    with pytest.raises(RuntimeError), transaction.atomic():
        assert order_number_next(day=day) == "DS-20260305-0001"
        raise RuntimeError("the order failed")
    assert order_number_next(day=day) == "DS-20260305-0001"
