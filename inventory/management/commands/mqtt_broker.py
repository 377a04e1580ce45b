"""python manage.py mqtt_broker: a small embedded MQTT broker (amqtt, pure Python) for
`make run` on a machine without Mosquitto. Production uses Mosquitto (docker-compose)."""

import asyncio
import contextlib
import logging

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run an embedded MQTT broker (MQTT 3.1.1) on 127.0.0.1 for local use."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=1883)
        parser.add_argument("--bind", default="127.0.0.1")

    def handle(self, *args, **options):
        from amqtt.broker import Broker

        for name in ("amqtt", "transitions"):
            logging.getLogger(name).setLevel(logging.WARNING)
        config = {
            "listeners": {
                "default": {"type": "tcp", "bind": f"{options['bind']}:{options['port']}"}
            },
            # Sessions of clients that connect with clean_session=False are kept for a week.
            "session_expiry_interval": 7 * 24 * 3600,
            "plugins": {
                "amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}
            },
        }

        async def serve():
            broker = Broker(config)
            await broker.start()
            self.stdout.write(f"Embedded MQTT broker on {options['bind']}:{options['port']}")
            try:
                await asyncio.Event().wait()
            finally:
                await broker.shutdown()

        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(serve())
