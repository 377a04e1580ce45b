from django.db import transaction

from core.services import model_update
from inventory.models import InventoryPosition


@transaction.atomic
def inventory_positions_create(*, positions: list[InventoryPosition]) -> list[InventoryPosition]:
    """Record stock readings in bulk, all or nothing. Inputs are validated by callers."""
    return InventoryPosition.objects.bulk_create(positions, batch_size=2000)


def inventory_position_update(
    *, position: InventoryPosition, data: dict, actor=None
) -> InventoryPosition:
    """Correct a stock reading (a typo in on hand, the wrong site)."""
    model_update(
        instance=position,
        fields=[f.name for f in InventoryPosition._meta.concrete_fields if f.name not in ("id",)],
        data=data,
    )
    return position


def inventory_position_delete(*, position: InventoryPosition, actor=None) -> None:
    position.delete()
