"""Contracts: one per supplying supplier, some renewed within the history, with delivery
tolerances, KPI targets, rules, price tiers and volume commitments."""

import datetime as dt
import random
from decimal import Decimal

from contracts.models import Contract, ContractRule, PriceTier, VolumeCommitment
from contracts.services import contracts_create
from demo.generators.plan import Calendar, ContractTerms, SupplierPlan, add_months

# (early, late) delivery tolerance days of a contract and how often each occurs.
TOLERANCES = ((3, 0), (5, 2), (2, 1), (0, 0), (7, 3))
TOLERANCE_WEIGHTS = (75, 8, 7, 5, 5)


def _money(value: float) -> Decimal:
    return Decimal(repr(value)).quantize(Decimal("0.0001"))


def contracts_build(
    *, rng: random.Random, suppliers: list[SupplierPlan], calendar: Calendar, actor
) -> None:
    """One contract per supplier with sources; about a quarter renewed within the history."""
    contracts, rules, tiers, commitments = [], [], [], []
    months_of_history = (calendar.today - calendar.first_month).days // 30
    for plan in suppliers:
        if not plan.sources:
            continue
        code = plan.supplier.code
        first_from = calendar.first_month - dt.timedelta(days=rng.randint(30, 700))
        tolerances = rng.choices(TOLERANCES, weights=TOLERANCE_WEIGHTS)[0]
        terms = []
        if months_of_history >= 10 and rng.random() < 0.25:
            renewal_month = rng.randint(6, months_of_history - 3)
            renewal = add_months(calendar.first_month, renewal_month)
            terms.append(ContractTerms(first_from, renewal - dt.timedelta(days=1), *tolerances))
            # Renewals usually tighten the delivery window to the standard 3 / 0 days.
            tolerances = (3, 0) if rng.random() < 0.8 else tolerances
            terms.append(
                ContractTerms(renewal, renewal + dt.timedelta(days=3 * 365 - 1), *tolerances)
            )
        else:
            valid_to = (
                None
                if rng.random() < 0.5
                else calendar.today + dt.timedelta(days=rng.randint(45, 900))
            )
            terms.append(ContractTerms(first_from, valid_to, *tolerances))
        plan.contracts = terms
        for n, term in enumerate(terms):
            current = n == len(terms) - 1
            contract = Contract(
                supplier=plan.supplier,
                reference=f"CT-{code}-{term.valid_from:%Y%m}",
                valid_from=term.valid_from,
                valid_to=term.valid_to,
                early_tolerance_days=term.early_tolerance_days,
                late_tolerance_days=term.late_tolerance_days,
                otd_target_pct=Decimal(rng.choice((95, 95, 95, 92, 97))),
                defect_ppm_target=Decimal(rng.choice((500, 500, 1000, 250))),
                notes="Renewed contract." if n else "",
            )
            contracts.append(contract)
            rules += _rules_build(rng, contract, is_active=current)
            if not current:
                continue  # an expired contract keeps its terms and rules, nothing more
            for source_plan in plan.sources:
                yearly = (
                    source_plan.source.target_share_pct
                    / 100
                    * Decimal(round(source_plan.part_monthly_demand * 12))
                )
                commitments.append(
                    VolumeCommitment(
                        contract=contract,
                        part=source_plan.source.part,
                        min_quantity_per_year=(yearly * Decimal("0.6")).quantize(Decimal("1")),
                        max_quantity_per_year=(yearly * Decimal("1.4")).quantize(Decimal("1")),
                    )
                )
            top = sorted(plan.sources, key=lambda s: -s.part_monthly_demand * s.share)
            for source_plan in top[: rng.randint(1, 2)]:
                yearly = source_plan.part_monthly_demand * source_plan.share * 12
                steps = ((0, 1.0), (0.8, 0.97), (1.2, 0.94))
                for k, (volume, factor) in enumerate(steps):
                    tiers.append(
                        PriceTier(
                            contract=contract,
                            part=source_plan.source.part,
                            min_quantity=Decimal(round(yearly * volume)),
                            unit_price=_money(source_plan.unit_price * factor),
                            is_applied=k == 0,
                        )
                    )
                rules.append(
                    ContractRule(
                        contract=contract,
                        name=f"Volume above {round(yearly * 0.8):,} — next price tier",
                        part=source_plan.source.part,
                        metric=ContractRule.Metric.ORDERED_QUANTITY_YTD,
                        window=ContractRule.Window.ROLLING_DAYS,
                        window_days=365,
                        comparator=ContractRule.Comparator.GTE,
                        threshold=Decimal(round(yearly * 0.8)),
                        action=ContractRule.Action.PRICE_TIER,
                        cooldown_days=90,
                    )
                )
    contracts_create(
        contracts=contracts, rules=rules, price_tiers=tiers, commitments=commitments, actor=actor
    )


def _rules_build(rng, contract, *, is_active):
    otd_threshold = rng.choice((85, 85, 85, 90))
    shift = rng.choice((10, 10, 10, 5, 15))
    return [
        ContractRule(
            contract=contract,
            name=f"OTD below {otd_threshold}% over 90 days — shift {shift} points",
            metric=ContractRule.Metric.OTD_PCT,
            window=ContractRule.Window.ROLLING_DAYS,
            window_days=90,
            comparator=ContractRule.Comparator.LT,
            threshold=Decimal(otd_threshold),
            action=ContractRule.Action.SHIFT_SHARE,
            amount=Decimal(shift),
            cooldown_days=30,
            is_active=is_active,
        ),
        ContractRule(
            contract=contract,
            name="Defect rate above 5,000 PPM over 90 days — alert",
            metric=ContractRule.Metric.DEFECT_PPM,
            window=ContractRule.Window.ROLLING_DAYS,
            window_days=90,
            comparator=ContractRule.Comparator.GT,
            threshold=Decimal(5000),
            action=ContractRule.Action.NOTIFY,
            cooldown_days=7,
            is_active=is_active,
        ),
        ContractRule(
            contract=contract,
            name="Composite score below 60 — hold new orders",
            metric=ContractRule.Metric.COMPOSITE_SCORE,
            window=ContractRule.Window.ROLLING_DAYS,
            window_days=90,
            comparator=ContractRule.Comparator.LT,
            threshold=Decimal(60),
            action=ContractRule.Action.HOLD,
            cooldown_days=30,
            is_active=is_active,
        ),
    ]
