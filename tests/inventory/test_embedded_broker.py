"""`make run`'s embedded broker: amqtt starts, and the ingest receives readings through it."""

import asyncio
import json
import socket
import threading
import time
from decimal import Decimal

import paho.mqtt.client as mqtt
import pytest
from django.core.management import call_command
from django.utils import timezone

from inventory.models import InventoryPosition
from tests.factories import PartFactory, SiteFactory
from tests.inventory.mqtt_helpers import Publisher, ingest_client, run_until, unique

pytestmark = pytest.mark.django_db


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def embedded_broker(monkeypatch):
    """The management command's broker, run in a thread until the test ends."""
    port = free_port()
    loop = asyncio.new_event_loop()
    stopped = threading.Event()

    def run_forever(coro):
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(coro)
        except Exception:  # noqa: BLE001 - cancelled at teardown
            pass
        finally:
            stopped.set()

    # `asyncio.run` inside the command: run it on our loop instead, so teardown can stop it.
    monkeypatch.setattr("asyncio.run", lambda coro: run_forever(coro))
    thread = threading.Thread(
        target=call_command, args=("mqtt_broker", "--port", str(port)), daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        pytest.fail("the embedded broker did not start")
    yield f"mqtt://127.0.0.1:{port}"
    for task in asyncio.all_tasks(loop):
        loop.call_soon_threadsafe(task.cancel)
    stopped.wait(5)


def test_the_ingest_receives_readings_through_the_embedded_broker(embedded_broker, monkeypatch):
    monkeypatch.setattr("core.tasks.task_queue", lambda name, *args: None)
    PartFactory(number="P-EMB")
    SiteFactory(code="HAM")
    prefix = unique("test/stock")
    client = ingest_client(prefix, unique("ingest"), url=embedded_broker, protocol="3.1.1")
    publisher = Publisher(embedded_broker, protocol=mqtt.MQTTv311)
    try:
        at = timezone.now().replace(microsecond=0).isoformat()
        publisher.send(f"{prefix}/HAM/P-EMB", json.dumps({"on_hand": 42, "read_at": at}))
        run_until(client, stored=1)
    finally:
        publisher.close()
        client.close()
    reading = InventoryPosition.objects.get(part__number="P-EMB")
    assert (reading.on_hand, reading.site.code, reading.source) == (Decimal("42"), "HAM", "iot")
