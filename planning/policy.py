"""From a part × site's inputs to its policy, the baselines and this period's orders
(docs/planning.md). No writes here; services.py stores what this returns."""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np

from planning.inputs import PlanInputs, StockState
from planning.policies import heuristics
from planning.policies.choose import choose, fast_share_bounds
from planning.policies.exact import ExactResult
from planning.policies.heuristics import Candidate, NoPolicy
from planning.policies.model import DualSourcingModel, convolve_power, newsvendor_level


@dataclass
class PolicyOutcome:
    kind: str
    parameters: dict
    cost: float
    fill_rate: float
    share_fast: float
    single_cost: float | None
    split_cost: float | None
    table: bytes | None
    notes: list[str]
    exact: bool = True  # False: ``cost`` is a simulated estimate with standard error ``stderr``
    stderr: float | None = None

    def saving_pct(self, baseline: float | None) -> float | None:
        if baseline is None or baseline <= 0:
            return None
        return round(100 * (baseline - self.cost) / baseline, 2)


def per_period_cap(source, inputs: PlanInputs, days: int) -> int | None:
    monthly = source.source.monthly_capacity
    if monthly is None:
        return None
    return int(float(monthly) * days / 30.44 // inputs.lot)


# Capacity that cannot carry the mean demand with this margin leaves no stable policy (the
# backlog grows without bound, and the chains with it): the model then ignores capacity.
CAPACITY_MARGIN = 1.1
SPLIT_TOLERANCE = 0.05  # today's split is compared only where whole lots can keep it


def build_model(inputs: PlanInputs, days: int, notes: list | None = None) -> DualSourcingModel:
    fast, slow = inputs.fast, inputs.slow
    caps = (per_period_cap(fast, inputs, days), per_period_cap(slow, inputs, days))
    mean = float(np.dot(np.arange(len(inputs.pmf)), inputs.pmf))
    if None not in caps and sum(caps) < CAPACITY_MARGIN * mean:
        if notes is not None:
            notes.append(
                f"capacity ({caps[0]} fast + {caps[1]} slow lots a period) cannot carry the "
                f"mean demand of {mean:.2f} lots: planned without capacity limits, each "
                "order still capped"
            )
        caps = (None, None)
    return DualSourcingModel(
        lead_slow=max(slow.lead_periods - fast.lead_periods, 1),
        premium=max(inputs.premium, 0.0),
        holding=inputs.holding,
        backlog=inputs.backlog,
        demand=inputs.pmf,
        cap_fast=caps[0],
        cap_slow=caps[1],
    )


def compute_policy(inputs: PlanInputs, days: int) -> PolicyOutcome:
    if inputs.fast is None:
        return _one_source(inputs)
    notes = list(inputs.notes)
    model = build_model(inputs, days, notes)
    fast, slow = inputs.fast, inputs.slow
    bounds = fast_share_bounds(
        fast=(float(fast.source.min_share_pct) / 100, float(fast.source.max_share_pct) / 100),
        slow=(float(slow.source.min_share_pct) / 100, float(slow.source.max_share_pct) / 100),
    )
    try:
        choice = choose(model, bounds=bounds)
    except NoPolicy:
        choice = choose(model)
        notes.append("no policy keeps both share bounds: the cheapest is shown")
    chosen = choice.chosen
    if not chosen.exact:
        notes.append(
            f"cost estimated by simulation (standard error {chosen.stderr:.4f}): "
            "the policy's chain is too large to solve exactly"
        )
    singles = [c for c in (heuristics.single_slow(model), heuristics.single_fast(model)) if c]
    single = min((c.cost for c in singles), default=None)
    split = _split_cost(model, fast, slow, notes)
    mean = model.mean_demand
    return PolicyOutcome(
        kind=chosen.kind,
        parameters=chosen.parameters,
        cost=chosen.cost,
        fill_rate=chosen.fill_rate,
        share_fast=chosen.mean_fast / mean if mean else 0.0,
        single_cost=single,
        split_cost=split,
        table=_pack(choice.exact_result) if chosen.kind == "exact" else None,
        notes=notes,
        exact=chosen.exact,
        stderr=chosen.stderr,
    )


def _split_cost(model, fast, slow, notes: list[str]) -> float | None:
    """Today's static split, computed like the policies; None when whole lots cannot keep
    it (the fast share it reaches is more than SPLIT_TOLERANCE off today's target)."""
    total = float(fast.source.target_share_pct + slow.source.target_share_pct)
    fraction = float(fast.source.target_share_pct) / total if total else 0.5
    try:
        split = heuristics.static_split(model, fraction)
    except Exception:  # noqa: BLE001 - a split the chain cannot hold is simply not shown
        return None
    reached = split.mean_fast / model.mean_demand if model.mean_demand else fraction
    if abs(reached - fraction) > SPLIT_TOLERANCE:
        notes.append(
            f"today's split ({fraction:.0%} fast) cannot be kept in whole lots (it would "
            f"reach {reached:.0%}): not compared"
        )
        return None
    return split.cost


def _one_source(inputs: PlanInputs) -> PolicyOutcome:
    """Base stock on the one source: a newsvendor on lead + 1 periods of demand."""
    pmf = np.asarray(inputs.pmf)
    lead = inputs.slow.lead_periods
    over = convolve_power(pmf, lead + 1)
    S = newsvendor_level(over, inputs.holding, inputs.backlog)
    d = np.arange(len(over))
    cost = float(
        over @ (inputs.holding * np.maximum(S - d, 0) + inputs.backlog * np.maximum(d - S, 0))
    )
    during = convolve_power(pmf, lead)
    y = np.maximum(S - np.arange(len(during)), 0)
    demand = np.arange(len(pmf))
    mean = float(pmf @ demand)
    filled = np.minimum(demand[None, :], y[:, None]) @ pmf
    fill = float(during @ filled) / mean if mean else 1.0
    return PolicyOutcome(
        "base_stock", {"S": S}, cost, fill, 0.0, cost, cost, None, list(inputs.notes)
    )


def _pack(result: ExactResult | None) -> bytes | None:
    if result is None:
        return None
    buffer = io.BytesIO()
    np.savez_compressed(buffer, y=result.y_table, qr=result.qr_table, grid=np.asarray(result.grid))
    return buffer.getvalue()


def _unpack(table: bytes) -> ExactResult:
    data = np.load(io.BytesIO(bytes(table)))
    grid = tuple(int(v) for v in data["grid"])
    return ExactResult(0.0, 0.0, 0.0, 0, grid, data["y"], data["qr"])


def orders_now(kind: str, parameters: dict, table, lots_state) -> tuple[int, int]:
    """(fast lots, slow lots) the policy orders in the state (x lots, slow pipeline lots)."""
    x, pipe = lots_state
    xa = np.array([x], dtype=np.int64)
    pa = np.asarray([pipe], dtype=np.int64).reshape(1, -1)
    if kind == "exact" and table is not None:
        q_e, q_r = _unpack(table).decide(xa, pa)
        return int(q_e[0]), int(q_r[0])
    p = parameters
    position = x + sum(pipe)
    if kind in ("di", "cdi"):
        q_e = max(p["S_e"] - x, 0)
        q_r = max(p["S_r"] - (position + q_e), 0)
        return q_e, min(q_r, p.get("q_r_cap", q_r))
    if kind == "tbs":
        return max(p["S_e"] - x, 0), p["r"]
    if kind == "single" and p.get("source") == "fast":
        return max(p["S"] - x, 0), 0
    return 0, max(p["S"] - position, 0)  # single slow, base_stock


def lots_state(inputs: PlanInputs, state: StockState) -> tuple[int, list[int]]:
    lot = inputs.lot
    x = int((state.on_hand + state.on_order_fast) // lot)
    return x, [int(q // lot) for q in state.pipeline_slow]


__all__ = ["Candidate", "compute_policy", "orders_now", "lots_state", "build_model"]
