"""Choosing the policy for one part (docs/planning.md, "How the policy is chosen").

The candidates are the optimal policy (relative value iteration, when the
state space is small enough), the Capped Dual Index, the Dual Index, the
Tailored Base-Surge and the single-source base-stock policies. The cheapest
whose long-run share of each source lies within its bounds wins; capacity
caps are part of the model, so every candidate already respects them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import exact, heuristics
from .heuristics import Candidate
from .model import DualSourcingModel

KINDS = ("exact", "cdi", "di", "tbs", "single")
EXACT_STATE_LIMIT = 40_000


@dataclass
class Choice:
    chosen: Candidate
    candidates: list[Candidate] = field(default_factory=list)
    exact_result: exact.ExactResult | None = None


def exact_candidate(model: DualSourcingModel, state_limit: int = EXACT_STATE_LIMIT):
    """The optimal policy as a candidate, or None when its state space is too large."""
    k = model.max_demand
    L = model.lead_slow
    if exact.state_count(model, -k, (L + 1) * k + 2, max(k, 1)) > state_limit:
        return None, None
    try:
        result = exact.solve(model, max_states=4 * state_limit)
    except exact.TooLarge:
        return None, None
    ev = result.evaluation
    params = {"states": ev.states, "iterations": result.iterations, "gain": round(result.gain, 6)}
    return Candidate("exact", params, ev.cost, ev.fill_rate, ev.mean_fast, ev.mean_slow), result


def fast_share_bounds(fast=(0.0, 1.0), slow=(0.0, 1.0)):
    """Bounds on the fast share from both sources' (min, max) shares, as fractions."""
    lo = max(fast[0], 1.0 - slow[1])
    hi = min(fast[1], 1.0 - slow[0])
    return (lo, hi)


def _single_candidates(model, bounds):
    out = []
    for cand in (heuristics.single_slow(model), heuristics.single_fast(model)):
        if cand is not None and heuristics._within(bounds, cand.mean_fast, model):
            out.append(cand)
    return out


def candidates(model: DualSourcingModel, kinds=KINDS, bounds=None):
    found: list[Candidate] = []
    result = None
    searches = {
        "cdi": heuristics.search_capped_dual_index,
        "di": heuristics.search_dual_index,
        "tbs": heuristics.search_base_surge,
    }
    for kind in kinds:
        if kind == "exact":
            cand, result = exact_candidate(model)
            if cand is not None and heuristics._within(bounds, cand.mean_fast, model):
                found.append(cand)
        elif kind == "single":
            found.extend(_single_candidates(model, bounds))
        else:
            cand = searches[kind](model, bounds)
            if cand is not None:
                found.append(cand)
    return found, result


def choose(model: DualSourcingModel, kind: str | None = None, bounds=None) -> Choice:
    """The cheapest admissible policy; ``kind`` forces one family.

    Without a forced kind the optimal policy is tried first; when it exists
    and respects the bounds nothing can beat it, so the heuristics are only
    searched when it is missing (state space too large) or out of bounds.
    """
    if kind is not None:
        found, result = candidates(model, kinds=(kind,), bounds=bounds)
    else:
        found, result = candidates(model, kinds=("exact",), bounds=bounds)
        if not found:
            more, _ = candidates(model, kinds=KINDS[1:], bounds=bounds)
            found.extend(more)
    if not found:
        raise heuristics.NoPolicy("no policy respects the share bounds and capacity")
    found.sort(key=lambda c: c.cost)
    return Choice(chosen=found[0], candidates=found, exact_result=result)
