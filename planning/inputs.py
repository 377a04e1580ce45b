"""The planning model's inputs for one part × site, each with where it came from
(docs/planning.md, "Inputs"), built from the facts `facts.py` loaded for the whole run.
No queries here; the run in services.py writes."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from django.conf import settings

from parts.models import ApprovedSource
from planning.facts import Facts, Key, period_days

MAX_DEMAND_VALUES = 30
# Part of every fingerprint: a change to how policies are computed recomputes them all.
MODEL_VERSION = 3


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
        """The cache key: a hash of every input the policy depends on."""
        payload = dict(self.as_json(), model_version=MODEL_VERSION)
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _num(value):
    return None if value is None else float(value)


def demand_history(key: Key, facts: Facts) -> tuple[list[float], str]:
    """Demand per period: the plan, else consumption (readings and receipts), else receipts."""
    plan = facts.plans.get(key)
    if plan:
        return plan, "demand plan"
    receipts = facts.receipts.get(key[0], [0.0] * len(facts.starts))
    consumption = _consumption(facts.closing.get(key, {}), receipts, len(facts.starts))
    if consumption:
        return consumption, "consumption (readings and receipts)"
    if any(receipts):
        return list(receipts), "receipts"
    return [], "no history"


def _consumption(last: dict[int, float], receipts: list[float], count: int) -> list[float]:
    """on hand at a period's start + its receipts - on hand at its end, where both are read."""
    out = []
    for i in range(1, count):
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


def landed_unit_cost(source: ApprovedSource, facts: Facts) -> tuple[float, str]:
    """Rolling landed cost (part scorecard within 90 days), else price × FX."""
    found = facts.landed.get((source.part_id, source.supplier_id))
    if found:
        return found[0], f"landed cost {found[1]} (rolling 90 days)"
    rate, label = facts.fx.get(source.currency.upper(), (1.0, source.currency))
    return float(source.unit_price) * rate, f"price × FX ({label})"


def plan_inputs(key: Key, service_level: float, facts: Facts) -> PlanInputs | None:
    """Everything the model needs, or None with nothing to plan (no source or no demand)."""
    part_id, site = key
    sources = facts.sources.get(part_id, [])
    demand, demand_from = demand_history(key, facts)
    if not sources or not demand or not any(demand):
        return None
    days = period_days()
    priced = []
    for source in sources:
        landed, landed_from = landed_unit_cost(source, facts)
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


def stock_state(inputs: PlanInputs, facts: Facts) -> StockState:
    """On hand (the current reading), fast on order and the slow pipeline by period."""
    key = (inputs.part_id, inputs.site)
    on_hand, read_at = facts.on_hand.get(key, (Decimal(0), None))
    supplier_ids = {s.source.supplier_id for s in inputs.sources}
    days = period_days()
    width = max(inputs.slow.lead_periods - (inputs.fast.lead_periods if inputs.fast else 0), 1)
    pipeline = [Decimal(0)] * max(width - 1, 0)
    fast_on_order = Decimal(0)
    fast_id = inputs.fast.source.supplier_id if inputs.fast else None
    for supplier_id, left, expected in facts.open_lines.get(key, []):
        if supplier_id not in supplier_ids:
            continue
        periods_out = max((expected - facts.as_of).days, 0) // days
        if supplier_id == fast_id or periods_out == 0 or not pipeline:
            fast_on_order += left
        else:
            pipeline[min(periods_out, len(pipeline)) - 1] += left
    return StockState(on_hand, read_at, fast_on_order, pipeline)
