"""Stock readings from MQTT messages, in batches (docs/inventory.md).

Topic `{prefix}/{site}/{part}`, payload `{"on_hand": 120, "read_at": "…", "sensor": "bin-17"}`
with optional `safety_stock` and `reorder_point` (else the part × site's current ones) and
`read_at` (else the arrival time). A message that is not valid goes to the dead-letter
list (`InventoryReject`) and nowhere else; a repeated message (same sensor and read_at)
changes nothing. One batch costs a handful of queries, whatever its size.
"""

import datetime as dt
import json
import logging
import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from inventory.models import InventoryPosition, InventoryReject
from inventory.selectors import latest_readings
from inventory.services import inventory_reject_build, inventory_sensor_readings_record
from parts.models import Part
from sites.models import Site

logger = logging.getLogger(__name__)

FUTURE_TOLERANCE = dt.timedelta(minutes=5)
MAX_QUANTITY = Decimal("99999999999.999")  # what the column holds (14 digits, 3 decimals)
QUANTITIES = ("on_hand", "safety_stock", "reorder_point")


class Invalid(ValueError):
    """Why a message cannot be recorded (the dead-letter reason)."""


@dataclass(frozen=True, slots=True)
class Message:
    topic: str
    payload: bytes
    received_at: dt.datetime


@dataclass(slots=True)
class Reading:
    site: str
    part: str
    on_hand: Decimal
    read_at: dt.datetime
    sensor: str
    safety_stock: Decimal | None
    reorder_point: Decimal | None


def topic_codes(topic: str, prefix: str) -> tuple[str, str]:
    """(site code, part number) from `{prefix}/{site}/{part}`."""
    head = prefix.rstrip("/") + "/"
    if not topic.startswith(head):
        raise Invalid(f"The topic is not under {head}.")
    parts = topic[len(head) :].split("/")
    if len(parts) != 2 or not all(parts):
        raise Invalid(f"The topic must be {head}<site>/<part>.")
    return parts[0], parts[1]


def _quantity(data: dict, name: str, *, required: bool) -> Decimal | None:
    value = data.get(name)
    if value is None:
        if required:
            raise Invalid(f"{name} is missing.")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise Invalid(f"{name} is not a number.")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise Invalid(f"{name} is not a number.") from None
    if not number.is_finite():
        raise Invalid(f"{name} is not a number.")
    if number < 0:
        raise Invalid(f"{name} is negative.")
    if number > MAX_QUANTITY:
        raise Invalid(f"{name} is too large.")
    return number.quantize(Decimal("0.001"))


def _read_at(data: dict, received_at: dt.datetime) -> dt.datetime:
    value = data.get("read_at")
    if value is None:
        return received_at
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        try:
            when = dt.datetime.fromtimestamp(value, tz=dt.UTC)
        except (OverflowError, OSError, ValueError):
            raise Invalid("read_at is not a time.") from None
    elif isinstance(value, str):
        try:
            when = parse_datetime(value.strip())
        except ValueError:
            when = None
        if when is None:
            raise Invalid("read_at is not an ISO 8601 date-time.")
        if timezone.is_naive(when):
            when = when.replace(tzinfo=dt.UTC)
    else:
        raise Invalid("read_at is not a time.")
    if when > received_at + FUTURE_TOLERANCE:
        raise Invalid("read_at is more than 5 minutes in the future.")
    if when.year < 2000:
        raise Invalid("read_at is before 2000.")
    return when


def reading_parse(message: Message, *, prefix: str) -> Reading:
    """The reading a message carries, or Invalid with the reason."""
    site, part = topic_codes(message.topic, prefix)
    try:
        data = json.loads(message.payload)
    except (ValueError, UnicodeDecodeError):
        raise Invalid("The payload is not JSON.") from None
    if not isinstance(data, dict):
        raise Invalid("The payload is not a JSON object.")
    sensor = data.get("sensor") or ""
    if not isinstance(sensor, str) or len(sensor) > 100:
        raise Invalid("sensor must be text of at most 100 characters.")
    return Reading(
        site=site,
        part=part,
        on_hand=_quantity(data, "on_hand", required=True),
        read_at=_read_at(data, message.received_at),
        sensor=sensor,
        safety_stock=_quantity(data, "safety_stock", required=False),
        reorder_point=_quantity(data, "reorder_point", required=False),
    )


class Ingest:
    """Turns batches of messages into readings and dead letters; caches site and part ids
    (a code not found is looked up again in the next batch, so a new part is picked up)."""

    def __init__(self, *, prefix: str):
        self.prefix = prefix
        self.sites: dict[str, int] = {}
        self.parts: dict[str, int] = {}

    def _resolve(self, readings: list[Reading]) -> None:
        for cache, model, field, wanted in (
            (self.sites, Site, "code", {r.site for r in readings}),
            (self.parts, Part, "number", {r.part for r in readings}),
        ):
            missing = wanted - cache.keys()
            if missing:
                cache.update(
                    model.objects.filter(**{f"{field}__in": missing}).values_list(field, "pk")
                )

    @staticmethod
    def _thresholds(pairs: set[tuple[int, int]]) -> dict[tuple[int, int], tuple]:
        """The current safety stock and reorder point of these part × site pairs."""
        if not pairs:
            return {}
        rows = (
            latest_readings()
            .filter(part_id__in={p for p, _ in pairs}, site_id__in={s for _, s in pairs})
            .values_list("part_id", "site_id", "safety_stock", "reorder_point")
        )
        return {(p, s): (safety, reorder) for p, s, safety, reorder in rows if (p, s) in pairs}

    def build(self, messages: list[Message]) -> tuple[list[InventoryPosition], list]:
        parsed, rejects = [], []
        for message in messages:
            try:
                parsed.append((message, reading_parse(message, prefix=self.prefix)))
            except Invalid as exc:
                rejects.append((message, str(exc)))
        self._resolve([r for _, r in parsed])
        known = []
        for message, reading in parsed:
            site_id, part_id = self.sites.get(reading.site), self.parts.get(reading.part)
            if site_id is None:
                rejects.append((message, f"No site {reading.site[:60]}."))
            elif part_id is None:
                rejects.append((message, f"No part {reading.part[:60]}."))
            else:
                known.append((part_id, site_id, reading))
        # Readings that omit the thresholds take the latest known ones, in time order.
        current = self._thresholds({(p, s) for p, s, r in known if r.reorder_point is None})
        readings = []
        for part_id, site_id, reading in sorted(known, key=lambda k: k[2].read_at):
            safety, reorder = current.get((part_id, site_id), (Decimal(0), Decimal(0)))
            safety = reading.safety_stock if reading.safety_stock is not None else safety
            reorder = reading.reorder_point if reading.reorder_point is not None else reorder
            current[(part_id, site_id)] = (safety, reorder)
            readings.append(
                InventoryPosition(
                    part_id=part_id,
                    site_id=site_id,
                    on_hand=reading.on_hand,
                    safety_stock=safety,
                    reorder_point=reorder,
                    read_at=reading.read_at,
                    source=InventoryPosition.Source.IOT,
                    sensor=reading.sensor,
                )
            )
        dead = [
            inventory_reject_build(
                topic=m.topic, payload=m.payload, reason=reason, received_at=m.received_at
            )
            for m, reason in rejects
        ]
        return readings, dead

    def record(self, messages: list[Message]) -> tuple[int, list[InventoryReject]]:
        """Record one batch in one transaction: (readings offered, dead letters)."""
        readings, dead = self.build(messages)
        inventory_sensor_readings_record(readings=readings, rejects=dead)
        for reject in dead:
            logger.warning("Dropped a stock message on %s: %s", reject.topic, reject.reason)
        return len(readings), dead
