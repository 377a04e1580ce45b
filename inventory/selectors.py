"""Reads for stock: readings and the inventory position per part × site (docs/inventory.md).

The position of a part at a site is its latest reading by `read_at` (ties: the later
recorded), plus what is coming to that site:
- in transit: shipped on ship notices against open order lines to that site, not yet
  received (per line: shipped − received, never below zero);
- on order: open order quantity to that site not yet shipped (per open line: quantity −
  the larger of shipped and received, never below zero).
Everything is one SQL statement with correlated subqueries; nothing runs per row.
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, TruncDate
from django.utils import timezone

from inventory.models import InventoryPosition, InventoryReject
from purchasing.models import PurchaseOrderLine, Receipt, ShipNoticeLine

QTY = DecimalField(max_digits=14, decimal_places=3)
ZERO = Value(Decimal("0"), output_field=QTY)
COVER_WINDOW = dt.timedelta(days=30)


def _line_sum(model, path: str):
    return Coalesce(
        Subquery(
            model.objects.filter(**{path: OuterRef("pk")})
            .order_by()
            .values(path)
            .annotate(total=Sum("quantity"))
            .values("total")[:1],
            output_field=QTY,
        ),
        ZERO,
    )


def open_lines_supply() -> QuerySet:
    """Open order lines with `in_transit` and `not_shipped` quantities (see module doc)."""
    return (
        PurchaseOrderLine.objects.filter(status=PurchaseOrderLine.Status.OPEN)
        .annotate(shipped=_line_sum(ShipNoticeLine, "line"), received=_line_sum(Receipt, "line"))
        .annotate(
            in_transit=Greatest(
                ExpressionWrapper(F("shipped") - F("received"), output_field=QTY), ZERO
            ),
            not_shipped=Greatest(
                ExpressionWrapper(
                    F("quantity") - Greatest(F("shipped"), F("received")), output_field=QTY
                ),
                ZERO,
            ),
        )
    )


def supply_by_part_site(*, part_ids=None, site_ids=None) -> QuerySet:
    """In transit and on order per (part, site), one grouped query."""
    lines = open_lines_supply()
    if part_ids is not None:
        lines = lines.filter(part_id__in=part_ids)
    if site_ids is not None:
        lines = lines.filter(purchase_order__site_id__in=site_ids)
    return (
        lines.order_by()
        .values("part_id", site_id=F("purchase_order__site_id"))
        .annotate(in_transit_total=Sum("in_transit"), on_order_total=Sum("not_shipped"))
    )


def _supply_subquery(name: str):
    lines = (
        open_lines_supply()
        .filter(part_id=OuterRef("part_id"), purchase_order__site_id=OuterRef("site_id"))
        .order_by()
        .values("part_id")
        .annotate(total=Sum(name))
        .values("total")[:1]
    )
    return Coalesce(Subquery(lines, output_field=QTY), ZERO)


def latest_readings() -> QuerySet:
    """The current reading of every part × site (the latest by read_at; ties by id)."""
    newer = InventoryPosition.objects.filter(part=OuterRef("part"), site=OuterRef("site")).filter(
        Q(read_at__gt=OuterRef("read_at")) | Q(read_at=OuterRef("read_at"), pk__gt=OuterRef("pk"))
    )
    return InventoryPosition.objects.exclude(Exists(newer))


def stale_hours() -> int:
    return settings.DUALSOURCE_SENSOR_STALE_HOURS


def inventory_positions(*, now: dt.datetime | None = None) -> QuerySet:
    """Per part × site with any reading: the current reading's on hand, safety stock,
    reorder point, read_at and source, plus `in_transit`, `on_order`, `available`
    (on hand + in transit), `last_sensor_at`, `stale` and the figures days of cover is
    computed from (`cover_start_at`, `cover_start_on_hand`, `cover_received`)."""
    now = now or timezone.now()
    same = {"part": OuterRef("part"), "site": OuterRef("site")}
    sensor_at = InventoryPosition.objects.filter(source=InventoryPosition.Source.IOT, **same)
    window = InventoryPosition.objects.filter(read_at__gte=now - COVER_WINDOW, **same).order_by(
        "read_at", "pk"
    )
    received = (
        Receipt.objects.filter(
            line__part=OuterRef("part"),
            line__purchase_order__site=OuterRef("site"),
            receipt_date__gte=OuterRef("cover_start_date"),
        )
        .order_by()
        .values("line__part")
        .annotate(total=Sum("quantity"))
        .values("total")[:1]
    )
    stale_before = now - dt.timedelta(hours=stale_hours())
    return (
        latest_readings()
        .select_related("part", "site")
        .annotate(
            in_transit=_supply_subquery("in_transit"),
            on_order=_supply_subquery("not_shipped"),
            last_sensor_at=Subquery(
                sensor_at.order_by().values("part").annotate(at=Max("read_at")).values("at")[:1]
            ),
            cover_start_at=Subquery(window.values("read_at")[:1]),
            cover_start_on_hand=Subquery(window.values("on_hand")[:1], output_field=QTY),
        )
        .annotate(
            cover_start_date=TruncDate("cover_start_at"),
            available=ExpressionWrapper(F("on_hand") + F("in_transit"), output_field=QTY),
            stale=Case(
                When(last_sensor_at__lt=stale_before, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            cover_received=Coalesce(Subquery(received, output_field=QTY), ZERO),
        )
    )


def days_of_cover(position) -> Decimal | None:
    """On hand ÷ daily consumption over the last 30 days of readings: consumption is the
    first reading in the window + receipts since − on hand now, over the days between
    the first and the current reading. None without at least a day of history or use."""
    start_at, start = position.cover_start_at, position.cover_start_on_hand
    if start_at is None or start is None:
        return None
    days = Decimal((position.read_at - start_at).total_seconds()) / Decimal(86400)
    used = start + position.cover_received - position.on_hand
    if days < 1 or used <= 0:
        return None
    return (position.on_hand / (used / days)).quantize(Decimal("0.1"))


def reading_age_hours(position, *, now: dt.datetime) -> Decimal:
    return (Decimal((now - position.read_at).total_seconds()) / Decimal(3600)).quantize(
        Decimal("0.1")
    )


def inventory_rejects() -> QuerySet:
    return InventoryReject.objects.order_by("-received_at", "-id")
