"""Stock readings over MQTT, through a real broker: valid, invalid of each kind, repeated,
out of order, and an ingest restarted while readings were published (docs/inventory.md)."""

import datetime as dt
import json
import time
from decimal import Decimal

import pytest
from django.utils import timezone

from inventory.ingest import Invalid, Message, reading_parse
from inventory.models import InventoryPosition, InventoryReject
from inventory.selectors import inventory_positions
from tests.factories import InventoryPositionFactory, PartFactory, SiteFactory
from tests.inventory.mqtt_helpers import (
    Publisher,
    ingest_client,
    require_broker,
    run_until,
    unique,
)

PREFIX = "dualsource/stock"


def message(payload, topic=f"{PREFIX}/HAM/P-1", received_at=None) -> Message:
    if not isinstance(payload, bytes):
        payload = (payload if isinstance(payload, str) else json.dumps(payload)).encode()
    return Message(topic, payload, received_at or timezone.now())


@pytest.mark.parametrize(
    ("payload", "topic", "reason"),
    [
        (b"{not json", None, "not JSON"),
        (b"\xff\xfe", None, "not JSON"),
        ([1, 2], None, "not a JSON object"),
        ({"on_hand": -1}, None, "on_hand is negative"),
        ({"on_hand": "many"}, None, "on_hand is not a number"),
        ({"on_hand": True}, None, "on_hand is not a number"),
        ({"on_hand": "NaN"}, None, "on_hand is not a number"),
        ({}, None, "on_hand is missing"),
        ({"on_hand": 1, "reorder_point": -5}, None, "reorder_point is negative"),
        ({"on_hand": 1, "read_at": "yesterday"}, None, "read_at is not"),
        ({"on_hand": 1}, "other/HAM/P-1", "not under"),
        ({"on_hand": 1}, f"{PREFIX}/HAM", "must be"),
    ],
)
def test_invalid_messages_say_why(payload, topic, reason):
    with pytest.raises(Invalid, match=reason):
        reading_parse(message(payload, topic or f"{PREFIX}/HAM/P-1"), prefix=PREFIX)


def test_a_reading_more_than_five_minutes_ahead_is_refused():
    now = dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.UTC)
    ahead = {"on_hand": 1, "read_at": "2026-12-07T08:05:01Z"}
    with pytest.raises(Invalid, match="future"):
        reading_parse(message(ahead, received_at=now), prefix=PREFIX)
    almost = {"on_hand": 1, "read_at": "2026-12-07T08:04:59Z"}
    assert reading_parse(message(almost, received_at=now), prefix=PREFIX).read_at.minute == 4


def test_read_at_defaults_to_arrival_and_sensor_is_optional():
    now = dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.UTC)
    reading = reading_parse(message({"on_hand": "12.5"}, received_at=now), prefix=PREFIX)
    assert (reading.on_hand, reading.read_at, reading.sensor) == (Decimal("12.500"), now, "")
    assert (reading.site, reading.part) == ("HAM", "P-1")


@pytest.fixture
def broker():
    require_broker()


@pytest.fixture
def stock(db):
    part, site = PartFactory(number="P-1"), SiteFactory(code="HAM")
    InventoryPositionFactory(
        part=part,
        site=site,
        on_hand=100,
        safety_stock=10,
        reorder_point=40,
        read_at=timezone.now() - dt.timedelta(days=1),
    )
    return part, site


@pytest.fixture
def scans(monkeypatch):
    calls = []
    monkeypatch.setattr("core.tasks.task_queue", lambda name, *args: calls.append(name))
    return calls


@pytest.fixture
def mqtt_world(broker, stock, scans):
    prefix = unique("test/stock")
    client = ingest_client(prefix, unique("ingest"))
    publisher = Publisher()
    yield prefix, client, publisher
    publisher.close()
    client.close()


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def test_valid_readings_are_stored_with_the_current_thresholds_and_request_a_scan(
    mqtt_world, scans
):
    prefix, client, publisher = mqtt_world
    at = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=1)
    publisher.send(
        f"{prefix}/HAM/P-1", json.dumps({"on_hand": 25, "read_at": iso(at), "sensor": "bin-17"})
    )
    publisher.send(
        f"{prefix}/HAM/P-1",
        json.dumps(
            {
                "on_hand": 24,
                "reorder_point": 30,
                "read_at": iso(at + dt.timedelta(seconds=30)),
                "sensor": "bin-17",
            }
        ),
    )
    run_until(client, stored=2)
    readings = list(
        InventoryPosition.objects.filter(source="iot")
        .order_by("read_at")
        .values_list("on_hand", "safety_stock", "reorder_point", "sensor", "read_at")
    )
    assert readings == [
        (Decimal("25"), Decimal("10"), Decimal("40"), "bin-17", at),
        (Decimal("24"), Decimal("10"), Decimal("30"), "bin-17", at + dt.timedelta(seconds=30)),
    ]
    assert "engine.run" in scans
    [position] = inventory_positions()
    assert position.on_hand == Decimal("24") and position.source == "iot"


def test_invalid_messages_go_to_the_dead_letter_list_only(mqtt_world):
    prefix, client, publisher = mqtt_world
    future = iso(timezone.now() + dt.timedelta(minutes=10))
    bad = {
        f"{prefix}/HAM/P-1": [
            b"not json",
            b'{"on_hand": -3}',
            b'{"on_hand": "lots"}',
            json.dumps({"on_hand": 1, "read_at": future}).encode(),
        ],
        f"{prefix}/NOWHERE/P-1": [b'{"on_hand": 1}'],
        f"{prefix}/HAM/P-NONE": [b'{"on_hand": 1}'],
    }
    for topic, payloads in bad.items():
        for payload in payloads:
            publisher.send(topic, payload)
    publisher.send(f"{prefix}/HAM/P-1", b"x" * 5000)
    run_until(client, stored=7)
    reasons = sorted(InventoryReject.objects.values_list("reason", flat=True))
    assert reasons == sorted(
        [
            "The payload is not JSON.",
            "on_hand is negative.",
            "on_hand is not a number.",
            "read_at is more than 5 minutes in the future.",
            "No site NOWHERE.",
            "No part P-NONE.",
            "The payload is not JSON.",
        ]
    )
    assert max(len(p) for p in InventoryReject.objects.values_list("payload", flat=True)) == 2048
    assert not InventoryPosition.objects.filter(source="iot").exists()


def test_a_repeated_message_changes_nothing(mqtt_world):
    prefix, client, publisher = mqtt_world
    body = json.dumps({"on_hand": 7, "read_at": iso(timezone.now()), "sensor": "bin-1"})
    for _ in range(3):
        publisher.send(f"{prefix}/HAM/P-1", body)
    run_until(client, stored=3)
    assert InventoryPosition.objects.filter(source="iot").count() == 1
    assert not InventoryReject.objects.exists()


def test_an_older_reading_arriving_late_does_not_replace_the_newer(mqtt_world):
    prefix, client, publisher = mqtt_world
    now = timezone.now().replace(microsecond=0)
    publisher.send(
        f"{prefix}/HAM/P-1", json.dumps({"on_hand": 60, "read_at": iso(now), "sensor": "s"})
    )
    publisher.send(
        f"{prefix}/HAM/P-1",
        json.dumps({"on_hand": 5, "read_at": iso(now - dt.timedelta(hours=1)), "sensor": "s"}),
    )
    run_until(client, stored=2)
    [position] = inventory_positions()
    assert position.on_hand == Decimal("60")
    assert InventoryPosition.objects.filter(source="iot").count() == 2  # history keeps both


def test_readings_published_while_the_ingest_was_down_arrive_after_a_restart(broker, stock, scans):
    prefix, client_id = unique("test/stock"), unique("ingest")
    first = ingest_client(prefix, client_id)
    first.close()  # the session stays with the broker
    publisher = Publisher()
    now = timezone.now().replace(microsecond=0)
    for minute in range(5):
        at = iso(now - dt.timedelta(minutes=minute))
        publisher.send(
            f"{prefix}/HAM/P-1", json.dumps({"on_hand": 50 + minute, "read_at": at, "sensor": "s"})
        )
    publisher.close()
    second = ingest_client(prefix, client_id)
    try:
        run_until(second, stored=5)
    finally:
        second.close()
    assert InventoryPosition.objects.filter(source="iot").count() == 5
    [position] = inventory_positions()
    assert position.on_hand == Decimal("50")


def test_an_unacknowledged_batch_is_delivered_again(broker, stock, scans, monkeypatch):
    """A crash between receipt and commit loses nothing: the broker sends it again."""
    prefix, client_id = unique("test/stock"), unique("ingest")
    first = ingest_client(prefix, client_id)
    publisher = Publisher()
    publisher.send(
        f"{prefix}/HAM/P-1",
        json.dumps({"on_hand": 9, "read_at": iso(timezone.now()), "sensor": "s"}),
    )
    publisher.close()
    deadline = time.monotonic() + 10
    while first.inbox.empty() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not first.inbox.empty()
    first.close()  # dies before writing or acknowledging
    assert not InventoryPosition.objects.filter(source="iot").exists()
    second = ingest_client(prefix, client_id)
    try:
        run_until(second, stored=1)
    finally:
        second.close()
    assert InventoryPosition.objects.filter(source="iot", on_hand=9).count() == 1
