"""The MQTT ingest loop: subscribe, batch, record, acknowledge, request the scan
(docs/inventory.md).

QoS 1 with a persistent session and a fixed client id: the broker keeps what is
published while the ingest is down and delivers it when the ingest is back. A message is
acknowledged only after its batch has committed, so a crash loses nothing (the broker
sends it again; a repeat of a sensor's reading changes nothing). paho reconnects with
backoff when the broker goes away; the batch being written is kept and retried.
"""

import logging
import queue
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as mqtt
from django.db import DatabaseError, close_old_connections
from django.utils import timezone
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from core import task_names
from core.tasks import task_queue_safely
from inventory.ingest import Ingest, Message

logger = logging.getLogger(__name__)

SESSION_EXPIRY_SECONDS = 7 * 24 * 3600
RECEIVE_MAXIMUM = 5000  # unacknowledged messages the broker may send ahead (MQTT 5)


@dataclass(frozen=True)
class Broker:
    host: str
    port: int
    tls: bool
    username: str | None
    password: str | None


def broker_from_url(url: str) -> Broker:
    """mqtt://[user:password@]host[:port] (mqtts:// for TLS)."""
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "mqtts", "tcp", "ssl") or not parts.hostname:
        raise ValueError(f"MQTT_URL must look like mqtt://host:1883, not {url!r}.")
    tls = parts.scheme in ("mqtts", "ssl")
    return Broker(
        host=parts.hostname,
        port=parts.port or (8883 if tls else 1883),
        tls=tls,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


@dataclass
class Options:
    url: str
    prefix: str
    client_id: str
    protocol: str = "5"  # "5" or "3.1.1" (the embedded broker speaks 3.1.1)
    batch_size: int = 2000
    batch_seconds: float = 0.2
    scan_every_seconds: float = 2.0


class IngestClient:
    def __init__(self, options: Options, *, stop: threading.Event | None = None):
        self.options = options
        self.ingest = Ingest(prefix=options.prefix)
        self.inbox: queue.Queue = queue.Queue()
        self.stop = stop or threading.Event()
        self.connected = threading.Event()
        self.generation = 0  # connection count: a message id is only valid on its connection
        self.stored = 0
        self.rejected = 0
        self._scan_due_at: float | None = None
        self._last_scan = 0.0
        self.client = self._client()

    def _client(self) -> mqtt.Client:
        v5 = self.options.protocol == "5"
        client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=self.options.client_id,
            protocol=mqtt.MQTTv5 if v5 else mqtt.MQTTv311,
            clean_session=None if v5 else False,
            manual_ack=True,
        )
        broker = broker_from_url(self.options.url)
        if broker.username:
            client.username_pw_set(broker.username, broker.password)
        if broker.tls:
            client.tls_set(cert_reqs=ssl.CERT_REQUIRED)
        client.reconnect_delay_set(min_delay=1, max_delay=30)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        self.broker = broker
        return client

    def _connect_properties(self):
        if self.options.protocol != "5":
            return None
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = SESSION_EXPIRY_SECONDS
        properties.ReceiveMaximum = RECEIVE_MAXIMUM
        return properties

    def _on_connect(self, client, userdata, flags, reason_code, properties):
        if reason_code.is_failure:
            logger.warning("MQTT broker refused the connection: %s", reason_code)
            return
        self.generation += 1
        client.subscribe(f"{self.options.prefix.rstrip('/')}/+/+", qos=1)
        self.connected.set()
        logger.info(
            "MQTT ingest connected to %s:%s (session %s)",
            self.broker.host,
            self.broker.port,
            "resumed" if flags.session_present else "new",
        )

    def _on_disconnect(self, client, userdata, flags, reason_code, properties):
        self.connected.clear()
        if not self.stop.is_set():
            logger.warning("MQTT broker went away (%s); reconnecting with backoff", reason_code)

    def _on_message(self, client, userdata, message):
        received = Message(message.topic, bytes(message.payload), timezone.now())
        self.inbox.put((self.generation, message.mid, message.qos, received))

    def start(self) -> None:
        self.client.connect_async(
            self.broker.host,
            self.broker.port,
            keepalive=30,
            clean_start=False if self.options.protocol == "5" else mqtt.MQTT_CLEAN_START_FIRST_ONLY,
            properties=self._connect_properties(),
        )
        self.client.loop_start()

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    def _take_batch(self, wait: float) -> list:
        batch = []
        deadline = time.monotonic() + self.options.batch_seconds
        try:
            batch.append(self.inbox.get(timeout=wait))
        except queue.Empty:
            return batch
        while len(batch) < self.options.batch_size:
            left = deadline - time.monotonic()
            try:
                batch.append(
                    self.inbox.get(timeout=max(left, 0)) if left > 0 else self.inbox.get_nowait()
                )
            except queue.Empty:
                break
        return batch

    def _record(self, batch: list) -> None:
        """Write the batch, retrying a database error with backoff; then acknowledge."""
        delay = 0.5
        while True:
            try:
                offered, dead = self.ingest.record([m for *_, m in batch])
                break
            except DatabaseError:
                logger.warning(
                    "Could not write %d stock readings; retrying", len(batch), exc_info=True
                )
                close_old_connections()
                if self.stop.wait(delay):
                    return  # not acknowledged: the broker sends them again
                delay = min(delay * 2, 30)
        self.stored += offered
        self.rejected += len(dead)
        for generation, mid, qos, _ in batch:
            if qos and generation == self.generation:
                self.client.ack(mid, qos)
        if offered:
            self._scan_due_at = self._scan_due_at or time.monotonic()

    def _request_scan(self) -> None:
        """At most one scan request per `scan_every_seconds`, and one after the last batch."""
        now = time.monotonic()
        if self._scan_due_at is None or now - self._last_scan < self.options.scan_every_seconds:
            return
        # The engine pipeline: nothing to refresh, its alert scan sees the new stock.
        task_queue_safely(task_names.PIPELINE, None, timezone.now().isoformat())
        self._last_scan, self._scan_due_at = now, None

    def run(self, *, idle_exit: float | None = None) -> None:
        """Process messages until `stop` is set (or nothing arrived for `idle_exit` s)."""
        idle_since = time.monotonic()
        while not self.stop.is_set():
            batch = self._take_batch(wait=0.2)
            if batch:
                self._record(batch)
                idle_since = time.monotonic()
            self._request_scan()
            if idle_exit is not None and time.monotonic() - idle_since > idle_exit:
                break
        remaining = []
        while not self.inbox.empty():
            remaining.append(self.inbox.get_nowait())
        if remaining:
            self._record(remaining)
        if self._scan_due_at is not None:
            self._last_scan = 0.0
            self._request_scan()


def ingest_options(settings, **overrides) -> Options:
    values = {
        "url": settings.MQTT_URL,
        "prefix": settings.MQTT_TOPIC_PREFIX,
        "client_id": settings.MQTT_CLIENT_ID,
        "protocol": settings.MQTT_PROTOCOL,
    }
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Options(**values)


def wait_connected(client: IngestClient, timeout: float = 10) -> bool:
    return client.connected.wait(timeout)
