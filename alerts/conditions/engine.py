"""What the rules engine decided: firings and exceptions awaiting review."""

import datetime as dt

from alerts.conditions.base import (
    APPLIED_SHIFT,
    BASE,
    RULE_FIRED_SHOWN_DAYS,
    Condition,
)
from rules.models import AllocationException, RuleFiring


def rule_conditions(*, now: dt.datetime, today: dt.date) -> list[Condition]:
    """`rule_fired` (a firing of the last 7 days; info for an applied share shift) and
    `exception_open` (an exception until a buyer approves or rejects it)."""
    return [*_rule_fired_conditions(now=now), *_exception_open_conditions()]


def _rule_fired_conditions(*, now: dt.datetime) -> list[Condition]:
    """`rule_fired`: one query over the firings (not skipped) of the last 7 days."""
    firings = (
        RuleFiring.objects.filter(fired_at__gte=now - dt.timedelta(days=RULE_FIRED_SHOWN_DAYS))
        .exclude(outcome=RuleFiring.Outcome.SKIPPED)
        .order_by()
        .values_list(
            "pk",
            "rule__name",
            "rule__contract_id",
            "part_id",
            "part__number",
            "supplier_id",
            "supplier__code",
            "outcome",
            "metric_value",
            "fired_at",
        )
    )
    outcomes = {outcome.value: outcome.label.lower() for outcome in RuleFiring.Outcome}
    found = []
    for (
        pk,
        rule,
        contract_id,
        part_id,
        number,
        supplier_id,
        code,
        outcome,
        value,
        fired_at,
    ) in firings:
        what = f"{code}" + (f" on {number}" if number else "")
        shown = "" if value is None else f" at {value:,.2f}"
        found.append(
            Condition(
                kind="rule_fired",
                key=f"rule_fired:{pk}",
                variant=(APPLIED_SHIFT if outcome == RuleFiring.Outcome.APPLIED else BASE),
                message=f"Rule “{rule}” fired for {what}{shown} on {fired_at:%Y-%m-%d}: "
                f"{outcomes[outcome]}.",
                supplier_id=supplier_id,
                part_id=part_id,
                contract_id=contract_id,
                rule_firing_id=pk,
            )
        )
    return found


def _exception_open_conditions() -> list[Condition]:
    """`exception_open`: one query over the exceptions still awaiting review."""
    exceptions = AllocationException.objects.filter(
        state=AllocationException.State.OPEN
    ).values_list("pk", "kind", "part_id", "part__number", "supplier_id", "supplier__code")
    labels = {kind.value: kind.label.lower() for kind in AllocationException.Kind}
    found = []
    for pk, kind, part_id, number, supplier_id, code in exceptions:
        what = f"{code}" + (f" on {number}" if number else "")
        found.append(
            Condition(
                kind="exception_open",
                key=f"exception_open:{pk}",
                message=f"Awaiting review: {labels[kind]} for {what}.",
                supplier_id=supplier_id,
                part_id=part_id,
                exception_id=pk,
            )
        )
    return found
