"""What every condition finder shares: the `Condition` row, and small helpers.

Each finder (one module per topic in this package) returns the conditions that hold as
of a moment, keyed by their dedupe key; `alerts.services.alerts_scan` turns them into
alerts. No finder runs a query per row. Which kinds exist, and which finder decides
each, is the registry in `alerts/kinds.py` (docs/alerts.md).
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    DecimalField,
    OuterRef,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from purchasing.models import Receipt

# Severity variants: the escalated form of a kind's condition (admins set each one).
BASE = "base"
BELOW_SAFETY_STOCK = "below_safety_stock"
SEVEN_DAYS_PAST = "seven_days_past"
APPLIED_SHIFT = "applied_shift"

PAST_DUE_CRITICAL_DAYS = 7
ACKNOWLEDGE_WITHIN_DAYS = 3
TRANSIT_SILENCE = dt.timedelta(hours=48)
CERTIFICATE_WARNING_DAYS = 30
RULE_FIRED_SHOWN_DAYS = 7

ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=14, decimal_places=3))


@dataclass(frozen=True, slots=True)
class Condition:
    kind: str
    key: str
    message: str
    variant: str = BASE
    supplier_id: int | None = None
    part_id: int | None = None
    purchase_order_id: int | None = None
    line_id: int | None = None
    ship_notice_id: int | None = None
    certificate_id: int | None = None
    contract_id: int | None = None
    rule_firing_id: int | None = None
    exception_id: int | None = None
    site: str = ""


def qty(value) -> str:
    return f"{Decimal(value).normalize():f}"


def received_per_line():
    return Coalesce(
        Subquery(
            Receipt.objects.filter(line=OuterRef("pk"))
            .values("line")
            .annotate(total=Sum("quantity"))
            .values("total")
        ),
        ZERO,
    )
