"""A posted receipt → KPI refresh task → rules.evaluate task → share moved (docs/engine.md)."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from purchasing.models import Receipt
from purchasing.services import receipts_create
from rules.models import AllocationChange
from rules.tasks import rules_evaluate_task
from scorecards.models import SupplierScorecard
from tests.factories import PurchaseOrderFactory, PurchaseOrderLineFactory, ReceiptFactory

pytestmark = pytest.mark.django_db


@time_machine.travel(dt.datetime(2026, 3, 20, 9, 0, tzinfo=dt.UTC), tick=False)
def test_a_late_receipt_moves_share_through_the_task_chain(
    engine, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert rules_evaluate_task.name == "rules.evaluate"  # registered, as in a worker
    engine.rule()
    lines = []
    for index in range(6):
        po = PurchaseOrderFactory(supplier=engine.a, order_date=dt.date(2026, 1, 5))
        promised = dt.date(2026, 2, 2) + dt.timedelta(days=index)
        lines.append(
            PurchaseOrderLineFactory(
                purchase_order=po, part=engine.part, quantity=Decimal("10"),
                requested_date=promised, promised_date=promised, expected_date=promised,
            )
        )  # fmt: skip
    for line in lines[:5]:  # received two weeks late, before the last one is posted
        ReceiptFactory(line=line, receipt_date=line.promised_date + dt.timedelta(days=14))
    assert not AllocationChange.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        receipts_create(
            receipts=[
                Receipt(
                    number="GR-LATE",
                    line=lines[5],
                    receipt_date=dt.date(2026, 3, 1),
                    quantity=Decimal("10"),
                    cost_currency="EUR",
                )
            ]
        )

    card = SupplierScorecard.objects.get(supplier=engine.a, period="rolling-90")
    assert card.lines_due == 6 and card.otd_pct == 0
    change = AllocationChange.objects.get()
    assert change.actor is None and change.shares_after == {"ACME": "70.00", "BOLT": "30.00"}
    assert engine.shares() == (Decimal("70.00"), Decimal("30.00"))
