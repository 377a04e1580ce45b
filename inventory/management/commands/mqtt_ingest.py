"""python manage.py mqtt_ingest: record stock readings published over MQTT."""

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand

from inventory.mqtt import IngestClient, ingest_options


class Command(BaseCommand):
    help = (
        "Subscribe to {MQTT_TOPIC_PREFIX}/<site>/<part> on MQTT_URL (QoS 1, persistent "
        "session) and record the stock readings in batches (docs/inventory.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--url", help="Broker URL (default: MQTT_URL).")
        parser.add_argument("--prefix", help="Topic prefix (default: MQTT_TOPIC_PREFIX).")
        parser.add_argument("--client-id", help="Client id (default: MQTT_CLIENT_ID).")
        parser.add_argument("--protocol", choices=["5", "3.1.1"])
        parser.add_argument(
            "--idle-exit", type=float, help="Stop after this many seconds without a message."
        )

    def handle(self, *args, **options):
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        client = IngestClient(
            ingest_options(
                settings,
                url=options["url"],
                prefix=options["prefix"],
                client_id=options["client_id"],
                protocol=options["protocol"],
            ),
            stop=stop,
        )
        client.start()
        self.stdout.write(f"MQTT ingest: {client.options.url}, {client.options.prefix}/+/+")
        try:
            client.run(idle_exit=options["idle_exit"])
        finally:
            client.close()
        self.stdout.write(f"Stored {client.stored} readings, rejected {client.rejected}.")
