"""Planned parts for the demo (docs/planning.md): planning on for the parts with a fast
and a slow source, a first planning run, and a few parts whose orders the engine may
release alone, so a newcomer sees suggestions, an auto-released order and the savings."""

import datetime as dt
from decimal import Decimal

from django.db.models import Count, F, Max, Min

from inventory.models import InventoryPosition
from parts.models import ApprovedSource
from planning.services import planning_run, planning_setting_set

PLANNED = {"tiny": 10, "small": 200}  # other sizes: 300
AUTO_RELEASED = 3


def planning_seed(*, size: str, today: dt.date) -> str:
    dual = (
        ApprovedSource.objects.filter(is_active=True)
        .values("part_id")
        .annotate(n=Count("pk"), fast=Min("lead_time_days"), slow=Max("lead_time_days"))
        .filter(n__gte=2, slow__gt=F("fast") + 7)
        .order_by("part_id")
        .values_list("part_id", flat=True)
    )
    sites = dict(
        InventoryPosition.objects.order_by("part_id", "site__code").values_list(
            "part_id", "site__code"
        )
    )
    chosen = [pk for pk in dual if pk in sites][: PLANNED.get(size, 300)]
    from parts.models import Part

    parts = Part.objects.in_bulk(chosen)
    for index, pk in enumerate(chosen):
        limit = Decimal("1000000") if index < AUTO_RELEASED else Decimal(0)
        planning_setting_set(part=parts[pk], site=sites[pk], auto_release_limit=limit)
    return str(planning_run(as_of=today))
