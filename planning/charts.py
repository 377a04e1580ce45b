"""The planning chart: a simulated year of the chosen policy (docs/planning.md).

A plain plotly figure dict drawn by static/js/charts.js, like the workspace charts.
"""

import json

import numpy as np

from planning.policy import orders_now

PALETTE = ("#0b63b6", "#d9822b", "#1e7b34")


def simulate_year(policy, periods: int = 52, seed: int = 1) -> dict:
    """On hand (units) and orders per source per period, one seeded demand path."""
    pmf = np.asarray(policy.inputs.get("demand_pmf_lots") or [1.0], dtype=float)
    pmf = pmf / pmf.sum()
    lot = int(policy.lot_size)
    lead = max(_lead(policy), 1)
    rng = np.random.default_rng(seed)
    demand = rng.choice(len(pmf), size=periods, p=pmf)
    x, pipe = 0, [0] * (lead - 1)
    out = {"on_hand": [], "fast": [], "slow": []}
    for d in demand:
        q_e, q_r = orders_now(policy.kind, policy.parameters, policy.table, (x, pipe))
        if policy.kind == "base_stock":
            q_e, q_r = (q_r, 0) if lead == 1 and not pipe else (0, q_r)
        full = [*pipe, q_r]
        out["on_hand"].append(max(x + q_e, 0) * lot)
        out["fast"].append(q_e * lot)
        out["slow"].append(q_r * lot)
        x, pipe = x + q_e - int(d) + full[0], full[1:]
    return out


def _lead(policy) -> int:
    leads = {s["role"]: s["lead_periods"] for s in policy.inputs.get("sources", [])}
    if "fast" in leads:
        return max(leads["slow"] - leads["fast"], 1)
    return max(leads.get("slow", 1), 1)


def year_figure(policy) -> str:
    sim = simulate_year(policy)
    weeks = list(range(1, len(sim["on_hand"]) + 1))
    fast = policy.fast_supplier.code if policy.fast_supplier else "fast"
    slow = policy.slow_supplier.code if policy.slow_supplier else "slow"
    figure = {
        "data": [
            {"type": "scatter", "mode": "lines", "name": "On hand", "x": weeks,
             "y": sim["on_hand"], "line": {"color": PALETTE[0]}},
            {"type": "bar", "name": f"Orders {fast} (fast)", "x": weeks, "y": sim["fast"],
             "marker": {"color": PALETTE[1]}},
            {"type": "bar", "name": f"Orders {slow} (slow)", "x": weeks, "y": sim["slow"],
             "marker": {"color": PALETTE[2]}},
        ],
        "layout": {
            "title": {"text": "A simulated year of this policy", "font": {"size": 14}},
            "barmode": "group",
            "height": 280,
            "margin": {"t": 30, "r": 20, "l": 50, "b": 40},
            "legend": {"orientation": "h", "y": -0.2},
            "xaxis": {"title": {"text": "period"}},
        },
    }  # fmt: skip
    return json.dumps(figure, separators=(",", ":"))
