"""Stock at a site: below its reorder point (`low_stock`), a sensor silent too long
(`sensor_stale`). Both read what the inventory position of the part at that site shows
(its current reading, what is in transit to that site, its last sensor reading:
docs/inventory.md), computed only for the readings that can raise them."""

import datetime as dt
from decimal import Decimal

from django.db.models import F, Max

from alerts.conditions.base import BASE, BELOW_SAFETY_STOCK, Condition, qty
from inventory.models import InventoryPosition
from inventory.selectors import (
    latest_readings,
    stale_hours,
    supply_by_part_site,
)


def low_stock_conditions(*, now: dt.datetime, today: dt.date) -> list[Condition]:
    """`low_stock`: on hand + in transit to the site < reorder point; critical below the
    safety stock.

    Two set-based queries rather than the position of every part × site: what is in
    transit only adds to what is on hand, so only a current reading already below its
    reorder point can be low, and only those parts' open lines are summed."""
    readings = list(
        latest_readings()
        .filter(on_hand__lt=F("reorder_point"))
        .order_by()
        .values_list(
            "part_id",
            "part__number",
            "site_id",
            "site__code",
            "on_hand",
            "safety_stock",
            "reorder_point",
        )
    )
    if not readings:
        return []
    in_transit = {
        (row["part_id"], row["site_id"]): row["in_transit_total"]
        for row in supply_by_part_site(part_ids=sorted({r[0] for r in readings}))
    }
    found = []
    for part_id, number, site_id, code, on_hand, safety, reorder in readings:
        transit = in_transit.get((part_id, site_id)) or Decimal(0)
        available = on_hand + transit
        if available >= reorder:
            continue
        found.append(_low_stock(part_id, number, code, on_hand, transit, safety, reorder))
    return found


def _low_stock(part_id, number, code, on_hand, in_transit, safety, reorder) -> Condition:
    below_safety = on_hand + in_transit < safety
    return Condition(
        kind="low_stock",
        key=f"low_stock:{part_id}:{code}",
        variant=BELOW_SAFETY_STOCK if below_safety else BASE,
        message=f"{number} at {code}: {qty(on_hand)} on hand + "
        f"{qty(in_transit)} in transit, below the "
        + (f"safety stock {qty(safety)}." if below_safety else f"reorder point {qty(reorder)}."),
        part_id=part_id,
        site=code,
    )


def sensor_stale_conditions(*, now: dt.datetime, today: dt.date) -> list[Condition]:
    """`sensor_stale`: a part × site fed by a sensor that has sent nothing for
    DUALSOURCE_SENSOR_STALE_HOURS."""
    hours = stale_hours()
    # One grouped query over the sensor readings: the last one per part × site is the
    # position's `last_sensor_at` (docs/inventory.md), without the rest of the position.
    rows = (
        InventoryPosition.objects.filter(source=InventoryPosition.Source.IOT)
        .order_by()
        .values("part_id", "part__number", "site__code")
        .annotate(last_at=Max("read_at"))
        .filter(last_at__lt=now - dt.timedelta(hours=hours))
        .values_list("part_id", "part__number", "site__code", "last_at")
    )
    return [
        Condition(
            kind="sensor_stale",
            key=f"sensor_stale:{part_id}:{code}",
            variant=BASE,
            message=f"{number} at {code}: no sensor reading for more than {hours} h "
            f"(last {last_at:%Y-%m-%d %H:%M} UTC).",
            part_id=part_id,
            site=code,
        )
        for part_id, number, code, last_at in rows
    ]
