"""Stock below its reorder point at a site."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import (
    Exists,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce

from alerts.conditions.base import (
    BASE,
    BELOW_SAFETY_STOCK,
    ZERO,
    Condition,
    qty,
)
from inventory.models import InventoryPosition
from purchasing.models import Receipt, ShipNoticeLine


def _in_transit_per_part() -> dict[int, Decimal]:
    """Open ship-notice quantities not yet received, per part (notices in transit only)."""
    received_on_notice = Coalesce(
        Subquery(
            Receipt.objects.filter(ship_notice=OuterRef("ship_notice"), line=OuterRef("line"))
            .values("line")
            .annotate(total=Sum("quantity"))
            .values("total")
        ),
        ZERO,
    )
    totals: dict[int, Decimal] = defaultdict(Decimal)
    rows = (
        ShipNoticeLine.objects.filter(ship_notice__is_delivered=False)
        .annotate(received=received_on_notice)
        .order_by()
        .values_list("line__part_id", "quantity", "received")
    )
    for part_id, quantity, received in rows.iterator(chunk_size=5000):
        totals[part_id] += max(quantity - received, Decimal("0"))
    return totals


def low_stock_conditions(*, now: dt.datetime, today: dt.date) -> list[Condition]:
    """`low_stock`: the latest reading of a part at a site, on hand + in transit < reorder
    point; critical below safety stock. In-transit quantities are known per part (a ship
    notice names no site), so each site of the part counts them."""
    newer = InventoryPosition.objects.filter(part=OuterRef("part"), site=OuterRef("site")).filter(
        Q(read_at__gt=OuterRef("read_at")) | Q(read_at=OuterRef("read_at"), pk__gt=OuterRef("pk"))
    )
    latest = (
        InventoryPosition.objects.filter(on_hand__lt=F("reorder_point"))
        .exclude(Exists(newer))
        .order_by()
        .values_list("part_id", "part__number", "site", "on_hand", "safety_stock", "reorder_point")
    )
    rows = list(latest)
    if not rows:
        return []
    in_transit = _in_transit_per_part()
    found = []
    for part_id, number, site, on_hand, safety, reorder in rows:
        available = on_hand + in_transit.get(part_id, Decimal("0"))
        if available >= reorder:
            continue
        below_safety = available < safety
        found.append(
            Condition(
                kind="low_stock",
                key=f"low_stock:{part_id}:{site}",
                variant=BELOW_SAFETY_STOCK if below_safety else BASE,
                message=f"{number} at {site}: {qty(on_hand)} on hand + "
                f"{qty(available - on_hand)} in transit, below the "
                + (
                    f"safety stock {qty(safety)}."
                    if below_safety
                    else f"reorder point {qty(reorder)}."
                ),
                part_id=part_id,
                site=site,
            )
        )
    return found
