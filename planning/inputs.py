"""The planning model's inputs for one part × site, each with where it came from
(docs/planning.md, "Inputs"). Reads only; the run in services.py writes."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from django.conf import settings
from django.db.models import Sum

from inventory.models import InventoryPosition
from parts.models import ApprovedSource
from purchasing.models import FxRate, PurchaseOrderLine, Receipt
from scorecards.models import PartScorecard
from suppliers.models import Supplier

HISTORY_PERIODS = 26
MAX_DEMAND_VALUES = 30


def period_days() -> int:
    return int(getattr(settings, "DUALSOURCE_PLANNING_PERIOD_DAYS", 7))


@dataclass
class SourceInputs:
    source: ApprovedSource
    landed: float
    landed_from: str
    lead_periods: int
    pack: int

    @property
    def code(self) -> str:
        return self.source.supplier.code


@dataclass
class PlanInputs:
    part_id: int
    site: str
    demand: list[float]
    demand_from: str
    lot: int
    pmf: tuple[float, ...]
    sources: list[SourceInputs]
    holding: float = 0.0
    backlog: float = 0.0
    premium: float = 0.0
    service_level: float = 0.95
    holding_rate: float = 0.25
    notes: list[str] = field(default_factory=list)

    @property
    def fast(self) -> SourceInputs | None:
        return self.sources[0] if len(self.sources) > 1 else None

    @property
    def slow(self) -> SourceInputs:
        return self.sources[-1]

    def as_json(self) -> dict:
        return {
            "period_days": period_days(),
            "demand_per_period": self.demand,
            "demand_from": self.demand_from,
            "lot_size": self.lot,
            "demand_pmf_lots": [round(p, 6) for p in self.pmf],
            "premium_per_lot": round(self.premium, 6),
            "holding_per_lot": round(self.holding, 6),
            "backlog_per_lot": round(self.backlog, 6),
            "service_level": self.service_level,
            "holding_rate": self.holding_rate,
            "sources": [
                {
                    "supplier": s.code,
                    "role": "fast" if (self.fast is s) else "slow",
                    "landed_unit_cost": round(s.landed, 6),
                    "landed_from": s.landed_from,
                    "lead_time_days": s.source.lead_time_days,
                    "lead_periods": s.lead_periods,
                    "min_share_pct": float(s.source.min_share_pct),
                    "max_share_pct": float(s.source.max_share_pct),
                    "target_share_pct": float(s.source.target_share_pct),
                    "monthly_capacity": _num(s.source.monthly_capacity),
                    "moq": _num(s.source.moq),
                    "pack_size": s.pack,
                }
                for s in self.sources
            ],
            "notes": self.notes,
        }

    def fingerprint(self) -> str:
        return hashlib.sha256(json.dumps(self.as_json(), sort_keys=True).encode()).hexdigest()


def _num(value):
    return None if value is None else float(value)


def _periods(as_of: dt.date, count: int) -> list[dt.date]:
    """Starts of the ``count`` whole periods before the one holding ``as_of``."""
    days = period_days()
    start = as_of - dt.timedelta(days=days * count)
    return [start + dt.timedelta(days=days * i) for i in range(count)]


def demand_history(part_id: int, site: str, as_of: dt.date) -> tuple[list[float], str]:
    """Demand per period: the plan, else consumption (readings and receipts), else receipts."""
    days = period_days()
    window = dt.timedelta(days=days * HISTORY_PERIODS)
    plan = list(
        _plan_rows(part_id, site, as_of - window, as_of + window).values_list("quantity", flat=True)
    )
    if plan:
        return [float(q) for q in plan[-HISTORY_PERIODS:]], "demand plan"
    starts = _periods(as_of, HISTORY_PERIODS)
    receipts = _receipts_per_period(part_id, starts)
    consumption = _consumption(part_id, site, starts, receipts)
    if consumption:
        return consumption, "consumption (readings and receipts)"
    if any(receipts):
        return receipts, "receipts"
    return [], "no history"


def _plan_rows(part_id, site, start, end):
    from planning.models import DemandPlan

    return DemandPlan.objects.filter(
        part_id=part_id, site=site, period_start__gte=start, period_start__lt=end
    ).order_by("period_start")


def _receipts_per_period(part_id: int, starts: list[dt.date]) -> list[float]:
    days = period_days()
    rows = (
        Receipt.objects.filter(
            line__part_id=part_id,
            receipt_date__gte=starts[0],
            receipt_date__lt=starts[-1] + dt.timedelta(days=days),
        )
        .values("receipt_date")
        .annotate(total=Sum("quantity"))
    )
    out = [0.0] * len(starts)
    for row in rows:
        out[(row["receipt_date"] - starts[0]).days // days] += float(row["total"])
    return out


def _consumption(part_id, site, starts, receipts) -> list[float]:
    """on hand at a period's start + its receipts - on hand at its end, where both are read."""
    days = period_days()
    readings = InventoryPosition.objects.filter(
        part_id=part_id, site__code=site, read_at__date__gte=starts[0]
    ).values_list("read_at", "on_hand")
    last: dict[int, float] = {}
    for read_at, on_hand in sorted(readings):
        index = (read_at.date() - starts[0]).days // days
        if 0 <= index <= len(starts):
            last[index] = float(on_hand)
    out = []
    for i in range(1, len(starts)):
        if i - 1 in last and i in last:
            out.append(max(last[i - 1] + receipts[i] - last[i], 0.0))
    return out if len(out) >= 4 else []


def lot_size(demand: list[float], moq: float, pack: int) -> int:
    """The larger of the MOQ and the size keeping at most 30 demand values, in whole packs."""
    top = max(demand) if demand else 0.0
    lot = max(math.ceil(moq), math.ceil(top / (MAX_DEMAND_VALUES - 1)) if top else 1, 1)
    return int(math.ceil(lot / pack) * pack)


def demand_pmf(demand: list[float], lot: int) -> tuple[float, ...]:
    lots = np.rint(np.asarray(demand, dtype=float) / lot).astype(int)
    counts = np.bincount(lots, minlength=1).astype(float)
    return tuple(counts / counts.sum())


def landed_unit_cost(source: ApprovedSource, as_of: dt.date) -> tuple[float, str]:
    """Rolling landed cost (latest part scorecard within 90 days), else price × FX."""
    since = (as_of - dt.timedelta(days=90)).strftime("%Y-%m")
    row = (
        PartScorecard.objects.filter(
            part_id=source.part_id,
            supplier_id=source.supplier_id,
            period__gte=since,
            landed_unit_cost__isnull=False,
        )
        .order_by("-period")
        .values_list("landed_unit_cost", "period")
        .first()
    )
    if row:
        return float(row[0]), f"landed cost {row[1]} (rolling 90 days)"
    rate, label = fx_rate(source.currency, as_of)
    return float(source.unit_price) * rate, f"price × FX ({label})"


def fx_rate(currency: str, as_of: dt.date) -> tuple[float, str]:
    if currency.upper() == settings.BASE_CURRENCY:
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


def usable_sources(part_id: int, as_of: dt.date) -> list[ApprovedSource]:
    usable = Supplier.objects.usable(as_of).values("pk")
    return list(
        ApprovedSource.objects.filter(part_id=part_id, is_active=True, supplier__in=usable)
        .select_related("supplier")
        .order_by("lead_time_days", "supplier__code")
    )


def plan_inputs(part_id: int, site: str, service_level: float, as_of: dt.date):
    """Everything the model needs, or None with nothing to plan (no source or no demand)."""
    sources = usable_sources(part_id, as_of)
    demand, demand_from = demand_history(part_id, site, as_of)
    if not sources or not demand or not any(demand):
        return None
    days = period_days()
    priced = []
    for source in sources:
        landed, landed_from = landed_unit_cost(source, as_of)
        lead = max(math.ceil(source.lead_time_days / days), 0)
        pack = int(getattr(source, "pack_size", 1) or 1)
        priced.append(SourceInputs(source, landed, landed_from, lead, pack))
    chosen, notes = _fast_and_slow(priced)
    moq = max(float(s.source.moq or 0) for s in chosen)
    # Every order is whole lots, so a lot is whole packs of each chosen source.
    lot = lot_size(demand, moq, math.lcm(*(s.pack for s in chosen)))
    inputs = PlanInputs(part_id, site, demand, demand_from, lot, demand_pmf(demand, lot), chosen)
    inputs.notes = notes
    inputs.service_level = service_level
    inputs.holding_rate = float(getattr(settings, "DUALSOURCE_HOLDING_RATE", 0.25))
    slow = inputs.slow
    inputs.holding = slow.landed * inputs.holding_rate * days / 365 * lot
    inputs.backlog = inputs.holding * service_level / (1 - service_level)
    if inputs.fast:
        inputs.premium = (inputs.fast.landed - slow.landed) * lot
    return inputs


def _fast_and_slow(priced: list[SourceInputs]) -> tuple[list[SourceInputs], list[str]]:
    """Fast = shortest lead time, slow = the cheapest of the others; one if fast is not dearer."""
    if len(priced) == 1:
        return priced, ["one usable source: base stock"]
    fast = priced[0]
    others = [s for s in priced[1:] if s.lead_periods > fast.lead_periods] or priced[1:]
    slow = min(others, key=lambda s: s.landed)
    if fast.landed <= slow.landed or slow.lead_periods <= fast.lead_periods:
        best = min((fast, slow), key=lambda s: (s.landed, s.lead_periods))
        return [best], [f"{best.code} is both the fastest and not dearer: single source"]
    notes = []
    if len(priced) > 2:
        notes.append(f"{len(priced) - 2} other usable source(s) not planned")
    return [fast, slow], notes


@dataclass
class StockState:
    on_hand: Decimal
    read_at: dt.datetime | None
    on_order_fast: Decimal
    pipeline_slow: list[Decimal]  # slow units arriving in 1, 2, ... periods


def stock_state(inputs: PlanInputs, as_of: dt.date) -> StockState:
    reading = (
        InventoryPosition.objects.filter(part_id=inputs.part_id, site__code=inputs.site)
        .order_by("-read_at")
        .values_list("on_hand", "read_at")
        .first()
    )
    on_hand, read_at = reading if reading else (Decimal(0), None)
    supplier_ids = [s.source.supplier_id for s in inputs.sources]
    open_lines = (
        PurchaseOrderLine.objects.filter(
            part_id=inputs.part_id,
            status=PurchaseOrderLine.Status.OPEN,
            purchase_order__supplier_id__in=supplier_ids,
            purchase_order__site__code=inputs.site,
        )
        .annotate(received=Sum("receipts__quantity"))
        .values_list("purchase_order__supplier_id", "quantity", "received", "expected_date")
    )
    days = period_days()
    width = max(inputs.slow.lead_periods - (inputs.fast.lead_periods if inputs.fast else 0), 1)
    pipeline = [Decimal(0)] * max(width - 1, 0)
    fast_on_order = Decimal(0)
    fast_id = inputs.fast.source.supplier_id if inputs.fast else None
    for supplier_id, quantity, received, expected in open_lines:
        left = quantity - (received or 0)
        if left <= 0:
            continue
        periods_out = max((expected - as_of).days, 0) // days
        if supplier_id == fast_id or periods_out == 0 or not pipeline:
            fast_on_order += left
        else:
            pipeline[min(periods_out, len(pipeline)) - 1] += left
    return StockState(on_hand, read_at, fast_on_order, pipeline)
