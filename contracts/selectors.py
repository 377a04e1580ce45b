"""Contract reads: the contracts a user may see, their history, and rules in plain words."""

from decimal import Decimal

from django.db.models import QuerySet

from accounts.selectors import scope_for_user
from contracts.models import Contract, ContractChange, ContractRule

METRIC_WORDS = {
    ContractRule.Metric.OTD_PCT: ("OTD", " %"),
    ContractRule.Metric.OTIF_PCT: ("OTIF", " %"),
    ContractRule.Metric.DEFECT_PPM: ("defect rate", " PPM"),
    ContractRule.Metric.LEAD_TIME_MEAN_DAYS: ("mean lead time", " days"),
    ContractRule.Metric.LEAD_TIME_P90_DAYS: ("90th-percentile lead time", " days"),
    ContractRule.Metric.LANDED_COST_INDEX: ("landed cost index", ""),
    ContractRule.Metric.COMPOSITE_SCORE: ("composite score", ""),
    ContractRule.Metric.ORDERED_QUANTITY_YTD: ("ordered quantity this year", ""),
    ContractRule.Metric.PREDICTED_OTD_PCT: ("predicted OTD of open lines due in 30 days", " %"),
}
COMPARATOR_WORDS = {
    ContractRule.Comparator.LT: "falls below",
    ContractRule.Comparator.LTE: "falls to or below",
    ContractRule.Comparator.GT: "rises above",
    ContractRule.Comparator.GTE: "reaches",
}


def contract_list(*, user) -> QuerySet[Contract]:
    return scope_for_user(Contract.objects.select_related("supplier"), user).order_by("reference")


def contract_history(*, contract: Contract) -> QuerySet[ContractChange]:
    return contract.changes.select_related("actor").order_by("-changed_at", "-id")


def _number(value) -> str:
    value = Decimal(value).normalize() if value is not None else Decimal(0)
    text = format(value, "f")
    return text


def rule_sentence(
    *,
    supplier_name: str,
    metric: str,
    window: str,
    window_days: int,
    comparator: str,
    threshold,
    action: str,
    amount,
    cooldown_days: int,
    part_number: str | None,
) -> str:
    """One sentence that says what a rule does, e.g. "If Acme's 90-day OTD falls below 90 %,
    move 10 points of share on part P to the other source, at most once every 30 days."."""
    noun, unit = METRIC_WORDS.get(metric, (metric, ""))
    if metric == ContractRule.Metric.ORDERED_QUANTITY_YTD:
        subject = f"the {noun} from {supplier_name}"
        if part_number:
            subject = f"the {noun} of part {part_number} from {supplier_name}"
    elif metric == ContractRule.Metric.PREDICTED_OTD_PCT:
        on_part = f" on part {part_number}" if part_number else ""
        subject = f"{supplier_name}'s {noun}{on_part}"
    else:
        span = (
            f"{window_days}-day"
            if window == ContractRule.Window.ROLLING_DAYS
            else "last calendar month's"
        )
        on_part = f" on part {part_number}" if part_number else ""
        subject = f"{supplier_name}'s {span} {noun}{on_part}"
    condition = (
        f"If {subject} {COMPARATOR_WORDS.get(comparator, comparator)} {_number(threshold)}{unit}"
    )
    parts = f"part {part_number}" if part_number else f"each part {supplier_name} supplies"
    if action == ContractRule.Action.SHIFT_SHARE:
        points = _number(amount)
        plural = "s" if points != "1" else ""
        effect = f"move {points} point{plural} of share on {parts} to the other source"
    elif action == ContractRule.Action.NOTIFY:
        effect = "raise an alert"
    elif action == ContractRule.Action.HOLD:
        effect = f"propose putting {supplier_name} on hold for new orders (a buyer decides)"
    else:
        effect = "apply the contract's next price tier"
    if cooldown_days:
        again = f"at most once every {cooldown_days} day{'s' if cooldown_days != 1 else ''}"
    else:
        again = "whenever the figures change"
    return f"{condition}, {effect}, {again}."


def contract_rule_sentence(rule: ContractRule) -> str:
    return rule_sentence(
        supplier_name=rule.contract.supplier.name,
        metric=rule.metric,
        window=rule.window,
        window_days=rule.window_days,
        comparator=rule.comparator,
        threshold=rule.threshold,
        action=rule.action,
        amount=rule.amount,
        cooldown_days=rule.cooldown_days,
        part_number=rule.part.number if rule.part_id else None,
    )
