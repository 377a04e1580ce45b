"""What planning saves: today's split is compared only where whole lots can keep it, and
the portfolio totals compare each part with the comparisons it has."""

from types import SimpleNamespace

import pytest
from django.utils import timezone

from planning.models import ReplenishmentPolicy
from planning.policies import heuristics
from planning.policies.model import DualSourcingModel
from planning.policy import _split_cost
from planning.selectors import portfolio_savings
from tests.factories import PartFactory, SiteFactory


def _sources(fast_pct, slow_pct):
    return (
        SimpleNamespace(source=SimpleNamespace(target_share_pct=fast_pct)),
        SimpleNamespace(source=SimpleNamespace(target_share_pct=slow_pct)),
    )


def test_a_split_whole_lots_cannot_keep_is_not_compared():
    # Demand is 0 or 1 lot a period: 20 % of one lot rounds to no lot, so the "split"
    # would order everything from the slow source.
    model = DualSourcingModel(
        lead_slow=2, premium=50.0, holding=1.0, backlog=20.0, demand=(0.65, 0.35)
    )
    notes = []
    assert _split_cost(model, *_sources(20, 80), notes) is None
    assert "cannot be kept in whole lots" in notes[0] and "20% fast" in notes[0]


def test_a_split_whole_lots_keep_is_compared_at_its_exact_cost():
    model = DualSourcingModel(
        lead_slow=2, premium=5.0, holding=5.0, backlog=95.0, demand=(0.2,) * 5
    )
    notes = []
    cost = _split_cost(model, *_sources(50, 50), notes)
    assert notes == []
    assert cost == pytest.approx(heuristics.static_split(model, 0.5).cost)


def _policy(part, cost, single, split):
    return ReplenishmentPolicy.objects.create(
        part=part, site="MAIN", kind="cdi", lot_size=1, expected_cost_per_period=cost,
        fill_rate=0.99, single_cost=single, split_cost=split, fingerprint="x",
        computed_at=timezone.now(),
    )  # fmt: skip


def test_portfolio_savings_compare_each_part_only_with_what_it_has(db, buyer):
    SiteFactory(code="MAIN")
    _policy(PartFactory(number="P-1"), cost=100.0, single=90.0, split=130.0)
    _policy(PartFactory(number="P-2"), cost=50.0, single=70.0, split=None)
    totals = portfolio_savings(user=buyer)
    assert totals["cost_per_period"] == pytest.approx(150.0)
    assert totals["saving_vs_single"] == pytest.approx(-10.0 + 20.0)
    # P-2 has no split to compare with: its cost does not count against the split.
    assert totals["saving_vs_split"] == pytest.approx(30.0)


def test_the_dashboard_says_more_than_not_a_negative_saving(db, client, buyer):
    SiteFactory(code="MAIN")
    _policy(PartFactory(number="P-1"), cost=100.0, single=90.0, split=130.0)
    client.force_login(buyer)
    page = client.get("/planning/suggestions/").content.decode()
    assert "10.00 more than the best single source" in page
    assert "saving 30.00 against today" in page
    assert "saving -" not in page
