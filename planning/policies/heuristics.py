"""Heuristic policies and their parameter search (docs/planning.md, "Heuristics").

Every heuristic here is shift-invariant: raising all its levels by s shifts
the net inventory by s and leaves the orders unchanged. So for a fixed shape
(Dual Index: Delta = S_r - S_e; Capped Dual Index: Delta and the cap; Tailored
Base-Surge: the constant slow order r; static split: the fast fraction) the
chain is solved once with the fast level at 0, and the best level follows
exactly as a newsvendor on D - Z, Z the inventory above the level after the
fast order. Shapes are screened by one simulation with common random numbers
across all candidates, and the best few are then solved exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import spsolve

from .chain import ChainTooLarge, evaluate, simulated_estimate
from .model import convolve_power, newsvendor_level


@dataclass
class Candidate:
    kind: str
    parameters: dict
    cost: float
    fill_rate: float
    mean_fast: float
    mean_slow: float
    exact: bool = True  # False: a simulated estimate (the chain too large to solve)
    stderr: float | None = None  # of a simulated estimate
    extra: dict = field(default_factory=dict)

    def shares(self, mean_demand: float) -> tuple[float, float]:
        if not mean_demand:
            return 0.0, 0.0
        return self.mean_fast / mean_demand, self.mean_slow / mean_demand


def _cap(q, cap):
    return q if cap is None else np.minimum(q, cap)


NO_CAP = 10**9


# -- shapes: relative policies with the fast level at 0 ---------------------------


def dual_index_rule(model, delta, cap=None, after_fast=True):
    """Fast up to 0 on x; slow up to delta on the full position, capped at ``cap``."""

    def decide(x, pipe):
        q_e = _cap(np.maximum(-x, 0), model.cap_fast)
        position = x + pipe.sum(axis=1) + (q_e if after_fast else 0)
        q_r = np.maximum(delta - position, 0)
        q_r = _cap(_cap(q_r, cap), model.cap_slow)
        return q_e.astype(np.int64), q_r.astype(np.int64)

    return decide


def base_surge_rule(model, r):
    """Slow order r every period; fast up to 0 on x."""

    def decide(x, pipe):
        q_e = _cap(np.maximum(-x, 0), model.cap_fast)
        return q_e.astype(np.int64), np.full(len(x), r, dtype=np.int64)

    return decide


def static_split_rule(model, fast_fraction):
    """Order up to 0 on the full position; a fixed fraction of each order goes fast."""

    def decide(x, pipe):
        q = np.maximum(-(x + pipe.sum(axis=1)), 0)
        q_e = _cap(np.rint(q * fast_fraction).astype(np.int64), model.cap_fast)
        q_r = _cap(q - q_e, model.cap_slow)
        return q_e.astype(np.int64), q_r.astype(np.int64)

    return decide


def shifted(decide, level):
    """The absolute policy: a relative rule moved up by ``level``."""

    def absolute(x, pipe):
        return decide(x - level, pipe)

    return absolute


# -- the best level for a shape ------------------------------------------------------


def _best_level(model, values, weights, mean_fast):
    """Newsvendor level s on D - Z, Z ~ (values, weights); cost, fill at s."""
    weights = weights / weights.sum()
    zmin, zmax = int(values.min()), int(values.max())
    pz = np.zeros(zmax - zmin + 1)
    np.add.at(pz, values - zmin, weights)
    # D - Z takes values from -zmax to k - zmin.
    diff = np.convolve(model.pmf, pz[::-1])
    s0 = newsvendor_level(diff, model.holding, model.backlog, offset=-zmax)
    zs = np.arange(zmin, zmax + 1)
    best = None
    for s in (s0 - 1, s0, s0 + 1):
        cost = model.premium * mean_fast + float(pz @ model.stage_cost(s + zs))
        if best is None or cost < best[1] - 1e-12:
            best = (s, cost)
    s, cost = best
    fill = float(pz @ model.filled(s + zs)) / model.mean_demand if model.mean_demand else 1.0
    return s, cost, fill


def solve_shape(model, rule, max_order, max_states=20_000):
    """Exact: solve the relative chain once, then the exact best level."""
    ev, (x, pipe, q_e, q_r, pi) = evaluate(
        model, rule, max_order=max_order, return_states=True, max_states=max_states
    )
    s, cost, fill = _best_level(model, x + q_e, pi, ev.mean_fast)
    return s, cost, fill, ev


def screen_shapes(model, rule, n, periods=6000, warmup=300, seed=20):
    """Estimated (cost, mean fast order) of ``n`` candidates on one demand path.

    ``rule`` is vectorised over candidates (its parameters are arrays of
    length ``n``); every candidate sees the same demands.
    """
    rng = np.random.default_rng(seed)
    demands = rng.choice(len(model.demand), size=periods + warmup, p=model.pmf)
    width = model.lead_slow - 1
    x = np.zeros(n, dtype=np.int64)
    pipe = np.zeros((n, width), dtype=np.int64)
    ys = np.empty((periods, n), dtype=np.int64)
    qes = np.zeros(n)
    for t, d in enumerate(demands):
        q_e, q_r = rule(x, pipe)
        if t >= warmup:
            ys[t - warmup] = x + q_e
            qes += q_e
        full = np.concatenate([pipe, q_r[:, None]], axis=1)
        x = x + q_e - d + full[:, 0]
        pipe = full[:, 1:]
    out = []
    for i in range(n):
        values, counts = np.unique(ys[:, i], return_counts=True)
        mean_fast = qes[i] / periods
        level, cost, fill = _best_level(model, values, counts.astype(float), mean_fast)
        out.append((cost, mean_fast, level, fill))
    return out


# -- the searches ---------------------------------------------------------------------


def _shape_search(model, kind, shapes, make_rule, bounds, keep=3):
    """Screen every shape by simulation, solve the best ``keep`` exactly."""
    if not shapes:
        return None
    columns = [np.array([sh[j] for sh in shapes]) for j in range(len(shapes[0]))]
    periods = 6000 if len(shapes) <= 300 else 3000
    estimates = screen_shapes(model, make_rule(*columns), len(shapes), periods=periods)
    order = sorted(
        range(len(shapes)),
        key=lambda i: (not _within(bounds, estimates[i][1], model, slack=0.05), estimates[i][0]),
    )
    best, solved = None, 0
    for i in order[: 4 * keep]:
        if solved >= keep:
            break
        shape = shapes[i]
        rule = make_rule(*shape)
        try:
            level, cost, fill, ev = solve_shape(model, rule, max_order=_max_order(model, shape))
        except ChainTooLarge:
            break  # its neighbours are as large: keep the simulated estimate
        if not _within(bounds, ev.mean_fast, model):
            continue
        solved += 1
        if best is None or cost < best.cost - 1e-12:
            params = _params(kind, level, shape)
            best = Candidate(kind, params, cost, fill, ev.mean_fast, ev.mean_slow)
    admissible = [i for i in order if _within(bounds, estimates[i][1], model)]
    if best is None and admissible:
        # Every chain was too large: a simulated estimate, marked as such.
        i = admissible[0]
        level = estimates[i][2]
        est = simulated_estimate(model, shifted(make_rule(*shapes[i]), level))
        best = Candidate(
            kind,
            _params(kind, level, shapes[i]),
            est.cost,
            est.fill_rate,
            est.mean_fast,
            est.mean_slow,
            exact=False,
            stderr=est.stderr,
        )
    return best


def exact_evaluation(model, candidate: Candidate, max_states: int = 250_000):
    """The exact Markov-chain figures of a Dual Index or Capped Dual Index candidate
    (its chain solved with a larger limit), or None when still too large."""
    p = candidate.parameters
    if candidate.kind not in ("di", "cdi"):
        return None
    cap = p.get("q_r_cap")
    shape = (p["S_r"] - p["S_e"],) if cap is None else (p["S_r"] - p["S_e"], cap)
    rule = shifted(dual_index_rule(model, shape[0], cap=cap), p["S_e"])
    try:
        return evaluate(model, rule, max_order=_max_order(model, shape), max_states=max_states)
    except ChainTooLarge:
        return None


def _max_order(model, shape):
    k = model.max_demand
    return int(min(max(shape[-1], k + 1) if len(shape) > 1 else shape[0] + k + 1, 10**6))


def _within(bounds, mean_fast, model, slack=0.0):
    if not bounds or not model.mean_demand:
        return True
    share = mean_fast / model.mean_demand
    lo_fast, hi_fast = bounds
    return lo_fast - slack - 1e-9 <= share <= hi_fast + slack + 1e-9


def _params(kind, level, shape):
    if kind == "di":
        return {"S_e": level, "S_r": level + int(shape[0])}
    if kind == "cdi":
        return {"S_e": level, "S_r": level + int(shape[0]), "q_r_cap": int(shape[1])}
    if kind == "tbs":
        return {"S_e": level, "r": int(shape[0])}
    raise ValueError(kind)


def _deltas(model, most=40):
    """S_r - S_e from 0 to the slow lead time's demand plus three deviations."""
    d = np.arange(len(model.demand))
    var = float(model.pmf @ (d - model.mean_demand) ** 2)
    L = model.lead_slow
    top = int(np.ceil(L * model.mean_demand + 3 * np.sqrt(L * var))) + 2
    step = max(1, int(np.ceil((top + 1) / most)))
    return range(0, top + 1, step)


def search_dual_index(model, bounds=None):
    shapes = [(d,) for d in _deltas(model)]
    return _shape_search(model, "di", shapes, lambda d: dual_index_rule(model, d), bounds)


def search_capped_dual_index(model, bounds=None):
    k = max(model.max_demand, 1)
    low = max(int(np.floor(model.mean_demand)), 1)
    caps = range(low, k + 1, max(1, int(np.ceil((k + 1 - low) / 8))))
    shapes = [(d, c) for d in _deltas(model) for c in caps]
    return _shape_search(
        model, "cdi", shapes, lambda d, c: dual_index_rule(model, d, cap=c), bounds
    )


def solve_base_surge(model, r, tail=1e-13):
    """Exact TBS with slow order r: the 1-D chain x' = max(x, 0) + r - D.

    x is unbounded above (a reflected walk with negative drift), so the chain
    is cut at a level U whose stationary mass is below ``tail``; U doubles
    until it is.
    """
    k = model.max_demand
    lo = r - k
    span = 4 * (k + 1)
    while True:
        hi = lo + span
        n = hi - lo + 1
        xs = np.arange(lo, hi + 1)
        q_e = _cap(np.maximum(-xs, 0), model.cap_fast)
        y = xs + q_e
        rows, cols, vals = [], [], []
        for d, p in enumerate(model.pmf):
            if p:
                rows.append(np.arange(n))
                cols.append(np.clip(y + r - d, lo, hi) - lo)
                vals.append(np.full(n, p))
        P = sparse.csr_matrix(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n)
        )
        # A banded chain: the normalising row goes last, so the LU keeps the band.
        A = (P.T - sparse.identity(n, format="csr")).tolil()
        A[n - 1, :] = np.ones(n)
        rhs = np.zeros(n)
        rhs[-1] = 1.0
        pi = np.maximum(spsolve(A.tocsc(), rhs), 0)
        pi /= pi.sum()
        if pi[-k - 1 :].sum() < tail or span > 20000:
            break
        span *= 2
    mean_fast = float(pi @ q_e)
    level, cost, fill = _best_level(model, y, pi, mean_fast)
    return level, cost, fill, mean_fast


def search_base_surge(model, bounds=None):
    """Exact for every constant slow order r below the mean demand."""
    best = None
    cap = model.cap_slow if model.cap_slow is not None else NO_CAP
    for r in range(0, min(int(np.ceil(model.mean_demand)), cap + 1)):
        if r >= model.mean_demand - 1e-12:
            break
        level, cost, fill, mean_fast = solve_base_surge(model, r)
        if not _within(bounds, mean_fast, model):
            continue
        if best is None or cost < best.cost - 1e-12:
            best = Candidate("tbs", _params("tbs", level, (r,)), cost, fill, mean_fast, float(r))
    return best


def single_slow(model):
    """Base-stock on the slow source alone: a newsvendor on L+1 periods' demand."""
    if model.cap_slow is not None and model.cap_slow < model.max_demand:
        return None
    L = model.lead_slow
    over = convolve_power(model.pmf, L + 1)
    S = newsvendor_level(over, model.holding, model.backlog)
    cost = _level_cost(model, over, S)
    during = convolve_power(model.pmf, L)
    y = S - np.arange(len(during))
    fill = float(during @ model.filled(y)) / model.mean_demand if model.mean_demand else 1.0
    return Candidate("single", {"source": "slow", "S": S}, cost, fill, 0.0, model.mean_demand)


def single_fast(model):
    """Base-stock on the fast source alone: the premium on every unit plus a newsvendor."""
    if model.cap_fast is not None and model.cap_fast < model.max_demand:
        return None
    S = newsvendor_level(model.pmf, model.holding, model.backlog)
    cost = model.premium * model.mean_demand + _level_cost(model, model.pmf, S)
    fill = float(model.filled(np.array([S]))[0]) / model.mean_demand if model.mean_demand else 1.0
    return Candidate("single", {"source": "fast", "S": S}, cost, fill, model.mean_demand, 0.0)


def _level_cost(model, pmf, S):
    d = np.arange(len(pmf))
    over = model.holding * np.maximum(S - d, 0) + model.backlog * np.maximum(d - S, 0)
    return float(pmf @ over)


def static_split(model, fast_fraction):
    """Today's fixed split, its order-up-to level set at the exact best."""
    rule = static_split_rule(model, fast_fraction)
    level, cost, fill, ev = solve_shape(model, rule, max_order=model.max_demand + 1)
    return Candidate(
        "split",
        {"S": level, "fast_fraction": round(float(fast_fraction), 4)},
        cost,
        fill,
        ev.mean_fast,
        ev.mean_slow,
    )


class NoPolicy(RuntimeError):
    """No candidate respects the bounds (or the model is infeasible)."""
