"""Demo rules on the degrading suppliers, evaluated once after the KPI recompute, so the
first `make run` shows shares that moved and a few exceptions waiting for a buyer."""

import datetime as dt
from decimal import Decimal

from contracts.models import Contract, ContractRule
from contracts.services import contract_rule_create
from rules.services import rules_evaluate


def degrading_rules_create(*, suppliers, today: dt.date) -> int:
    """Per degrading supplier: a defect-rate shift and a tighter OTD alert on its current
    contract (the standard contract rules come with every contract already)."""
    created = 0
    contracts = {
        c.supplier_id: c
        for c in Contract.objects.filter(supplier__in=suppliers, valid_from__lte=today).order_by(
            "supplier_id", "valid_from"
        )
    }
    for supplier in suppliers:
        contract = contracts.get(supplier.pk)
        if contract is None:
            continue
        contract_rule_create(
            contract=contract,
            name="Defect rate above 8,000 PPM over 90 days — shift 10 points",
            metric=ContractRule.Metric.DEFECT_PPM,
            window=ContractRule.Window.ROLLING_DAYS,
            window_days=90,
            comparator=ContractRule.Comparator.GT,
            threshold=Decimal(8000),
            action=ContractRule.Action.SHIFT_SHARE,
            amount=Decimal(10),
            cooldown_days=30,
        )
        contract_rule_create(
            contract=contract,
            name="OTD below 90% last month — alert",
            metric=ContractRule.Metric.OTD_PCT,
            window=ContractRule.Window.PERIOD,
            window_days=30,
            comparator=ContractRule.Comparator.LT,
            threshold=Decimal(90),
            action=ContractRule.Action.NOTIFY,
            cooldown_days=7,
        )
        created += 2
    return created


def demo_rules_seed(*, suppliers, today: dt.date, evaluate: bool = True) -> str:
    """Add the degrading suppliers' rules and, with fresh scorecards, evaluate every rule."""
    created = degrading_rules_create(suppliers=suppliers, today=today)
    if not evaluate:
        return f"{created} rules added"
    result = rules_evaluate(as_of=today)
    return (
        f"{created} rules added; {result.rules} evaluated: {result.applied} share shifts, "
        f"{result.exceptions} exceptions, {result.notified} alerts, "
        f"{result.price_tiers} price tiers"
    )
