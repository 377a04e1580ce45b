"""Writes for stock readings (one row per reading; the latest per part × site is current)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from core.services import BatchValidationError, model_update, raise_first_error
from inventory.models import InventoryPosition

POSITION_FIELDS = ["part", "site", "on_hand", "safety_stock", "reorder_point", "read_at", "source"]


def inventory_positions_validate(
    *, positions: list[InventoryPosition]
) -> dict[int, dict[str, list[str]]]:
    """Check a batch of readings without a query: quantities not negative, a site, a known
    source. Errors by index."""
    errors: dict[int, dict[str, list[str]]] = {}
    for index, position in enumerate(positions):
        try:
            position.full_clean(exclude=["part"], validate_constraints=False)
        except ValidationError as exc:
            errors[index] = dict(exc.message_dict)
        for field in ("on_hand", "safety_stock", "reorder_point"):
            value = getattr(position, field)
            if value is not None and value < 0:
                errors.setdefault(index, {}).setdefault(field, []).append("Must not be negative.")
        if position.part_id is None:
            errors.setdefault(index, {}).setdefault("part", []).append("Name the part.")
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
    return InventoryPosition.objects.bulk_create(positions, batch_size=2000)


def inventory_position_create(*, part, site: str, on_hand, read_at, actor=None, **fields):
    position = InventoryPosition(part=part, site=site, on_hand=on_hand, read_at=read_at, **fields)
    raise_first_error(inventory_positions_validate(positions=[position]))
    return inventory_positions_create(positions=[position])[0]


def inventory_position_update(
    *, position: InventoryPosition, data: dict, actor=None
) -> InventoryPosition:
    """Correct a stock reading (a typo in on hand, the wrong site)."""
    model_update(instance=position, fields=POSITION_FIELDS, data=data)
    return position


def inventory_position_delete(*, position: InventoryPosition, actor=None) -> None:
    position.delete()
