"""The optimal policy by relative value iteration (docs/planning.md, "Exact").

State: (x, p_1..p_{L-1}) with x the net inventory after the slow arrival and
p_j the slow order arriving j periods from now. Writing y = x + q_e and
w = y + p_1, the Bellman operator separates:

    J(w, p_2.., q) = E V(w - D, p_2.., q)
    K(w, p_2..)    = min_q J(w, p_2.., q)                (slow order)
    F(y, p)        = c_e y + G(y) + K(y + p_1, p_2..)
    (T V)(x, p)    = -c_e x + min_{x <= y <= x + cap} F(y, p)   (fast order)

so one sweep costs O(states x demand support) in numpy. Below the grid the
value is extended exactly (V(x) = V(lo) + c_e (lo - x) while the best y stays
on the grid); above it is clipped. The grid grows until the optimal policy's
recurrent class touches no boundary, so the truncation cannot change the
answer; the reported cost is the exact chain cost of the greedy policy.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .chain import ChainTooLarge, Evaluation, evaluate
from .model import DualSourcingModel


class TooLarge(RuntimeError):
    """The exact state space is above the limit for this model."""


@dataclass
class ExactResult:
    gain: float
    lower: float
    upper: float
    iterations: int
    grid: tuple[int, int, int]
    y_table: np.ndarray = field(repr=False)
    qr_table: np.ndarray = field(repr=False)
    evaluation: Evaluation | None = None
    more_table: np.ndarray | None = field(default=None, repr=False)

    @property
    def lo(self) -> int:
        return self.grid[0]

    def _index(self, x, pipe):
        lo, hi, top = self.grid
        xi = np.clip(x - lo, 0, hi - lo)
        return (xi,) + tuple(np.clip(pipe[:, j], 0, top) for j in range(pipe.shape[1]))

    def wants_more(self, x, pipe):
        """States where the slow order sits at the grid's top and a larger one looked cheaper."""
        if self.more_table is None:
            return np.zeros(len(x), dtype=bool)
        return self.more_table[self._index(x, pipe)]

    def decide(self, x, pipe):
        """Greedy orders for arrays of states (clipped onto the grid)."""
        lo, hi, top = self.grid
        xi = np.clip(x - lo, 0, hi - lo)
        idx = (xi,) + tuple(np.clip(pipe[:, j], 0, top) for j in range(pipe.shape[1]))
        y = self.y_table[idx]
        y = np.where(x > hi, x, np.maximum(y, x))
        return (y - x).astype(np.int64), self.qr_table[idx].astype(np.int64)


def state_count(model: DualSourcingModel, lo: int, hi: int, top: int) -> int:
    return (hi - lo + 1) * (top + 1) ** (model.lead_slow - 1)


def _sweep(model, V, lo, hi, top, base_y, want_policy=False):
    """One application of T; returns TV (and the greedy tables on request)."""
    k = model.max_demand
    L = model.lead_slow
    nx = hi - lo + 1
    pmf = model.pmf
    rest = V.shape[1:]
    # Extended V on z in [lo - k, hi + top]: exact linear below, clipped above.
    below = V[0][None] + model.premium * np.arange(k, 0, -1, dtype=float).reshape(
        (k,) + (1,) * len(rest)
    )
    above = np.broadcast_to(V[-1][None], (top,) + rest)
    ext = np.concatenate([below, V, above], axis=0)
    nw = nx + top
    J = np.zeros((nw,) + rest)
    for d, p in enumerate(pmf):
        if p:
            J += p * ext[k - d : k - d + nw]
    if L == 1:
        # The slow order arrives next period: w = y + q_r.
        K = np.minimum.accumulate(J[::-1], axis=0)[::-1][:nx]
        F = base_y + K
        qarg = None
    else:
        K = J.min(axis=-1)
        qarg = J.argmin(axis=-1) if want_policy else None
        F = np.empty((nx,) + rest)
        for j in range(top + 1):
            F[:, j] = base_y.reshape((nx,) + (1,) * (L - 2)) + K[j : j + nx]
    cap = model.cap_fast
    if cap is None or cap >= nx:
        best = np.minimum.accumulate(F[::-1], axis=0)[::-1]
    else:
        best = F.copy()
        for off in range(1, cap + 1):
            best[:-off] = np.minimum(best[:-off], F[off:])
    xs = np.arange(lo, hi + 1, dtype=float).reshape((nx,) + (1,) * (L - 1))
    TV = best - model.premium * xs
    if not want_policy:
        return TV, None, None, None
    return TV, *_greedy(model, F, best, J, K, qarg, lo, top)


def _greedy(model, F, best, J, K, qarg, lo, top):
    nx = F.shape[0]
    L = model.lead_slow
    # y index: the first y >= x (within the cap) reaching the minimum.
    yi = np.empty(F.shape, dtype=np.int64)
    cap = model.cap_fast if model.cap_fast is not None else nx
    for xi in range(nx):
        window = F[xi : xi + cap + 1]
        slack = 1e-9 * (1 + np.abs(best[xi][None]))
        yi[xi] = xi + np.argmax(window <= best[xi][None] + slack, axis=0)
    y_table = yi + lo
    if L == 1:
        # q_r: the smallest r with J(y + r) at the suffix minimum.
        qr = np.zeros(nx, dtype=np.int64)
        for xi in range(nx):
            yv = yi[xi]
            seg = J[yv:]
            qr[xi] = int(np.argmax(seg <= K[yv] + 1e-9 * (1 + abs(K[yv]))))
        return y_table, qr, None
    p1 = np.arange(top + 1).reshape((1, top + 1) + (1,) * (L - 2))
    w = yi + p1
    rest_idx = np.indices(F.shape[2:]) if L > 2 else ()
    idx = (w,) + tuple(r[None, None] for r in rest_idx)
    qr = qarg[idx]
    # A slow order at the top of the grid that was still getting cheaper: the grid binds.
    at_top = (J[..., -1] < J[..., -2] - 1e-9 * (1 + np.abs(J[..., -1]))) if top else J[..., -1] < 0
    return y_table, qr, at_top[idx] & (qr == top)


def solve(
    model: DualSourcingModel,
    *,
    tol: float = 1e-9,
    max_iter: int = 20_000,
    max_states: int = 400_000,
    lo: int | None = None,
    hi: int | None = None,
    top: int | None = None,
) -> ExactResult:
    """Optimal long-run average cost and policy; grows the grid until it does not bind."""
    k = model.max_demand
    L = model.lead_slow
    lo = -k if lo is None else lo
    hi = (L + 1) * k + 2 if hi is None else hi
    top = max(k, 1) if top is None else top
    if model.cap_slow is not None:
        top = min(top, model.cap_slow)
    for _ in range(6):
        if state_count(model, lo, hi, top) > max_states:
            raise TooLarge(f"{state_count(model, lo, hi, top)} states")
        result = _iterate(model, lo, hi, top, tol, max_iter)
        grow = _boundary_check(model, result)
        if not grow:
            return result
        lo, hi, top = (
            lo - k * ("lo" in grow),
            hi + max(k, 2) * ("hi" in grow),
            top + max(k // 2, 1) * ("top" in grow),
        )
    raise TooLarge("the grid kept binding")


def _iterate(model, lo, hi, top, tol, max_iter):
    L = model.lead_slow
    nx = hi - lo + 1
    ys = np.arange(lo, hi + 1, dtype=float)
    base_y = model.premium * ys + model.stage_cost(ys)
    V = np.zeros((nx,) + (top + 1,) * (L - 1))
    lower = upper = 0.0
    it = 0
    while it < max_iter:
        it += 1
        TV, _, _, _ = _sweep(model, V, lo, hi, top, base_y)
        diff = TV - V
        lower, upper = float(diff.min()), float(diff.max())
        V = TV - TV.flat[0]
        if upper - lower < tol * max(1.0, abs(upper)):
            break
    _, y_table, qr_table, more = _sweep(model, V, lo, hi, top, base_y, want_policy=True)
    return ExactResult(
        gain=(lower + upper) / 2,
        lower=lower,
        upper=upper,
        iterations=it,
        grid=(lo, hi, top),
        y_table=y_table.astype(np.int32),
        qr_table=np.asarray(qr_table).astype(np.int32),
        more_table=more,
    )


def _boundary_check(model, result: ExactResult) -> set[str]:
    """Which sides of the grid the greedy policy's recurrent class touches."""
    lo, hi, top = result.grid
    grow: set[str] = set()
    try:
        ev, visited = _evaluate_with_states(model, result)
    except ChainTooLarge:
        grow.update({"hi", "top"})
        return grow
    x, pipe, q_e, q_r, _ = visited
    y = x + q_e
    if np.any(y >= hi) or np.any(x >= hi - model.max_demand) or np.any(x <= lo):
        grow.add("hi" if np.any(x >= hi - model.max_demand) or np.any(y >= hi) else "lo")
    if top < (model.cap_slow or 10**9) and np.any(result.wants_more(x, pipe)):
        grow.add("top")
    result.evaluation = ev
    return grow


def _evaluate_with_states(model, result):
    return evaluate(model, result.decide, max_order=result.grid[2] + 1, return_states=True)
