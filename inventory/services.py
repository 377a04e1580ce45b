"""Writes for stock readings (one row per reading; the latest per part × site is current)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from core.services import BatchValidationError, model_update, raise_first_error
from inventory.models import InventoryPosition, InventoryReject
from purchasing.outbox import alert_scan_request

POSITION_FIELDS = [
    "part",
    "site",
    "on_hand",
    "safety_stock",
    "reorder_point",
    "read_at",
    "source",
    "sensor",
]
PAYLOAD_KEPT = 2048


def inventory_positions_validate(
    *, positions: list[InventoryPosition]
) -> dict[int, dict[str, list[str]]]:
    """Check a batch of readings without a query: quantities not negative, a part, a site,
    a known source. Errors by index."""
    errors: dict[int, dict[str, list[str]]] = {}
    for index, position in enumerate(positions):
        try:
            position.full_clean(exclude=["part", "site"], validate_constraints=False)
        except ValidationError as exc:
            errors[index] = dict(exc.message_dict)
        for field in ("on_hand", "safety_stock", "reorder_point"):
            value = getattr(position, field)
            if value is not None and value < 0:
                errors.setdefault(index, {}).setdefault(field, []).append("Must not be negative.")
        if position.part_id is None:
            errors.setdefault(index, {}).setdefault("part", []).append("Name the part.")
        if position.site_id is None:
            errors.setdefault(index, {}).setdefault("site", []).append("Name the site.")
    return errors


@transaction.atomic
def inventory_positions_create(
    *, positions: list[InventoryPosition], validate: bool = False
) -> list[InventoryPosition]:
    """Record stock readings in bulk, all or nothing. With `validate=True` the batch is
    checked first (`inventory_positions_validate`); the bulk API checks while resolving."""
    if validate:
        errors = inventory_positions_validate(positions=positions)
        if errors:
            raise BatchValidationError(errors)
    created = InventoryPosition.objects.bulk_create(positions, batch_size=2000)
    # New readings may raise or clear low-stock alerts: a scan is requested on commit.
    alert_scan_request()
    return created


@transaction.atomic
def inventory_sensor_readings_record(
    *, readings: list[InventoryPosition], rejects: list[InventoryReject] = ()
) -> None:
    """Record a batch of sensor readings (already checked) and dead letters in one
    transaction. A reading repeated with the same sensor and time is skipped (the unique
    constraint), so a message delivered twice changes nothing. The caller requests the
    alert scan (debounced)."""
    if readings:
        InventoryPosition.objects.bulk_create(readings, batch_size=2000, ignore_conflicts=True)
    if rejects:
        InventoryReject.objects.bulk_create(rejects, batch_size=2000)


def inventory_reject_build(*, topic: str, payload: bytes, reason: str, received_at):
    """A dead letter: the topic, the first 2 KB of the payload (as text), the reason."""
    text = payload[:PAYLOAD_KEPT].decode("utf-8", errors="replace").replace("\x00", "\ufffd")
    return InventoryReject(
        topic=topic[:500], payload=text, reason=reason[:300], received_at=received_at
    )


def inventory_position_create(*, part, site, on_hand, read_at, actor=None, **fields):
    position = InventoryPosition(part=part, site=site, on_hand=on_hand, read_at=read_at, **fields)
    raise_first_error(inventory_positions_validate(positions=[position]))
    return inventory_positions_create(positions=[position])[0]


def inventory_position_update(
    *, position: InventoryPosition, data: dict, actor=None
) -> InventoryPosition:
    """Correct a stock reading (a typo in on hand, the wrong site)."""
    model_update(instance=position, fields=POSITION_FIELDS, data=data)
    alert_scan_request()
    return position


def inventory_position_delete(*, position: InventoryPosition, actor=None) -> None:
    position.delete()
    alert_scan_request()
