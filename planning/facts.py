"""Everything a planning run reads, for every planned part × site at once
(docs/planning.md, "Inputs"): a fixed number of set-based queries whatever the number
of planned parts, grouped per part × site in memory. Reads only.

Periods are whole planning periods counted from a fixed Monday, so the history (and the
policy's inputs) change once a period, not every day.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Case, F, IntegerField, Sum, Value, When, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from inventory.models import InventoryPosition
from inventory.selectors import latest_readings
from parts.models import ApprovedSource
from purchasing.models import FxRate, PurchaseOrderLine, Receipt
from scorecards.models import PartScorecard
from suppliers.models import Supplier

HISTORY_PERIODS = 26
EPOCH = dt.date(2001, 1, 1)  # a Monday: periods start on it plus whole periods

Key = tuple[int, str]  # (part id, site code)


def period_days() -> int:
    return int(getattr(settings, "DUALSOURCE_PLANNING_PERIOD_DAYS", 7))


def period_start(day: dt.date) -> dt.date:
    """Start of the planning period holding ``day``."""
    days = period_days()
    return day - dt.timedelta(days=(day - EPOCH).days % days)


def history_starts(as_of: dt.date, count: int = HISTORY_PERIODS) -> list[dt.date]:
    """Starts of the ``count`` whole periods before the one holding ``as_of``."""
    days = period_days()
    current = period_start(as_of)
    return [current - dt.timedelta(days=days * (count - i)) for i in range(count)]


@dataclass
class Facts:
    as_of: dt.date
    starts: list[dt.date]
    sources: dict[int, list[ApprovedSource]] = field(default_factory=dict)
    plans: dict[Key, list[float]] = field(default_factory=dict)
    receipts: dict[int, list[float]] = field(default_factory=dict)
    closing: dict[Key, dict[int, float]] = field(default_factory=dict)
    landed: dict[tuple[int, int], tuple[float, str]] = field(default_factory=dict)
    fx: dict[str, tuple[float, str]] = field(default_factory=dict)
    on_hand: dict[Key, tuple[Decimal, dt.datetime]] = field(default_factory=dict)
    open_lines: dict[Key, list[tuple]] = field(default_factory=dict)


def facts_load(keys: list[Key], as_of: dt.date) -> Facts:
    """The facts of every key in one pass of grouped queries."""
    facts = Facts(as_of=as_of, starts=history_starts(as_of))
    part_ids = sorted({part for part, _ in keys})
    sites = sorted({site for _, site in keys})
    facts.sources = _sources(part_ids, as_of)
    facts.plans = _plans(part_ids, sites, as_of)
    facts.receipts = _receipts(part_ids, facts.starts)
    facts.closing = _closing_stock(part_ids, sites, facts.starts)
    facts.landed = _landed(part_ids, as_of)
    currencies = {s.currency.upper() for rows in facts.sources.values() for s in rows}
    facts.fx = {currency: _fx(currency, as_of) for currency in sorted(currencies)}
    facts.on_hand = {
        (part, site): (on_hand, read_at)
        for part, site, on_hand, read_at in latest_readings()
        .filter(part_id__in=part_ids, site__code__in=sites)
        .values_list("part_id", "site__code", "on_hand", "read_at")
    }
    facts.open_lines = _open_lines(part_ids, sites)
    return facts


def _sources(part_ids, as_of) -> dict[int, list[ApprovedSource]]:
    usable = Supplier.objects.usable(as_of).values("pk")
    out: dict[int, list[ApprovedSource]] = defaultdict(list)
    rows = (
        ApprovedSource.objects.filter(part_id__in=part_ids, is_active=True, supplier__in=usable)
        .select_related("supplier")
        .order_by("part_id", "lead_time_days", "supplier__code")
    )
    for source in rows:
        out[source.part_id].append(source)
    return dict(out)


def _plans(part_ids, sites, as_of) -> dict[Key, list[float]]:
    from planning.models import DemandPlan

    window = dt.timedelta(days=period_days() * HISTORY_PERIODS)
    current = period_start(as_of)
    rows = (
        DemandPlan.objects.filter(
            part_id__in=part_ids,
            site__in=sites,
            period_start__gte=current - window,
            period_start__lt=current + window,
        )
        .order_by("part_id", "site", "period_start")
        .values_list("part_id", "site", "quantity")
    )
    out: dict[Key, list[float]] = defaultdict(list)
    for part, site, quantity in rows:
        out[(part, site)].append(float(quantity))
    return {key: values[-HISTORY_PERIODS:] for key, values in out.items()}


def _bucket(field_name: str, bounds: list) -> Case:
    """The index of the period a date (or time) falls in: 0 … len(bounds)."""
    whens = [When(**{f"{field_name}__lt": b}, then=Value(i)) for i, b in enumerate(bounds)]
    return Case(*whens, default=Value(len(bounds)), output_field=IntegerField())


def _receipts(part_ids, starts) -> dict[int, list[float]]:
    """Quantity received per part and history period (all sites)."""
    days = period_days()
    bounds = [s + dt.timedelta(days=days) for s in starts]
    rows = (
        Receipt.objects.filter(
            line__part_id__in=part_ids, receipt_date__gte=starts[0], receipt_date__lt=bounds[-1]
        )
        .annotate(period=_bucket("receipt_date", bounds[:-1]))
        .values("line__part_id", "period")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    out: dict[int, list[float]] = {}
    for row in rows:
        totals = out.setdefault(row["line__part_id"], [0.0] * len(starts))
        totals[row["period"]] += float(row["total"])
    return out


def _closing_stock(part_ids, sites, starts) -> dict[Key, dict[int, float]]:
    """On hand at the last reading of each period (index len(starts): the current one)."""
    days = period_days()
    zone = timezone.get_current_timezone()

    def at(day):
        return dt.datetime.combine(day, dt.time(), tzinfo=zone)

    bounds = [at(s + dt.timedelta(days=days)) for s in starts]
    last = Window(
        RowNumber(),
        partition_by=[F("part_id"), F("site_id"), F("period")],
        order_by=[F("read_at").desc(), F("pk").desc()],
    )
    rows = (
        InventoryPosition.objects.filter(
            part_id__in=part_ids, site__code__in=sites, read_at__gte=at(starts[0])
        )
        .annotate(period=_bucket("read_at", bounds))
        .annotate(rank=last)
        .filter(rank=1)
        .values_list("part_id", "site__code", "period", "on_hand")
    )
    out: dict[Key, dict[int, float]] = defaultdict(dict)
    for part, site, period, on_hand in rows:
        if period <= len(starts):
            out[(part, site)][period] = float(on_hand)
    return dict(out)


def _landed(part_ids, as_of) -> dict[tuple[int, int], tuple[float, str]]:
    """Per part and supplier the landed unit cost of the greatest period since 90 days
    ago (the rolling window sorts after the months)."""
    since = (as_of - dt.timedelta(days=90)).strftime("%Y-%m")
    rows = (
        PartScorecard.objects.filter(
            part_id__in=part_ids, period__gte=since, landed_unit_cost__isnull=False
        )
        .order_by("part_id", "supplier_id", "period")
        .values_list("part_id", "supplier_id", "period", "landed_unit_cost")
    )
    return {(part, supplier): (float(cost), period) for part, supplier, period, cost in rows}


def _fx(currency: str, as_of: dt.date) -> tuple[float, str]:
    if currency == settings.BASE_CURRENCY:
        return 1.0, settings.BASE_CURRENCY
    rate = (
        FxRate.objects.filter(currency=currency, date__lte=as_of)
        .order_by("-date")
        .values_list("rate", "date")
        .first()
    )
    if not rate:
        return 1.0, f"no {currency} rate, taken as 1"
    return float(rate[0]), f"{currency} {rate[1]}"


def _open_lines(part_ids, sites) -> dict[Key, list[tuple]]:
    """(supplier id, quantity left, expected date) of the open lines per part × site."""
    rows = (
        PurchaseOrderLine.objects.filter(
            part_id__in=part_ids,
            status=PurchaseOrderLine.Status.OPEN,
            purchase_order__site__code__in=sites,
        )
        .annotate(received=Sum("receipts__quantity"))
        .order_by("pk")
        .values_list(
            "part_id",
            "purchase_order__site__code",
            "purchase_order__supplier_id",
            "quantity",
            "received",
            "expected_date",
        )
    )
    out: dict[Key, list[tuple]] = defaultdict(list)
    for part, site, supplier, quantity, received, expected in rows:
        left = quantity - (received or 0)
        if left > 0:
            out[(part, site)].append((supplier, left, expected))
    return dict(out)
