"""Buyers approve or reject exceptions; a hold stops new orders through every path."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from imports.services import import_file_run
from parts.models import SourceChange
from purchasing.models import PurchaseOrder
from purchasing.services import purchase_order_create, purchase_order_line_build
from rules.models import AllocationChange, AllocationException
from rules.services import (
    demand_split_order,
    exception_approve,
    exception_reject,
    exceptions_decide,
    exceptions_refresh,
    rules_evaluate,
)
from suppliers.services import supplier_change_status
from tests.factories import ApprovedSourceFactory
from tests.rules.conftest import AS_OF

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 3, 20, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


def _hold(engine):
    engine.rule(action="hold", metric="defect_ppm", comparator="gt", threshold=Decimal("5000"))
    engine.card(engine.a, defect_ppm=12000.0)
    rules_evaluate(as_of=AS_OF)
    return AllocationException.objects.get(kind="hold")


def _order(supplier, part, number="PO-NEW"):
    return purchase_order_create(
        number=number,
        supplier=supplier,
        order_date=dt.date(2026, 3, 20),
        currency="EUR",
        lines=[
            purchase_order_line_build(
                line_number=1, part=part, quantity=Decimal("5"), unit_price=Decimal("1"),
                requested_date=dt.date(2026, 4, 1),
            )
        ],
    )  # fmt: skip


def test_approving_a_bound_break_applies_the_largest_shift_the_bounds_allow(engine, buyer):
    # ACME 80 % (bounds 20–90), BOLT 20 % (10–80); the rule wants 65 points moved.
    engine.rule(amount=Decimal("65"))
    engine.card(engine.a, otd_pct=82.0)
    rules_evaluate(as_of=AS_OF)
    exception = AllocationException.objects.get()
    decided = exception_approve(exception=exception, user=buyer, comment="BOLT can take it")
    assert (decided.state, decided.decided_by, decided.comment) == (
        "approved", buyer, "BOLT can take it",
    )  # fmt: skip
    assert decided.decided_at is not None
    # 60 points: ACME down to its minimum 20, BOLT up to its maximum 80; bounds kept.
    assert engine.shares() == (Decimal("20.00"), Decimal("80.00"))
    engine.source_a.refresh_from_db()
    engine.source_b.refresh_from_db()
    assert engine.source_a.min_share_pct == Decimal("20")
    assert engine.source_b.max_share_pct == Decimal("80")
    change = AllocationChange.objects.get()
    assert change.actor == buyer and change.actor_name == "buyer"
    assert "BOLT can take it" in change.reason and "largest shift" in change.reason
    with pytest.raises(ValidationError):
        exception_reject(exception=decided, user=buyer)


def test_the_buyer_may_widen_the_bounds_and_it_is_audited(engine, buyer):
    engine.rule(amount=Decimal("65"))
    engine.card(engine.a, otd_pct=82.0)
    rules_evaluate(as_of=AS_OF)
    exception_approve(exception=AllocationException.objects.get(), user=buyer, widen_bounds=True)
    assert engine.shares() == (Decimal("15.00"), Decimal("85.00"))
    engine.source_a.refresh_from_db()
    engine.source_b.refresh_from_db()
    assert engine.source_a.min_share_pct == Decimal("15.00")
    assert engine.source_b.max_share_pct == Decimal("85.00")
    audit = {c.supplier_code: c for c in SourceChange.objects.filter(part_number="P-100")}
    assert audit["ACME"].before["min_share_pct"] == "20.00"
    assert audit["ACME"].after["min_share_pct"] == "15.00"
    assert audit["BOLT"].after["max_share_pct"] == "85.00" and audit["BOLT"].actor == buyer


def test_rejecting_changes_nothing_but_is_recorded(engine, buyer):
    engine.rule(amount=Decimal("65"))
    engine.card(engine.a, otd_pct=82.0)
    rules_evaluate(as_of=AS_OF)
    decided = exception_reject(
        exception=AllocationException.objects.get(), user=buyer, comment="wait for Q2 data"
    )
    assert (decided.state, decided.decided_by, decided.comment) == (
        "rejected", buyer, "wait for Q2 data",
    )  # fmt: skip
    assert engine.shares() == (Decimal("80"), Decimal("20"))
    assert not AllocationChange.objects.exists()


def _move_shares(engine, a, b):
    engine.source_a.min_share_pct = min(engine.source_a.min_share_pct, Decimal(a))
    engine.source_b.max_share_pct = max(engine.source_b.max_share_pct, Decimal(b))
    engine.source_a.target_share_pct = Decimal(a)
    engine.source_b.target_share_pct = Decimal(b)
    engine.source_a.save()
    engine.source_b.save()


def test_a_stale_proposal_is_re_proposed_from_the_live_shares(engine, buyer):
    engine.rule(amount=Decimal("65"))
    engine.card(engine.a, otd_pct=82.0)
    rules_evaluate(as_of=AS_OF)
    _move_shares(engine, "60", "40")  # a buyer edited the shares meanwhile
    assert exceptions_refresh() == {"reproposed": 1, "superseded": 0}
    exception = AllocationException.objects.get()
    # The same 65-point move from 60/40 can give at most 60: 0/100 before the bounds.
    assert exception.proposed_shares == {"ACME": "0.00", "BOLT": "100.00"}
    assert exception.evidence["shares_before"] == {"ACME": "60.00", "BOLT": "40.00"}
    exception_approve(exception=exception, user=buyer)
    assert engine.shares() == (Decimal("20.00"), Decimal("80.00"))


def test_only_the_proposals_whose_part_moved_are_re_proposed(engine, buyer):
    other = ApprovedSourceFactory(
        supplier=engine.a, target_share_pct=Decimal("80"), min_share_pct=Decimal("20"),
        max_share_pct=Decimal("90"),
    )  # fmt: skip
    ApprovedSourceFactory(part=other.part, supplier=engine.b, target_share_pct=Decimal("20"))
    engine.rule(amount=Decimal("65"))  # a bound break on both parts
    engine.card(engine.a, otd_pct=82.0)
    rules_evaluate(as_of=AS_OF)
    untouched = AllocationException.objects.get(part=other.part)

    _move_shares(engine, "60", "40")
    assert exceptions_refresh() == {"reproposed": 1, "superseded": 0}

    assert AllocationException.objects.get(part=engine.part).evidence["shares_before"] == {
        "ACME": "60.00", "BOLT": "40.00",
    }  # fmt: skip
    still = AllocationException.objects.get(part=other.part)
    assert (still.proposed_shares, still.evidence) == (
        untouched.proposed_shares,
        untouched.evidence,
    )
    assert exceptions_refresh() == {"reproposed": 0, "superseded": 0}


def test_a_proposal_with_nothing_left_to_move_is_superseded_by_the_engine(engine, buyer):
    engine.rule(amount=Decimal("65"))
    engine.card(engine.a, otd_pct=82.0)
    rules_evaluate(as_of=AS_OF)
    _move_shares(engine, "0", "100")
    rules_evaluate(as_of=AS_OF)  # the engine closes it on its next pass
    exception = AllocationException.objects.get()
    assert exception.state == "superseded" and "moved" in exception.comment
    assert not AllocationException.objects.filter(state="open").exists()


def test_bounds_that_allow_no_shift_ask_for_widening(engine, buyer):
    engine.rule(amount=Decimal("65"))
    engine.card(engine.a, otd_pct=82.0)
    rules_evaluate(as_of=AS_OF)
    engine.source_a.min_share_pct = Decimal("80")
    engine.source_a.save()
    with pytest.raises(ValidationError) as error:
        exception_approve(exception=AllocationException.objects.get(), user=buyer)
    assert "widen the bounds" in error.value.messages[0]
    assert AllocationException.objects.get().state == "open"


def test_many_exceptions_are_decided_with_one_click(engine, buyer, supplier_b):
    from tests.factories import ApprovedSourceFactory, PartFactory

    engine.rule(amount=Decimal("65"), part=None)
    other = PartFactory(number="P-200")
    ApprovedSourceFactory(part=other, supplier=engine.a, target_share_pct=Decimal("50"),
                          min_share_pct=Decimal("40"), max_share_pct=Decimal("100"))  # fmt: skip
    ApprovedSourceFactory(part=other, supplier=supplier_b, target_share_pct=Decimal("50"),
                          min_share_pct=Decimal("0"), max_share_pct=Decimal("60"))  # fmt: skip
    engine.card(engine.a, otd_pct=82.0)
    rules_evaluate(as_of=AS_OF)
    ids = list(AllocationException.objects.values_list("pk", flat=True))
    assert len(ids) == 2
    decided, problems = exceptions_decide(exception_ids=ids, approve=True, user=buyer)
    assert problems == [] and [e.state for e in decided] == ["approved", "approved"]
    assert engine.shares() == (Decimal("20.00"), Decimal("80.00"))
    shares = dict(other.sources.values_list("supplier__code", "target_share_pct"))
    assert shares == {"ACME": Decimal("40.00"), "BOLT": Decimal("60.00")}
    again, problems = exceptions_decide(exception_ids=ids, approve=False, user=buyer)
    assert again == [] and len(problems) == 2 and "already approved" in problems[0]


def test_an_approved_hold_blocks_new_orders_everywhere_until_lifted(
    engine, buyer, api_for, client_for
):
    exception = _hold(engine)
    _order(engine.a, engine.part, "PO-BEFORE")  # still approved until a buyer decides
    exception_approve(exception=exception, user=buyer)
    engine.a.refresh_from_db()
    assert engine.a.status == "on_hold"

    with pytest.raises(ValidationError) as error:
        _order(engine.a, engine.part)
    assert "supplier" in error.value.message_dict

    response = api_for(buyer).post(
        "/api/v1/purchase-orders/",
        {
            "number": "PO-API", "supplier": "ACME", "order_date": "2026-03-20", "currency": "EUR",
            "lines": [{"line": 1, "part": "P-100", "quantity": "5", "unit_price": "1",
                       "requested_date": "2026-04-01"}],
        },
        format="json",
    )  # fmt: skip
    assert response.status_code == 400 and "supplier" in response.json()

    header = (
        "number,supplier,order_date,currency,line,part,quantity,unit_price,"
        "requested_date,promised_date"
    )
    content = f"{header}\nPO-FILE,ACME,2026-03-20,EUR,1,P-100,5,1,2026-04-01,\n".encode()
    result = import_file_run(kind="purchase_orders", content=content, filename="po.csv", user=buyer)
    assert not result.ok and any(e.column == "supplier" for e in result.errors)

    # The split-and-order page path skips the held source instead of ordering from it.
    _, orders = demand_split_order(part=engine.part, quantity=10, need_date=dt.date(2026, 4, 1))
    assert [po.supplier.code for po in orders] == ["BOLT"]

    assert not PurchaseOrder.objects.filter(number__in=["PO-NEW", "PO-API", "PO-FILE"]).exists()
    supplier_change_status(supplier=engine.a, status="approved")
    assert _order(engine.a, engine.part).supplier == engine.a


def test_a_rejected_hold_leaves_the_supplier_approved(engine, buyer):
    exception_reject(exception=_hold(engine), user=buyer)
    engine.a.refresh_from_db()
    assert engine.a.status == "approved"
    assert _order(engine.a, engine.part).supplier == engine.a
