from django.db import transaction

from inventory.models import InventoryPosition
from purchasing.services import alert_scan_request


@transaction.atomic
def inventory_positions_create(*, positions: list[InventoryPosition]) -> list[InventoryPosition]:
    """Record stock readings in bulk, all or nothing. Inputs are validated by callers.

    New readings may raise or clear low-stock alerts: a scan is requested on commit."""
    created = InventoryPosition.objects.bulk_create(positions, batch_size=2000)
    alert_scan_request()
    return created
