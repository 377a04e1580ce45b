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


# --- the contract history as sentences (docs/alerts.md, "Contract history") ------------

_OBJECT_NOUNS = {
    "contract": "Contract",
    "contractrule": "Rule",
    "pricetier": "Price tier",
    "volumecommitment": "Volume commitment",
}
_KIND_WORDS = {"created": "created", "updated": "changed", "deleted": "deleted"}
_FIELD_WORDS = {
    "threshold": "threshold",
    "window_days": "window",
    "cooldown_days": "cooldown",
    "amount": "amount",
    "is_active": "active",
    "part_id": "part",
    "metric": "metric",
    "comparator": "comparison",
    "action": "action",
    "window": "window kind",
    "name": "name",
    "min_quantity": "from quantity",
    "unit_price": "unit price",
    "is_applied": "applied",
    "min_quantity_per_year": "minimum per year",
    "max_quantity_per_year": "maximum per year",
    "early_tolerance_days": "early tolerance",
    "late_tolerance_days": "late tolerance",
    "otd_target_pct": "OTD target",
    "defect_ppm_target": "defect target",
    "over_delivery_tolerance_pct": "over-delivery tolerance",
    "valid_from": "valid from",
    "valid_to": "valid to",
    "notes": "notes",
}
_SKIPPED = {"id", "contract_id", "supplier_id", "last_fired_at", "reference"}
_PERCENT_FIELDS = {"otd_target_pct", "over_delivery_tolerance_pct"}
_DAY_FIELDS = {"window_days", "cooldown_days", "early_tolerance_days", "late_tolerance_days"}


def _value_words(name: str, value, snapshot: dict, parts: dict) -> str:
    if value is None or value == "":
        return "none"
    if name == "part_id":
        return parts.get(value, f"part {value}")
    if name == "is_active" or name == "is_applied":
        return "yes" if value else "no"
    if name in ("metric", "comparator", "action", "window"):
        choices = dict(ContractRule._meta.get_field(name).choices)
        return str(choices.get(value, value)).lower()
    text = _number(value) if isinstance(value, int | float | str) and _numeric(value) else value
    if name == "threshold" and str(snapshot.get("metric", "")).endswith("_pct"):
        return f"{text} %"
    if name in _PERCENT_FIELDS:
        return f"{text} %"
    if name in _DAY_FIELDS:
        return f"{text} days"
    return str(text)


def _numeric(value) -> bool:
    try:
        Decimal(str(value))
    except ArithmeticError:
        return False
    return not isinstance(value, bool)


def contract_change_sentence(change: ContractChange, parts: dict | None = None) -> str:
    """How a buyer would write the change: "Rule 'OTD floor' created: threshold 90 %"."""
    parts = parts or {}
    snapshot = change.after or change.before or {}
    noun = _OBJECT_NOUNS.get(change.object_type, change.object_type)
    if change.object_type == "contractrule" and snapshot.get("name"):
        noun = f"Rule '{snapshot['name']}'"
    elif snapshot.get("part_id") and change.object_type != "contract":
        noun = f"{noun} for {parts.get(snapshot['part_id'], 'a part')}"
    head = f"{noun} {_KIND_WORDS.get(change.kind, change.kind)}"
    if change.kind == ContractChange.Kind.DELETED:
        return head
    if change.kind == ContractChange.Kind.CREATED:
        keys = [k for k in ("threshold", "amount", "min_quantity", "unit_price") if k in snapshot]
        words = [f"{_FIELD_WORDS[k]} {_value_words(k, snapshot[k], snapshot, parts)}" for k in keys]
        return f"{head}: {', '.join(words)}" if words else head
    before, after = change.before or {}, change.after or {}
    changed = [k for k in after if k not in _SKIPPED and before.get(k) != after.get(k)]
    words = []
    for k in changed:
        old = _value_words(k, before.get(k), before, parts)
        new = _value_words(k, after.get(k), after, parts)
        if old == new:  # the same value written differently ("95.00" and "95")
            continue
        words.append(f"{_FIELD_WORDS.get(k, k.replace('_', ' '))} {old} → {new}")
    return f"{head}: {'; '.join(words)}" if words else head


def contract_history_sentences(*, contract: Contract, limit: int = 200) -> list[tuple]:
    """(change, sentence) newest first; the parts named in the changes read in one query."""
    changes = list(contract_history(contract=contract)[:limit])
    part_ids = {(c.after or c.before or {}).get("part_id") for c in changes} - {None}
    Part = ContractRule._meta.get_field("part").related_model  # noqa: N806
    parts = {
        pk: f"part {number}"
        for pk, number in Part.objects.filter(pk__in=part_ids).values_list("pk", "number")
    }
    return [(c, contract_change_sentence(c, parts)) for c in changes]
