"""A receipt above the ordered quantity beyond the contract's tolerance is accepted and
flagged: a warning row by row in the import's check, and on the line, order and supplier."""

from decimal import Decimal

import pytest

from imports.services import SystemActor, import_file_run
from purchasing.models import PurchaseOrderLine, Receipt
from purchasing.services import receipt_create, receipt_delete

pytestmark = pytest.mark.django_db

HEADER = "number,purchase_order,line,receipt_date,quantity"


def _import(*rows, dry_run=False):
    content = "\n".join([HEADER, *rows]).encode() + b"\n"
    return import_file_run(
        kind="receipts", content=content, filename="gr.csv", user=SystemActor(), dry_run=dry_run
    )


def _line(number="PO-A1", line=2) -> PurchaseOrderLine:
    return PurchaseOrderLine.objects.get(purchase_order__number=number, line_number=line)


def test_the_import_check_warns_row_by_row_and_the_line_is_flagged(world):
    # PO-A1/2: 100 ordered, 20 received; the contract's tolerance is 10 %: up to 110.
    rows = ("GR-300,PO-A1,2,2026-02-12,80", "GR-301,PO-A1,2,2026-02-13,15")
    checked = _import(*rows, dry_run=True)
    assert checked.ok and not Receipt.objects.filter(number="GR-300").exists()
    assert [(w.row, w.column) for w in checked.warnings] == [(3, "quantity")]
    assert "115 received of 100 ordered, above the 10" in checked.warnings[0].message
    done = _import(*rows)
    assert done.ok and done.created == 2 and len(done.warnings) == 1
    assert _line().is_over_delivered
    assert not _line(line=1).is_over_delivered  # exactly what was ordered


def test_the_contracts_tolerance_decides(world):
    contract = world["contracts"][0]
    contract.over_delivery_tolerance_pct = Decimal("20")
    contract.save()
    result = _import("GR-300,PO-A1,2,2026-02-12,95")  # 115 of 100: within 20 %
    assert result.ok and result.warnings == []
    assert not _line().is_over_delivered


def test_the_flag_shows_on_the_order_the_supplier_and_the_api(world, client_for, api_for, buyer):
    receipt = receipt_create(
        number="GR-302", line=_line(), receipt_date=world["receipts"][0].receipt_date, quantity=91
    )
    client = client_for(buyer)
    order_page = client.get("/orders/PO-A1/").content.decode()
    assert "Over-delivered: 1 line received more than ordered" in order_page
    supplier_page = client.get("/suppliers/ACME/").content.decode()
    assert 'id="over-delivered-lines"' in supplier_page
    body = api_for(buyer).get("/api/v1/purchase-orders/PO-A1/").json()
    assert body["over_delivered_lines"] == 1
    assert [line["over_delivered"] for line in body["lines"]] == [False, True]
    receipt_delete(receipt=receipt)  # booked by mistake: the flag goes with it
    assert not _line().is_over_delivered


def test_the_import_page_shows_the_warnings_when_its_job_is_done(world, client_for, buyer):
    from imports.jobs import import_job_create, import_job_run

    content = "\n".join([HEADER, "GR-300,PO-A1,2,2026-02-12,95"]).encode() + b"\n"
    job = import_job_create(kind="receipts", content=content, filename="gr.csv", user=buyer)
    job = import_job_run(job_id=job.pk)
    assert job.state == "succeeded" and job.outcome.endswith("1 flagged for a look.")
    page = client_for(buyer).get(f"/imports/jobs/{job.pk}/").content.decode()
    assert 'id="import-warnings"' in page and "115 received of 100 ordered" in page
