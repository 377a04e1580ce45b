"""Parts with fewer than two usable sources."""

import datetime as dt

from django.db.models import (
    Count,
    Min,
    Q,
)

from alerts.conditions.base import (
    Condition,
)
from parts.models import Part


def single_source_conditions(*, now: dt.datetime, today: dt.date) -> list[Condition]:
    """`single_sourced`: a sourced part with fewer than two active approved sources (a part
    with no source record at all is not in sourcing yet)."""
    active = Q(sources__is_active=True)
    rows = (
        Part.objects.annotate(
            source_count=Count("sources", filter=active),
            any_source=Count("sources"),
            only_supplier_id=Min("sources__supplier_id", filter=active),
        )
        .filter(source_count__lt=2, any_source__gt=0)
        .order_by()
        .values_list("pk", "number", "source_count", "only_supplier_id")
    )
    return [
        Condition(
            kind="single_sourced",
            key=f"single_sourced:{part_id}",
            message=(
                f"{number} has a single approved source."
                if count
                else f"{number} has no active approved source."
            ),
            part_id=part_id,
            supplier_id=supplier_id,
        )
        for part_id, number, count, supplier_id in rows
    ]
