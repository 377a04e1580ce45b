"""A real MQTT broker for the ingest tests: Mosquitto at MQTT_URL (127.0.0.1:1883).

Without a reachable broker the tests skip with the reason, except under CI (the `CI`
environment variable), where they fail: CI starts Mosquitto.
"""

import os
import socket
import threading
import time
import uuid

import paho.mqtt.client as mqtt
import pytest

from inventory.mqtt import IngestClient, Options, broker_from_url

MQTT_URL = os.environ.get("MQTT_URL", "mqtt://127.0.0.1:1883")


def broker_reachable(url: str = MQTT_URL) -> bool:
    broker = broker_from_url(url)
    try:
        with socket.create_connection((broker.host, broker.port), timeout=1):
            return True
    except OSError:
        return False


def require_broker(url: str = MQTT_URL) -> None:
    if broker_reachable(url):
        return
    reason = (
        f"no MQTT broker at {url} (start Mosquitto: mosquitto -d -c /etc/mosquitto/mosquitto.conf)"
    )
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def unique(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:10]}"


class Publisher:
    def __init__(self, url: str = MQTT_URL, protocol=mqtt.MQTTv5):
        broker = broker_from_url(url)
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=unique("test-pub"), protocol=protocol
        )
        self.client.connect(broker.host, broker.port)
        self.client.loop_start()

    def send(self, topic: str, payload: bytes | str) -> None:
        info = self.client.publish(topic, payload, qos=1)
        info.wait_for_publish(timeout=10)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def ingest_client(prefix: str, client_id: str, *, url: str = MQTT_URL, protocol: str = "5"):
    client = IngestClient(
        Options(
            url=url,
            prefix=prefix,
            client_id=client_id,
            protocol=protocol,
            batch_seconds=0.05,
            scan_every_seconds=0.0,
        ),
        stop=threading.Event(),
    )
    client.start()
    assert client.connected.wait(10), "the ingest did not connect"
    time.sleep(0.3)  # the subscription is acknowledged
    return client


def run_until(client: IngestClient, *, stored: int, timeout: float = 15) -> None:
    """Process messages until `stored + rejected` reaches `stored` (or the timeout)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and client.stored + client.rejected < stored:
        client.run(idle_exit=0.3)
