"""python manage.py stock_simulator: a few bin sensors publishing stock over MQTT, so the
demo's stock moves on screen. Each sensor's part is used up a little at every reading and
refilled to twice its reorder point when it runs low."""

import json
import random
import signal
import threading
import time
from decimal import Decimal

import paho.mqtt.client as mqtt
from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from inventory.mqtt import broker_from_url
from inventory.selectors import latest_readings


class Command(BaseCommand):
    help = "Publish simulated bin-sensor readings for a few demo parts (MQTT_URL)."

    def add_arguments(self, parser):
        parser.add_argument("--sensors", type=int, default=6)
        parser.add_argument("--every", type=float, default=5.0, help="Seconds between rounds.")
        parser.add_argument("--rounds", type=int, default=0, help="0: until stopped.")
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, **options):
        bins = list(
            latest_readings()
            .filter(reorder_point__gt=0)
            .order_by("part__number", "site__code")
            .values_list("part__number", "site__code", "on_hand", "reorder_point")[
                : options["sensors"]
            ]
        )
        if not bins:
            self.stdout.write("No stock readings to simulate (run seed_demo first).")
            return
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        broker = broker_from_url(settings.MQTT_URL)
        client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id="dualsource-simulator",
            protocol=mqtt.MQTTv5 if settings.MQTT_PROTOCOL == "5" else mqtt.MQTTv311,
        )
        client.reconnect_delay_set(min_delay=1, max_delay=30)
        client.connect_async(broker.host, broker.port)
        client.loop_start()
        rng = random.Random(options["seed"])
        levels = {(part, site): on_hand for part, site, on_hand, _ in bins}
        rounds = 0
        self.stdout.write(f"Simulating {len(bins)} bin sensors on {settings.MQTT_URL}")
        while not stop.is_set():
            for index, (part, site, _, reorder) in enumerate(bins):
                level = levels[(part, site)]
                use = (reorder * Decimal(rng.uniform(0.02, 0.12))).quantize(Decimal("1"))
                level = max(level - use, Decimal(0))
                if level < reorder * Decimal("0.3") and rng.random() < 0.3:
                    level = reorder * 2  # a delivery was put away
                levels[(part, site)] = level
                payload = {
                    "on_hand": float(level),
                    "read_at": timezone.now().isoformat(),
                    "sensor": f"bin-{index + 1}",
                }
                client.publish(
                    f"{settings.MQTT_TOPIC_PREFIX}/{site}/{part}", json.dumps(payload), qos=1
                )
            rounds += 1
            if options["rounds"] and rounds >= options["rounds"]:
                break
            stop.wait(options["every"])
        time.sleep(0.5)
        client.disconnect()
        client.loop_stop()
