"""What starts a scan: postings (receipts, acknowledgements, ship notices, transit events)
queue the engine pipeline (whose third step is the scan) by name on commit; a broker that
is down never fails the posting, which stays saved for the scheduled run to catch up."""

import datetime as dt
from unittest import mock

import pytest
from kombu.exceptions import OperationalError as BrokerDown

from alerts.kinds import Kind
from alerts.models import Alert
from alerts.services import alerts_scan
from purchasing.models import Receipt, ShipNotice
from tests.alerts.conftest import NOW, TODAY
from tests.factories import PurchaseOrderLineFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def late_line(clock, owned):
    line = PurchaseOrderLineFactory(
        purchase_order__number="PO-LATE",
        purchase_order__supplier=owned[0],
        purchase_order__order_date=TODAY - dt.timedelta(days=40),
        line_number=1,
        requested_date=TODAY - dt.timedelta(days=3),
        acknowledged_at=NOW,
    )
    alerts_scan()
    return line


def receipt_body(**overrides):
    return {
        "number": "GR-LATE-1",
        "purchase_order": "PO-LATE",
        "line": 1,
        "receipt_date": TODAY.isoformat(),
        "quantity": "100",
        **overrides,
    }


@pytest.fixture
def queued(monkeypatch):
    """Tasks queued by name, instead of a broker."""
    calls = []
    monkeypatch.setattr("core.tasks.task_queue", lambda name, *args: calls.append((name, args)))
    return calls


def test_a_posted_receipt_queues_a_scan_that_resolves_the_past_due_alert(
    late_line, buyer, api_for, django_capture_on_commit_callbacks, eager
):
    [alert] = Alert.objects.filter(kind=Kind.LINE_PAST_DUE)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(buyer).post("/api/v1/receipts/", receipt_body(), format="json")
    assert response.status_code == 201, response.content
    alert.refresh_from_db()
    assert alert.state == Alert.State.RESOLVED and alert.resolved_by is None


def test_postings_queue_the_scan_by_name_after_commit(
    late_line, buyer, contact_a, api_for, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        api_for(buyer).post("/api/v1/receipts/", receipt_body(quantity="10"), format="json")
    scans = [args for name, args in queued if name == "engine.run"]
    assert len(scans) == 1
    assert dt.datetime.fromisoformat(scans[0][1]) == NOW  # taken after the commit

    queued.clear()
    asn = {
        "number": "ASN-9",
        "ship_date": TODAY.isoformat(),
        "eta": (TODAY + dt.timedelta(days=2)).isoformat(),
        "lines": [{"purchase_order": "PO-LATE", "line": 1, "quantity": "90"}],
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(contact_a).post("/api/v1/ship-notices/", asn, format="json")
    assert response.status_code == 201, response.content
    # The shipped line's late risk is re-scored too (docs/prediction.md).
    assert [name for name, _ in queued] == ["engine.run", "prediction.score_lines"]
    assert queued[1][1] == ([late_line.pk],)


def test_a_rolled_back_posting_queues_nothing(late_line, queued):
    from django.db import transaction

    from purchasing.services import alert_scan_request

    with pytest.raises(RuntimeError), transaction.atomic():
        alert_scan_request()
        raise RuntimeError
    assert queued == []


def test_with_the_broker_down_a_posting_still_saves_and_answers_201(
    late_line, buyer, api_for, django_capture_on_commit_callbacks, caplog
):
    down = BrokerDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    with (
        mock.patch("celery.app.task.Task.apply_async", side_effect=down),
        mock.patch("celery.app.base.Celery.send_task", side_effect=down),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = api_for(buyer).post("/api/v1/receipts/", receipt_body(), format="json")
    assert response.status_code == 201, response.content
    assert Receipt.objects.filter(number="GR-LATE-1").exists()
    assert "Could not queue engine.run" in caplog.text
    # The scheduled scan catches up once the broker is back.
    alerts_scan()
    assert not Alert.objects.filter(kind=Kind.LINE_PAST_DUE, state="open").exists()


def test_with_the_broker_down_a_page_still_serves(late_line, buyer, client_for):
    with mock.patch("celery.app.task.Task.apply_async", side_effect=BrokerDown("down")):
        assert client_for(buyer).get("/alerts/").status_code == 200


def test_each_kpi_refresh_is_followed_by_the_rules_and_a_scan(clock, supplier_a):
    from engine.pipeline import pipeline_run
    from purchasing.services import kpi_inputs_changed

    kpi_inputs_changed(supplier_ids=[supplier_a.pk])
    run = pipeline_run()
    assert run.summary["refresh scorecards"]["supplier_count"] == 1
    assert run.summary["evaluate rules"] is not None
    assert run.summary["scan alerts"]["skipped"] is False


def test_a_transit_event_queues_a_scan(
    clock, supplier_a, queued, django_capture_on_commit_callbacks
):
    from purchasing.services import transit_event_record

    notice = ShipNotice.objects.create(
        supplier=supplier_a, number="ASN-1", ship_date=TODAY, eta=TODAY + dt.timedelta(days=3)
    )
    with django_capture_on_commit_callbacks(execute=True):
        transit_event_record(ship_notice=notice, occurred_at=NOW, location="Hamburg")
    assert [name for name, _ in queued] == ["engine.run"]


def test_the_scan_task_skips_a_request_older_than_the_last_scan(late_line, clock):
    from alerts.tasks import alerts_scan_task

    old = (NOW - dt.timedelta(seconds=5)).isoformat()
    assert alerts_scan_task.run(old)["skipped"] is True
    clock.shift(dt.timedelta(seconds=5))
    assert alerts_scan_task.run((NOW + dt.timedelta(seconds=5)).isoformat())["skipped"] is False


def test_a_stock_reading_posted_through_the_api_queues_a_scan(
    clock, buyer, api_for, queued, django_capture_on_commit_callbacks
):
    from tests.factories import PartFactory, SiteFactory

    PartFactory(number="P-STOCK")
    SiteFactory(code="PLANT-1")
    reading = {
        "part": "P-STOCK",
        "site": "PLANT-1",
        "on_hand": "3",
        "safety_stock": "10",
        "reorder_point": "20",
        "read_at": NOW.isoformat(),
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(buyer).post("/api/v1/inventory-positions/", [reading], format="json")
    assert response.status_code == 201, response.content
    assert [name for name, _ in queued] == ["engine.run"]
