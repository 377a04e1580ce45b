"""The dual-sourcing model (docs/planning.md, "The model").

Each period: (1) the slow order placed ``lead_slow`` periods ago arrives;
(2) a fast order ``q_e`` and a slow order ``q_r`` are placed, ``q_e`` arrives
at once; (3) demand ``D`` is met from stock, the rest backlogged; (4) the cost
is ``premium*q_e + holding*(x+q_e-D)+ + backlog*(D-x-q_e)+`` with ``x`` the net
inventory after (1). Quantities are whole lots; demand is a pmf over 0..k lots.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


class ModelError(ValueError):
    """The model's inputs are not usable (bad pmf, negative costs, ...)."""


@dataclass(frozen=True)
class DualSourcingModel:
    lead_slow: int
    premium: float
    holding: float
    backlog: float
    demand: tuple[float, ...]
    cap_fast: int | None = None
    cap_slow: int | None = None

    def __post_init__(self):
        pmf = np.asarray(self.demand, dtype=float)
        if pmf.ndim != 1 or pmf.size == 0 or np.any(pmf < 0):
            raise ModelError("demand must be a list of non-negative probabilities")
        total = pmf.sum()
        if abs(total - 1.0) > 1e-6:
            raise ModelError(f"demand probabilities must sum to 1 (they sum to {total:.6f})")
        if self.lead_slow < 1:
            raise ModelError("the slow lead time must be at least one period")
        if self.holding <= 0 or self.backlog <= 0 or self.premium < 0:
            raise ModelError("holding and backlog must be positive, the premium not negative")
        # Trailing zero probabilities only widen the state space.
        last = int(np.flatnonzero(pmf > 0)[-1])
        object.__setattr__(self, "demand", tuple(float(p) for p in pmf[: last + 1] / total))

    @property
    def pmf(self) -> np.ndarray:
        return np.asarray(self.demand, dtype=float)

    @property
    def max_demand(self) -> int:
        return len(self.demand) - 1

    @property
    def mean_demand(self) -> float:
        return float(np.dot(np.arange(len(self.demand)), self.pmf))

    def stage_cost(self, y) -> np.ndarray:
        """G(y) = E[h (y-D)+ + b (D-y)+] for the inventory ``y`` after the fast order."""
        y = np.asarray(y, dtype=float)
        d = np.arange(len(self.demand), dtype=float)
        diff = y[..., None] - d
        cost = self.holding * np.maximum(diff, 0) + self.backlog * np.maximum(-diff, 0)
        return cost @ self.pmf

    def filled(self, y) -> np.ndarray:
        """Expected demand served at once from stock when ``y`` is the net inventory."""
        y = np.maximum(np.asarray(y, dtype=float), 0)
        d = np.arange(len(self.demand), dtype=float)
        return np.minimum(d, y[..., None]) @ self.pmf


def parse_demand(text: str) -> tuple[float, ...]:
    """'0.2,0.2,0.2,0.2,0.2' -> probabilities; a 400-worthy ModelError otherwise."""
    try:
        values = tuple(float(v) for v in text.replace(";", ",").split(",") if v.strip())
    except ValueError as exc:
        raise ModelError(f"demand must be comma-separated probabilities: {exc}") from exc
    if not values:
        raise ModelError("demand needs at least one probability")
    return values


def convolve_power(pmf: np.ndarray, n: int) -> np.ndarray:
    """The pmf of the sum of ``n`` independent draws."""
    out = np.array([1.0])
    for _ in range(n):
        out = np.convolve(out, pmf)
    return out


def newsvendor_level(pmf: np.ndarray, holding: float, backlog: float, offset: int = 0) -> int:
    """Smallest level s with P(X <= s) >= b/(b+h) for X with ``pmf`` on offset, offset+1, ..."""
    ratio = backlog / (backlog + holding)
    cdf = np.cumsum(pmf)
    return int(np.searchsorted(cdf, ratio - 1e-12)) + offset
