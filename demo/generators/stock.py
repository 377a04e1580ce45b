"""Inventory readings per part and plant: weekly ERP exports, IoT sensors for some parts."""

import datetime as dt
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings

from demo.generators.catalogue import SITES
from demo.generators.plan import DemoPlan
from inventory.models import InventoryPosition
from inventory.services import inventory_positions_create
from sites.models import Site
from sites.services import site_create

BELOW_REORDER_POINT_SHARE = 0.08


def inventory_create(*, seed: int, plan: DemoPlan) -> int:
    rng = random.Random(f"{seed}:inventory")
    tz = ZoneInfo(settings.TIME_ZONE)
    today = plan.calendar.today
    sites_by_code = {
        code: Site.objects.filter(code=code).first()
        or site_create(code=code, name=city, country=code[:2])
        for code, city in SITES
    }
    positions = []
    for part in plan.parts:
        american = any(s.supplier.country.region == "Americas" for s in part.sources)
        sites = [rng.choice(SITES[:3])]
        if american or rng.random() < 0.3:
            other = SITES[3] if american else rng.choice(SITES[:3])
            if other not in sites:
                sites.append(other)
        pack = part.category.pack
        for site, _city in sites:
            monthly = part.monthly_demand / len(sites)
            reorder_point = max(pack, round(monthly * 0.5 / pack) * pack)
            safety_stock = max(pack, round(monthly * 0.25 / pack) * pack)
            low = rng.random() < BELOW_REORDER_POINT_SHARE
            sensor = rng.random() < 0.1
            # Sensors report every twelve hours; the ERP export comes weekly.
            hours_back = (36, 24, 12, 0) if sensor else (7 * 24, 0)
            for k, back in enumerate(hours_back):
                read_at = dt.datetime(today.year, today.month, today.day, 6, 0, tzinfo=tz)
                last = k == len(hours_back) - 1
                level = rng.uniform(0.05, 0.9) if last and low else rng.uniform(1.05, 2.6)
                positions.append(
                    InventoryPosition(
                        part=part.part,
                        site=sites_by_code[site],
                        on_hand=Decimal(round(reorder_point * level)),
                        safety_stock=Decimal(safety_stock),
                        reorder_point=Decimal(reorder_point),
                        read_at=read_at - dt.timedelta(hours=back),
                        source=(
                            InventoryPosition.Source.IOT if sensor else InventoryPosition.Source.ERP
                        ),
                    )
                )
    inventory_positions_create(positions=positions)
    return len(positions)
