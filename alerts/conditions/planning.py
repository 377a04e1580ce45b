"""Suggested orders waiting more than a day for a buyer to release them (docs/planning.md)."""

import datetime as dt

from django.db.models import Count, Min

from alerts.conditions.base import Condition
from planning.selectors import suggestions_waiting


def orders_to_release_conditions(*, now: dt.datetime, today: dt.date) -> list[Condition]:
    """`orders_to_release`: per part × site, open suggestions older than a day."""
    rows = (
        suggestions_waiting()
        .values("part_id", "part__number", "site")
        .annotate(n=Count("pk"), since=Min("created_at"))
        .order_by("part_id", "site")
    )
    return [
        Condition(
            kind="orders_to_release",
            key=f"orders_to_release:{row['part_id']}:{row['site']}",
            message=(
                f"{row['n']} suggested order(s) for {row['part__number']} at {row['site']} "
                f"wait for release since {row['since']:%Y-%m-%d}"
            ),
            part_id=row["part_id"],
            site=row["site"],
        )
        for row in rows
    ]
