"""Writes for ship notices (ASN) and their transit events, posted by suppliers."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from accounts.roles import EDITOR_ROLES, user_role
from parts.packs import pack_count, pack_sizes
from purchasing.models import (
    PurchaseOrderLine,
    Receipt,
    ShipNotice,
    ShipNoticeLine,
    TransitEvent,
)
from purchasing.outbox import alert_scan_request, line_rescore_request


@transaction.atomic
def ship_notice_create(
    *,
    supplier,
    number: str,
    ship_date: dt.date,
    eta: dt.date,
    lines: list[tuple[PurchaseOrderLine, object]],
    carrier: str = "",
    tracking_number: str = "",
) -> ShipNotice:
    """Record an advance ship notice: which order lines ship, how many, and when they arrive."""
    if eta < ship_date:
        raise ValidationError({"eta": "The ETA cannot be before the ship date."})
    _ship_notice_lines_check(supplier=supplier, lines=lines)
    notice = ShipNotice(
        supplier=supplier,
        number=number,
        ship_date=ship_date,
        eta=eta,
        carrier=carrier,
        tracking_number=tracking_number,
    )
    notice.full_clean()
    notice.save()
    ShipNoticeLine.objects.bulk_create(_declared_lines(notice, supplier, lines))
    alert_scan_request()
    line_rescore_request(line_ids=[line.pk for line, _ in lines])
    return notice


def _declared_lines(notice, supplier, lines) -> list[ShipNoticeLine]:
    """The notice's lines, each declaring the whole packs of its source's pack size."""
    sizes = pack_sizes(pairs=[(line.part_id, supplier.pk) for line, _ in lines])
    return [
        ShipNoticeLine(
            ship_notice=notice,
            line=line,
            quantity=quantity,
            packs=pack_count(quantity, sizes[line.part_id, supplier.pk]),
        )
        for line, quantity in lines
    ]


def _ship_notice_lines_check(
    *, supplier, lines: list[tuple[PurchaseOrderLine, object]], notice_id: int | None = None
) -> None:
    """A notice ships open lines of its own supplier's orders, each a positive quantity no
    larger than what is still open on the line: ordered − received − what other notices
    still in transit carry (their quantity less what was received against them)."""
    errors: list[str] = []
    wanted: dict[int, Decimal] = defaultdict(Decimal)
    by_id = {}
    for line, quantity in lines:
        if line.purchase_order.supplier_id != supplier.pk:
            errors.append(f"{line} is not an order line of {supplier.code}.")
        elif line.status != PurchaseOrderLine.Status.OPEN:
            errors.append(f"{line} is {line.get_status_display().lower()}; nothing ships on it.")
        elif quantity is None or quantity <= 0:
            errors.append(f"{line}: the quantity shipped must be above zero.")
        else:
            wanted[line.pk] += quantity
            by_id[line.pk] = line
    if errors:
        raise ValidationError({"lines": errors})
    open_left = _open_to_ship(line_ids=list(wanted), notice_id=notice_id)
    for line_id, quantity in wanted.items():
        left = open_left.get(line_id, Decimal("0"))
        if quantity > left:
            errors.append(
                f"{by_id[line_id]}: {quantity.normalize():f} exceeds the {left.normalize():f} "
                "still open (ordered − received − on other notices in transit)."
            )
    if errors:
        raise ValidationError({"lines": errors})


def _open_to_ship(*, line_ids: list[int], notice_id: int | None) -> dict[int, Decimal]:
    """What each line can still ship, in two grouped queries (lines locked for the check)."""
    if not line_ids:
        return {}
    ordered = dict(
        PurchaseOrderLine.objects.select_for_update()
        .filter(pk__in=line_ids)
        .values_list("pk", "quantity")
    )
    received = dict(
        Receipt.objects.filter(line_id__in=line_ids)
        .values("line_id")
        .annotate(total=Sum("quantity"))
        .values_list("line_id", "total")
    )
    received_on_notice = Coalesce(
        Subquery(
            Receipt.objects.filter(ship_notice=OuterRef("ship_notice"), line=OuterRef("line"))
            .values("line")
            .annotate(total=Sum("quantity"))
            .values("total")
        ),
        Decimal("0"),
    )
    in_transit: dict[int, Decimal] = defaultdict(Decimal)
    others = ShipNoticeLine.objects.filter(line_id__in=line_ids, ship_notice__is_delivered=False)
    if notice_id is not None:
        others = others.exclude(ship_notice_id=notice_id)
    for line_id, quantity, got in others.annotate(got=received_on_notice).values_list(
        "line_id", "quantity", "got"
    ):
        in_transit[line_id] += max(quantity - got, Decimal("0"))
    return {
        pk: qty - received.get(pk, Decimal("0")) - in_transit[pk] for pk, qty in ordered.items()
    }


@transaction.atomic
def ship_notice_update(
    *,
    ship_notice: ShipNotice,
    lines: list[tuple[PurchaseOrderLine, object]] | None = None,
    **fields,
) -> ShipNotice:
    """Correct a ship notice's header; lines sent replace the notice's lines."""
    if "supplier" in fields and fields["supplier"].pk != ship_notice.supplier_id:
        raise ValidationError({"supplier": "The supplier of a ship notice cannot change."})
    for name, value in fields.items():
        setattr(ship_notice, name, value)
    if ship_notice.eta < ship_notice.ship_date:
        raise ValidationError({"eta": "The ETA cannot be before the ship date."})
    if lines is not None:
        _ship_notice_lines_check(
            supplier=ship_notice.supplier, lines=lines, notice_id=ship_notice.pk
        )
    ship_notice.full_clean()
    ship_notice.save()
    if lines is not None:
        ship_notice.lines.all().delete()
        ShipNoticeLine.objects.bulk_create(
            _declared_lines(ship_notice, ship_notice.supplier, lines)
        )
    alert_scan_request()
    line_rescore_request(line_ids=ship_notice.lines.values_list("line_id", flat=True))
    return ship_notice


@transaction.atomic
def transit_event_record(
    *,
    ship_notice: ShipNotice,
    occurred_at: dt.datetime,
    location: str = "",
    eta: dt.date | None = None,
    description: str = "",
    delivered: bool = False,
    actor=None,
) -> TransitEvent:
    """Add a carrier's transit event; the latest event sets the notice's location and ETA.

    `delivered` from a supplier contact (or with no actor) only reports the arrival for a
    buyer to confirm: the notice stays in transit, and its alerts open, until a receipt is
    booked against it or a buyer confirms (`ship_notice_delivery_confirm`). From a buyer
    or admin it is that confirmation.
    """
    notice = ShipNotice.objects.select_for_update().get(pk=ship_notice.pk)
    if eta is not None and eta < notice.ship_date:
        raise ValidationError(
            {"eta": f"The ETA cannot be before the ship date {notice.ship_date}."}
        )
    event = TransitEvent.objects.create(
        ship_notice=notice,
        occurred_at=occurred_at,
        location=location,
        eta=eta,
        description=description,
        reports_arrival=delivered,
    )
    # Carriers send events out of order: only the newest one moves location and ETA.
    if notice.last_event_at is None or occurred_at >= notice.last_event_at:
        notice.last_event_at = occurred_at
        if location:
            notice.current_location = location
        if eta is not None:
            notice.eta = eta
    if delivered:
        if notice.arrival_reported_at is None:
            notice.arrival_reported_at = occurred_at
        if _is_plant_side(actor):
            notice.is_delivered = True
    notice.save(
        update_fields=[
            "last_event_at",
            "current_location",
            "eta",
            "is_delivered",
            "arrival_reported_at",
        ]
    )
    alert_scan_request()
    line_rescore_request(line_ids=notice.lines.values_list("line_id", flat=True))
    return event


def _is_plant_side(actor) -> bool:
    """A buyer or admin speaks for the plant; a supplier contact or an anonymous feed not."""
    return actor is not None and user_role(actor) in EDITOR_ROLES


@transaction.atomic
def ship_notice_delivery_confirm(*, ship_notice: ShipNotice) -> ShipNotice:
    """A buyer confirms the goods of a notice arrived: it leaves the in-transit figures."""
    notice = ShipNotice.objects.select_for_update().get(pk=ship_notice.pk)
    if not notice.is_delivered:
        notice.is_delivered = True
        notice.save(update_fields=["is_delivered"])
        alert_scan_request()
    return notice


def ship_notices_mark_received(*, notice_ids: set[int]) -> None:
    """Goods booked in against a notice: the shipment is at the plant, so it is delivered."""
    if notice_ids:
        ShipNotice.objects.filter(pk__in=notice_ids, is_delivered=False).update(is_delivered=True)
