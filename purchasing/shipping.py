"""Writes for ship notices (ASN) and their transit events, posted by suppliers."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from purchasing.models import (
    PurchaseOrderLine,
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
    ShipNoticeLine.objects.bulk_create(
        [ShipNoticeLine(ship_notice=notice, line=line, quantity=qty) for line, qty in lines]
    )
    alert_scan_request()
    line_rescore_request(line_ids=[line.pk for line, _ in lines])
    return notice


def _ship_notice_lines_check(*, supplier, lines: list[tuple[PurchaseOrderLine, object]]) -> None:
    """A notice ships open lines of its own supplier's orders, each a positive quantity."""
    for line, quantity in lines:
        if line.purchase_order.supplier_id != supplier.pk:
            raise ValidationError({"lines": f"{line} is not an order line of {supplier.code}."})
        if line.status == PurchaseOrderLine.Status.CANCELLED:
            raise ValidationError({"lines": f"{line} is cancelled."})
        if quantity is None or quantity <= 0:
            raise ValidationError({"lines": f"{line}: the quantity shipped must be above zero."})


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
        _ship_notice_lines_check(supplier=ship_notice.supplier, lines=lines)
    ship_notice.full_clean()
    ship_notice.save()
    if lines is not None:
        ship_notice.lines.all().delete()
        ShipNoticeLine.objects.bulk_create(
            [ShipNoticeLine(ship_notice=ship_notice, line=ln, quantity=q) for ln, q in lines]
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
) -> TransitEvent:
    """Add a carrier's transit event; the latest event sets the notice's location and ETA."""
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
    )
    # Carriers send events out of order: only the newest one moves location and ETA.
    if notice.last_event_at is None or occurred_at >= notice.last_event_at:
        notice.last_event_at = occurred_at
        if location:
            notice.current_location = location
        if eta is not None:
            notice.eta = eta
    if delivered:
        notice.is_delivered = True
    notice.save(update_fields=["last_event_at", "current_location", "eta", "is_delivered"])
    alert_scan_request()
    line_rescore_request(line_ids=notice.lines.values_list("line_id", flat=True))
    return event
