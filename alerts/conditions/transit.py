"""Ship notices in transit that are late or silent."""

import datetime as dt

from django.utils import timezone

from alerts.conditions.base import (
    TRANSIT_SILENCE,
    Condition,
)
from purchasing.models import ShipNoticeLine


def transit_conditions(*, now: dt.datetime, today: dt.date) -> list[Condition]:
    """`transit_delayed`: a notice in transit whose ETA is after a promised date of its
    lines, or that has had no transit event (nor, before the first, its posting) for 48 h."""
    found = []
    seen: set[int] = set()
    for row in _notice_lines_in_transit(today=today).iterator(chunk_size=5000):
        notice_id = row[0]
        if notice_id in seen:
            continue  # ordered by promised date: the first line is the one that matters
        seen.add(notice_id)
        condition = _transit_condition(row, now=now)
        if condition is not None:
            found.append(condition)
    return found


def _notice_lines_in_transit(*, today: dt.date):
    """Lines of undelivered, shipped notices, each notice's earliest promised date first."""
    return (
        ShipNoticeLine.objects.filter(
            ship_notice__is_delivered=False, ship_notice__ship_date__lte=today
        )
        .values_list(
            "ship_notice_id",
            "ship_notice__number",
            "ship_notice__supplier_id",
            "ship_notice__eta",
            "ship_notice__last_event_at",
            "ship_notice__created_at",
            "line_id",
            "line__purchase_order_id",
            "line__purchase_order__number",
            "line__line_number",
            "line__part_id",
            "line__promised_date",
        )
        .order_by("ship_notice_id", "line__promised_date", "line_id")
    )


def _transit_condition(row: tuple, *, now: dt.datetime) -> Condition | None:
    """`transit_delayed` for a notice's first line row, or None if the notice is on time."""
    (
        notice_id,
        number,
        supplier_id,
        eta,
        last_event_at,
        created_at,
        line_id,
        po_id,
        po_number,
        line_number,
        part_id,
        promised,
    ) = row
    heard_at = last_event_at or created_at
    if eta > promised:
        reason = (
            f"ETA {eta:%Y-%m-%d} is after the promised date {promised:%Y-%m-%d} "
            f"of {po_number}/{line_number}."
        )
    elif heard_at < now - TRANSIT_SILENCE:
        reason = f"no transit event since {timezone.localtime(heard_at):%Y-%m-%d %H:%M}."
    else:
        return None
    return Condition(
        kind="transit_delayed",
        key=f"transit_delayed:{notice_id}",
        message=f"Ship notice {number}: {reason}",
        supplier_id=supplier_id,
        part_id=part_id,
        purchase_order_id=po_id,
        line_id=line_id,
        ship_notice_id=notice_id,
    )
