"""Exact long-run cost of a stationary policy through its Markov chain.

A policy is a function ``decide(x, pipe) -> (q_e, q_r)`` on arrays: ``x`` the
net inventory after the slow arrival, ``pipe`` the outstanding slow orders
(oldest first, ``lead_slow - 1`` columns). The chain's states are enumerated
from a recurrent state (found by a short warm-up simulation), the transition
matrix is built sparse and the stationary distribution solved exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from .model import DualSourcingModel

Decide = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]

X_OFFSET = 1 << 19
X_BITS = 20


class ChainTooLarge(RuntimeError):
    """The policy's chain has more states than the limit: simulate instead."""


@dataclass(frozen=True)
class Evaluation:
    cost: float
    fill_rate: float
    mean_fast: float
    mean_slow: float
    states: int
    exact: bool

    def share_fast(self, mean_demand: float) -> float:
        return self.mean_fast / mean_demand if mean_demand else 0.0


def step(model: DualSourcingModel, x, pipe, q_e, q_r, d):
    """Next state after demand ``d`` (arrays broadcast)."""
    full = np.concatenate([pipe, q_r[:, None]], axis=1)
    return x + q_e - d + full[:, 0], full[:, 1:]


def simulate(
    model: DualSourcingModel, decide: Decide, demands: np.ndarray, x0: int = 0, pipe0=None
):
    """One path; returns per-period arrays (x, q_e, q_r, y) and the final state."""
    width = model.lead_slow - 1
    x = np.array([x0], dtype=np.int64)
    pipe = np.zeros((1, width), dtype=np.int64) if pipe0 is None else np.asarray(pipe0)[None, :]
    xs, qes, qrs = (np.empty(len(demands), dtype=np.int64) for _ in range(3))
    for t, d in enumerate(demands):
        q_e, q_r = decide(x, pipe)
        xs[t], qes[t], qrs[t] = x[0], q_e[0], q_r[0]
        x, pipe = step(model, x, pipe, q_e, q_r, d)
    return xs, qes, qrs, (int(x[0]), pipe[0].copy())


def simulated_cost(
    model: DualSourcingModel, decide: Decide, periods: int, seed: int = 7, paths: int = 50
):
    """Average cost per period over ``paths`` independent simulated paths (after a warm-up),
    ``periods`` periods in all."""
    rng = np.random.default_rng(seed)
    warmup, length = 500, max(periods // paths, 1)
    demands = rng.choice(len(model.demand), size=(warmup + length, paths), p=model.pmf)
    x = np.zeros(paths, dtype=np.int64)
    pipe = np.zeros((paths, model.lead_slow - 1), dtype=np.int64)
    total = 0.0
    for t, d in enumerate(demands):
        q_e, q_r = decide(x, pipe)
        if t >= warmup:
            y = x + q_e
            cost = model.premium * q_e + model.holding * np.maximum(y - d, 0)
            total += float((cost + model.backlog * np.maximum(d - y, 0)).sum())
        x, pipe = step(model, x, pipe, q_e, q_r, d)
    return total / (length * paths)


@dataclass(frozen=True)
class Estimate:
    """A simulated long-run figure: the mean over independent paths and its standard error."""

    cost: float
    stderr: float
    fill_rate: float
    mean_fast: float
    mean_slow: float


def simulated_estimate(
    model: DualSourcingModel, decide: Decide, periods: int = 40_000, paths: int = 40, seed: int = 7
) -> Estimate:
    """Cost per period of ``decide`` estimated on ``paths`` independent paths after a
    warm-up (each period scores the expected stage cost of its inventory, which lowers the
    variance); the standard error is that of the mean of the paths' averages."""
    rng = np.random.default_rng(seed)
    warmup, length = 500, max(periods // paths, 1)
    demands = rng.choice(len(model.demand), size=(warmup + length, paths), p=model.pmf)
    x = np.zeros(paths, dtype=np.int64)
    pipe = np.zeros((paths, model.lead_slow - 1), dtype=np.int64)
    totals = np.zeros(paths)
    served = fast = slow = 0.0
    for t, d in enumerate(demands):
        q_e, q_r = decide(x, pipe)
        if t >= warmup:
            y = x + q_e
            totals += model.premium * q_e + model.stage_cost(y)
            served += float(model.filled(y).sum())
            fast, slow = fast + float(q_e.sum()), slow + float(q_r.sum())
        x, pipe = step(model, x, pipe, q_e, q_r, d)
    means = totals / length
    n = length * paths
    mean_d = model.mean_demand
    return Estimate(
        cost=float(means.mean()),
        stderr=float(means.std(ddof=1) / np.sqrt(paths)),
        fill_rate=served / n / mean_d if mean_d else 1.0,
        mean_fast=fast / n,
        mean_slow=slow / n,
    )


def _encode(x, pipe, radix: int) -> np.ndarray:
    code = x.astype(np.int64) + X_OFFSET
    for j in range(pipe.shape[1]):
        code = code * radix + pipe[:, j]
    return code


def _decode(codes: np.ndarray, width: int, radix: int):
    pipe = np.empty((len(codes), width), dtype=np.int64)
    rest = codes.copy()
    for j in range(width - 1, -1, -1):
        pipe[:, j] = rest % radix
        rest //= radix
    return rest - X_OFFSET, pipe


def _enumerate(model, decide, start, radix, max_states):
    """Every state reachable from ``start``, breadth first; the codes sorted."""
    width = model.lead_slow - 1
    support = np.arange(len(model.demand))
    frontier = np.unique(_encode(np.array([start[0]]), np.asarray(start[1])[None, :], radix))
    known = set(frontier.tolist())  # a set: membership stays O(1) however deep the chain
    depth = 0
    while frontier.size:
        depth += 1
        if depth > 4000:
            raise ChainTooLarge("the chain keeps growing")
        x, pipe = _decode(frontier, width, radix)
        q_e, q_r = decide(x, pipe)
        if np.any(q_r >= radix) or np.any(q_r < 0) or np.any(q_e < 0):
            raise ChainTooLarge("a slow order leaves the encoded range")
        nxt = [_encode(*step(model, x, pipe, q_e, q_r, d), radix) for d in support]
        new = [code for code in np.unique(np.concatenate(nxt)).tolist() if code not in known]
        known.update(new)
        if len(known) > max_states:
            raise ChainTooLarge(f"more than {max_states} states")
        frontier = np.asarray(new, dtype=np.int64)
    return np.sort(np.fromiter(known, dtype=np.int64, count=len(known)))


def evaluate(
    model: DualSourcingModel,
    decide: Decide,
    *,
    max_order: int,
    start: tuple[int, np.ndarray] | None = None,
    max_states: int = 250_000,
    warmup: int = 300,
    return_states: bool = False,
):
    """Exact stationary cost, fill rate and mean orders of ``decide`` on ``model``."""
    width = model.lead_slow - 1
    radix = int(max_order) + 1
    if X_BITS + width * np.log2(max(radix, 2)) > 62:
        raise ChainTooLarge("state encoding too wide")
    if start is None:
        demands = np.random.default_rng(11).choice(len(model.demand), warmup, p=model.pmf)
        _, _, _, start = simulate(model, decide, demands)
    codes = _enumerate(model, decide, start, radix, max_states)
    x, pipe = _decode(codes, width, radix)
    q_e, q_r = decide(x, pipe)
    n = codes.size
    rows, cols, vals = [], [], []
    for d, p in enumerate(model.pmf):
        if p == 0:
            continue
        nx, npipe = step(model, x, pipe, q_e, q_r, d)
        rows.append(np.arange(n))
        cols.append(np.searchsorted(codes, _encode(nx, npipe, radix)))
        vals.append(np.full(n, p))
    P = sparse.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n)
    )
    pi = stationary(P)
    y = x + q_e
    cost = model.premium * q_e + model.stage_cost(y)
    mean_d = model.mean_demand
    fill = float(pi @ model.filled(y) / mean_d) if mean_d else 1.0
    ev = Evaluation(
        cost=float(pi @ cost),
        fill_rate=fill,
        mean_fast=float(pi @ q_e),
        mean_slow=float(pi @ q_r),
        states=n,
        exact=True,
    )
    return (ev, (x, pipe, q_e, q_r, pi)) if return_states else ev


def stationary(P: sparse.csr_matrix, tol: float = 1e-13, max_iter: int = 200_000) -> np.ndarray:
    """Stationary distribution of a chain with one recurrent class.

    Small chains: a direct solve. Larger ones: power iteration on the lazy
    chain (I + P) / 2, which has the same stationary distribution and no
    periodicity, until the residual |pi P - pi|_1 is below ``tol``.
    """
    n = P.shape[0]
    if n == 1:
        return np.ones(1)
    if n <= 300:
        A = np.eye(n) - P.toarray().T
        A[-1] = 1.0
        rhs = np.zeros(n)
        rhs[-1] = 1.0
        pi = np.maximum(np.linalg.solve(A, rhs), 0)
        return pi / pi.sum()
    PT = P.T.tocsr()
    pi = np.full(n, 1.0 / n)
    for it in range(max_iter):
        nxt = PT @ pi
        if it % 20 == 0 and np.abs(nxt - pi).sum() < tol:
            pi = nxt
            break
        pi = 0.5 * (pi + nxt)
    pi = np.maximum(pi, 0)
    return pi / pi.sum()
