"""The replenishment mathematics against hand-solved cases, formulas and simulation."""

import numpy as np
import pytest

from planning.policies import chain, exact, heuristics
from planning.policies.choose import choose, fast_share_bounds
from planning.policies.model import DualSourcingModel, ModelError

UNIFORM_4 = (0.2,) * 5


def model(lead=2, premium=20.0, holding=5.0, backlog=495.0, demand=UNIFORM_4, **caps):
    return DualSourcingModel(
        lead_slow=lead, premium=premium, holding=holding, backlog=backlog, demand=demand, **caps
    )


# Lead time 1, demand 0 or 1 lot with probability 1/2, h = 1, b = 9.
# G(0) = 4.5, G(1) = 0.5, G(2) = 1.5. Whatever the position z after this period's
# orders, next period pays at least 0.5 more than G(1): z >= 2 leaves x = 2 half
# the time (G = 1.5), z <= 1 leaves x = 0 half the time (expedite one lot at c_e,
# or G(0) = 4.5). So the optimum is 0.5 + 0.5 * min(c_e, 1), reached by keeping z = 1
# (expedite) or z = 2 (slow only).
@pytest.mark.parametrize(
    ("premium", "optimum"), [(0.0, 0.5), (0.2, 0.6), (0.6, 0.8), (1.5, 1.0), (5.0, 1.0)]
)
def test_value_iteration_matches_the_hand_solved_lead_time_one_case(premium, optimum):
    m = model(lead=1, premium=premium, holding=1, backlog=9, demand=(0.5, 0.5))
    result = exact.solve(m)
    assert result.gain == pytest.approx(optimum, abs=1e-7)
    assert result.evaluation.cost == pytest.approx(optimum, abs=1e-9)


def test_single_slow_base_stock_is_the_newsvendor_on_lead_plus_one_periods():
    # L = 1, D in {0, 1}: two periods' demand is 0/1/2 w.p. 1/4, 1/2, 1/4; b/(b+h) = 0.9
    # gives S = 2 and a cost of h * E[2 - D1 - D2] = 1.
    m = model(lead=1, premium=5, holding=1, backlog=9, demand=(0.5, 0.5))
    single = heuristics.single_slow(m)
    assert single.parameters == {"source": "slow", "S": 2}
    assert single.cost == pytest.approx(1.0)


def test_the_optimum_does_not_move_when_the_grid_is_widened():
    m = model(lead=3, premium=10, holding=5, backlog=95)
    base = exact.solve(m)
    lo, hi, top = base.grid
    wide = exact.solve(m, lo=lo - 4, hi=hi + 6, top=top + 2)
    assert wide.gain == pytest.approx(base.gain, abs=1e-7)
    assert base.evaluation.cost == pytest.approx(base.gain, abs=1e-6)


def test_value_iteration_agrees_with_a_simulation_of_its_policy():
    m = model(lead=3, premium=10, holding=5, backlog=95, demand=(0.1, 0.3, 0.4, 0.2))
    result = exact.solve(m)
    simulated = chain.simulated_cost(m, result.decide, periods=150_000)
    assert simulated == pytest.approx(result.gain, rel=0.01)


def test_markov_chain_cost_of_a_fixed_policy_matches_a_long_simulation():
    m = model(lead=3, premium=20, holding=5, backlog=495)
    rule = heuristics.shifted(heuristics.dual_index_rule(m, 7, cap=3), 4)
    ev = chain.evaluate(m, rule, max_order=4)
    simulated = chain.simulated_cost(m, rule, periods=200_000, seed=3)
    assert simulated == pytest.approx(ev.cost, rel=0.01)
    assert ev.mean_fast + ev.mean_slow == pytest.approx(m.mean_demand, abs=1e-9)


def test_chain_cost_of_slow_base_stock_equals_the_formula():
    m = model(lead=3, premium=20, holding=5, backlog=95, demand=(0.1, 0.2, 0.3, 0.4))
    single = heuristics.single_slow(m)
    S = single.parameters["S"]

    def base_stock(x, pipe):
        return np.zeros_like(x), np.maximum(S - x - pipe.sum(axis=1), 0)

    ev = chain.evaluate(m, base_stock, max_order=4)
    assert ev.cost == pytest.approx(single.cost, abs=1e-9)
    assert ev.fill_rate == pytest.approx(single.fill_rate, abs=1e-9)


def _exact_cost(m, kind, params):
    if kind == "di":
        rule = heuristics.dual_index_rule(m, params["S_r"] - params["S_e"])
    else:
        rule = heuristics.dual_index_rule(m, params["S_r"] - params["S_e"], cap=params["q_r_cap"])
    return chain.evaluate(m, heuristics.shifted(rule, params["S_e"]), max_order=20).cost


@pytest.mark.parametrize("kind", ["di", "cdi"])
def test_dual_index_searches_find_a_local_optimum(kind):
    m = model(lead=3, premium=10, holding=5, backlog=95)
    search = heuristics.search_dual_index if kind == "di" else heuristics.search_capped_dual_index
    best = search(m)
    assert _exact_cost(m, kind, best.parameters) == pytest.approx(best.cost, abs=1e-9)
    for key in ("S_e", "S_r"):
        for step in (-1, 1):
            params = dict(best.parameters, **{key: best.parameters[key] + step})
            if params["S_r"] < params["S_e"]:
                continue
            assert _exact_cost(m, kind, params) >= best.cost - 1e-9


def test_base_surge_search_is_the_best_constant_slow_order():
    m = model(lead=3, premium=5, holding=5, backlog=495, demand=(1 / 9,) * 9)
    best = heuristics.search_base_surge(m)
    for r in range(4):
        _, cost, _, _ = heuristics.solve_base_surge(m, r)
        assert best.cost <= cost + 1e-12
    assert best.mean_slow == best.parameters["r"]


def test_policies_rank_as_theory_says_on_the_textbook_case():
    m = model(lead=2, premium=20, holding=5, backlog=495)
    optimum = choose(m).chosen
    assert optimum.kind == "exact"
    assert optimum.cost == pytest.approx(23.0714, abs=5e-5)
    cdi = choose(m, kind="cdi").chosen
    di = choose(m, kind="di").chosen
    single = choose(m, kind="single").chosen
    assert optimum.cost <= cdi.cost <= di.cost <= single.cost


def test_share_bounds_are_respected():
    m = model(lead=2, premium=5, holding=5, backlog=495)
    free = choose(m).chosen
    assert free.mean_fast / m.mean_demand > 0.1
    bounds = fast_share_bounds(fast=(0.0, 0.1), slow=(0.0, 1.0))
    bounded = choose(m, bounds=bounds).chosen
    assert bounded.mean_fast / m.mean_demand <= 0.1 + 1e-9
    assert bounded.cost >= free.cost


def test_capacity_caps_every_order():
    m = model(lead=2, premium=5, holding=5, backlog=495, cap_slow=2, cap_fast=3)
    result = exact.solve(m)
    ev, (x, pipe, q_e, q_r, pi) = chain.evaluate(m, result.decide, max_order=3, return_states=True)
    assert q_r.max() <= 2 and q_e.max() <= 3
    assert ev.cost == pytest.approx(result.gain, abs=1e-6)
    tbs = heuristics.search_base_surge(m)
    assert tbs.parameters["r"] <= 2


def test_bad_demand_is_refused():
    with pytest.raises(ModelError):
        model(demand=(0.5, 0.6))
