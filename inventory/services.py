from django.db import transaction

from inventory.models import InventoryPosition


@transaction.atomic
def inventory_positions_create(*, positions: list[InventoryPosition]) -> list[InventoryPosition]:
    """Record stock readings in bulk, all or nothing. Inputs are validated by callers."""
    return InventoryPosition.objects.bulk_create(positions, batch_size=2000)
