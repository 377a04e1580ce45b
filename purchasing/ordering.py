"""The checks every new or changed order passes on every path (API, form, import, portal,
admin), the spot-buy flag, and order numbers from a gapless sequence per prefix
(docs/orders.md).
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from parts.models import ApprovedSource
from purchasing.models import PurchaseOrder, PurchaseOrderNumberSequence
from suppliers.models import Supplier

NUMBER_PREFIX = "DS-{day:%Y%m%d}-"


def supplier_order_error(supplier) -> str | None:
    """Why `supplier` takes no new orders, or None: only approved suppliers do."""
    if supplier.status == Supplier.Status.APPROVED:
        return None
    return (
        f"{supplier.code} is {supplier.get_status_display().lower()}; it takes no new orders "
        "(new orders go only to approved suppliers)."
    )


def line_date_errors(
    *, order_date: dt.date | None, requested_date: dt.date | None, promised_date=None
) -> dict[str, str]:
    """Field → message for a line dated before its order."""
    errors = {}
    if order_date is None:
        return errors
    for field, value in (("requested_date", requested_date), ("promised_date", promised_date)):
        if value is not None and value < order_date:
            label = field.replace("_", " ").capitalize()
            errors[field] = f"{label} {value} is before the order date {order_date}."
    return errors


def order_line_errors(*, order_date: dt.date, lines) -> dict[str, list[str]]:
    """The date checks of built lines, as one `lines` field error naming each line."""
    messages = []
    for line in lines:
        found = line_date_errors(
            order_date=order_date,
            requested_date=line.requested_date,
            promised_date=line.promised_date if line.acknowledged_at else None,
        )
        messages += [f"Line {line.line_number}: {m}" for m in found.values()]
    return {"lines": messages} if messages else {}


def spot_buy_part_ids(*, supplier_id: int, part_ids) -> set[int]:
    """The parts among `part_ids` that have no approved source at the supplier."""
    sourced = set(
        ApprovedSource.objects.filter(
            supplier_id=supplier_id, part_id__in=set(part_ids), is_active=True
        ).values_list("part_id", flat=True)
    )
    return set(part_ids) - sourced


def spot_buy_mark(*, supplier_id: int, lines) -> list:
    """Set `is_spot_buy` on built lines; returns the flagged ones."""
    spot = spot_buy_part_ids(supplier_id=supplier_id, part_ids=[ln.part_id for ln in lines])
    for line in lines:
        line.is_spot_buy = line.part_id in spot
    return [line for line in lines if line.is_spot_buy]


def acknowledgement_time_check(*, acknowledged_at, order_date: dt.date) -> dt.datetime:
    """The supplier's time of confirmation: not in the future, not before the order."""
    now = timezone.now()
    if acknowledged_at is None:
        return now
    if isinstance(acknowledged_at, dt.datetime):
        moment = acknowledged_at
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
    else:
        moment = timezone.make_aware(dt.datetime.combine(acknowledged_at, dt.time(12)))
        moment = min(moment, now) if acknowledged_at == timezone.localdate() else moment
    if moment > now:
        raise ValidationError({"acknowledged_at": "The acknowledgement cannot be in the future."})
    if timezone.localdate(moment) < order_date:
        raise ValidationError(
            {"acknowledged_at": f"The acknowledgement cannot predate the order ({order_date})."}
        )
    return moment


def order_number_next(*, day: dt.date) -> str:
    """The next number of the day's prefix, one gapless sequence per prefix.

    The counter row is locked (select_for_update) until the caller's transaction ends, so
    two requests never get the same number, and a rolled-back order gives its number back.
    """
    prefix = NUMBER_PREFIX.format(day=day)
    with transaction.atomic():
        sequence = _sequence_locked(prefix)
        number = sequence.last_number + 1
        while PurchaseOrder.objects.filter(number=f"{prefix}{number:04d}").exists():
            number += 1  # typed in by hand earlier: skip it, never hand it out twice
        sequence.last_number = number
        sequence.save(update_fields=["last_number"])
    return f"{prefix}{number:04d}"


def _sequence_locked(prefix: str) -> PurchaseOrderNumberSequence:
    locked = PurchaseOrderNumberSequence.objects.select_for_update()
    sequence = locked.filter(prefix=prefix).first()
    if sequence is not None:
        return sequence
    try:
        with transaction.atomic():
            PurchaseOrderNumberSequence.objects.create(prefix=prefix)
    except IntegrityError:
        pass  # another request created it a moment ago; lock theirs
    return locked.get(prefix=prefix)
