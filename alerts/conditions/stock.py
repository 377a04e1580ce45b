"""Stock at a site: below its reorder point (`low_stock`), a sensor silent too long
(`sensor_stale`). Both read the inventory position of the part at that site, with what
is in transit to that site (docs/inventory.md)."""

import datetime as dt

from django.db.models import F

from alerts.conditions.base import BASE, BELOW_SAFETY_STOCK, Condition, qty
from inventory.selectors import inventory_positions, stale_hours


def low_stock_conditions(*, now: dt.datetime, today: dt.date) -> list[Condition]:
    """`low_stock`: on hand + in transit to the site < reorder point; critical below the
    safety stock."""
    rows = (
        inventory_positions(now=now)
        .filter(available__lt=F("reorder_point"))
        .values_list(
            "part_id",
            "part__number",
            "site_id",
            "site__code",
            "on_hand",
            "in_transit",
            "safety_stock",
            "reorder_point",
        )
    )
    found = []
    for part_id, number, _site_id, code, on_hand, in_transit, safety, reorder in rows:
        available = on_hand + in_transit
        below_safety = available < safety
        found.append(
            Condition(
                kind="low_stock",
                key=f"low_stock:{part_id}:{code}",
                variant=BELOW_SAFETY_STOCK if below_safety else BASE,
                message=f"{number} at {code}: {qty(on_hand)} on hand + "
                f"{qty(in_transit)} in transit, below the "
                + (
                    f"safety stock {qty(safety)}."
                    if below_safety
                    else f"reorder point {qty(reorder)}."
                ),
                part_id=part_id,
                site=code,
            )
        )
    return found


def sensor_stale_conditions(*, now: dt.datetime, today: dt.date) -> list[Condition]:
    """`sensor_stale`: a part × site fed by a sensor that has sent nothing for
    DUALSOURCE_SENSOR_STALE_HOURS."""
    rows = (
        inventory_positions(now=now)
        .filter(stale=True)
        .values_list("part_id", "part__number", "site__code", "last_sensor_at")
    )
    hours = stale_hours()
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
