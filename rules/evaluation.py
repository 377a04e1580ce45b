"""The allocation engine (SPEC §4): evaluate contract rules, apply the obvious, queue the rest.

`rules_evaluate` reads everything it needs in a fixed number of set-based queries (the
active rules, the current scorecard rows of every supplier involved, the sources of every
part involved, year-to-date order quantities, the last firing of every rule, the open
exceptions) and decides in memory; its writes are bulk writes. Which figure a rule reads:

- window `rolling_days` of 90 → the stored `rolling-90` row; `period` → the last closed
  calendar month before the as-of date. Only the 90-day window is stored, so other rolling
  lengths are refused when a rule is saved (and skipped if one is found in the database).
- a rule limited to one part reads that part's row (part × supplier) for the KPIs part
  scorecards carry; otherwise, and for the landed cost index and composite score, the
  supplier's row. `ordered_quantity_ytd` sums the supplier's order lines for the part
  (every part when the rule has none) ordered since 1 January, cancelled lines excluded.
- A figure that is null or rests on fewer than 5 lines, receipts or inspections never fires.

A rule fires at most once per (rule, part) per cooldown, and never twice on the same facts:
a firing newer than the figures it read (the row's `computed_at`) blocks another.
"""

import datetime as dt
import time
from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from contracts.models import ContractRule
from parts.models import ApprovedSource
from rules.facts import (
    RULE_COLUMNS,
    WINDOWLESS_METRICS,
    Facts,
    Figure,
    RuleRow,
    SourceRow,
    TierRow,
    breaches,
    rule_window_period,
)
from rules.models import AllocationChange, AllocationException, RuleFiring
from rules.selectors import unusable_reason
from rules.writes import (
    Record,
    balances_rebase,
    firings_insert,
    rows_insert,
    rules_mark_fired,
    sources_update,
    tiers_apply,
)
from suppliers.models import Supplier

Metric = ContractRule.Metric
Action = ContractRule.Action
Kind = AllocationException.Kind
Outcome = RuleFiring.Outcome
_CENT = Decimal("0.01")
_METRIC_LABELS = dict(Metric.choices)
_COMPARATOR_LABELS = dict(ContractRule.Comparator.choices)

__all__ = ["EvaluationResult", "balances_rebase", "rules_evaluate"]


@dataclass
class EvaluationResult:
    as_of: dt.date
    rules: int = 0
    breaches: int = 0
    applied: int = 0
    exceptions: int = 0
    notified: int = 0
    price_tiers: int = 0
    skipped: int = 0
    low_sample: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {**asdict(self), "as_of": self.as_of.isoformat()}


def _shares(sources: list[ApprovedSource]) -> dict[str, str]:
    return {s.supplier.code: str(s.target_share_pct.quantize(_CENT)) for s in sources}


def _propose_shift(
    breaching: ApprovedSource, receivers: list[ApprovedSource], amount: Decimal
) -> tuple[dict[int, Decimal], list[str]]:
    """New target shares (source id → %) moving `amount` points, and the bounds it breaks."""
    amount = min(amount, breaching.target_share_pct)
    proposal = {breaching.pk: breaching.target_share_pct - amount}
    each = (amount / len(receivers)).quantize(_CENT, rounding=ROUND_HALF_UP)
    given = Decimal(0)
    for index, source in enumerate(receivers):
        points = amount - given if index == len(receivers) - 1 else each
        given += points
        proposal[source.pk] = source.target_share_pct + points
    broken = []
    for source in [breaching, *receivers]:
        share = proposal[source.pk]
        if share < source.min_share_pct:
            broken.append(
                f"{source.supplier.code} would fall below its minimum {source.min_share_pct} %"
            )
        if share > source.max_share_pct:
            broken.append(
                f"{source.supplier.code} would exceed its maximum {source.max_share_pct} %"
            )
    return proposal, broken


def _describe(rule: RuleRow, supplier: Supplier, figure: Figure) -> str:
    window = (
        f"{rule.window_days}-day" if rule.window == ContractRule.Window.ROLLING_DAYS else "monthly"
    )
    value = "n/a" if figure.value is None else f"{figure.value:.2f}"
    return (
        f"{rule.name}: {supplier.code} {window} {_METRIC_LABELS.get(rule.metric, rule.metric)} "
        f"{value} {_COMPARATOR_LABELS.get(rule.comparator, rule.comparator)} "
        f"{rule.threshold.normalize():f}"
    )


class _Plan:
    """The writes one evaluation decided, flushed in bulk at the end."""

    def __init__(self):
        self.firings: list[RuleFiring] = []
        self.changes: list[tuple[Record, list[ApprovedSource], dict[int, Decimal]]] = []
        self.exceptions: list[Record] = []
        self.tier_updates: list[tuple[TierRow, list[TierRow], SourceRow]] = []
        self.changed_parts: set[int] = set()
        self.exception_keys: set[tuple] = set()


@transaction.atomic
def rules_evaluate(
    *, supplier_ids: list[int] | None = None, as_of: dt.date | None = None
) -> EvaluationResult:
    """Evaluate every active rule of every valid contract (of these suppliers, default all)."""
    started = time.perf_counter()
    as_of = as_of or timezone.localdate()
    now = timezone.now()
    result = EvaluationResult(as_of=as_of)
    if connection.vendor == "postgresql":
        # One evaluation at a time: two would both see a rule out of cooldown.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [0x5255_4C45])
    rules_qs = (
        ContractRule.objects.filter(is_active=True, contract__valid_from__lte=as_of)
        .exclude(contract__valid_to__lt=as_of)
        .annotate(supplier_id=F("contract__supplier_id"))
        .order_by("contract__supplier_id", "pk")
    )
    if supplier_ids is not None:
        rules_qs = rules_qs.filter(contract__supplier_id__in=list(supplier_ids))
    rules = [RuleRow(*row) for row in rules_qs.values_list(*RULE_COLUMNS)]
    result.rules = len(rules)
    if not rules:
        result.seconds = round(time.perf_counter() - started, 3)
        return result
    facts = Facts(rules=rules, rules_query=rules_qs, as_of=as_of)
    plan = _Plan()

    for rule in rules:
        supplier = facts.suppliers[rule.supplier_id]
        if rule.metric not in WINDOWLESS_METRICS and (
            rule_window_period(window=rule.window, window_days=rule.window_days, as_of=as_of)
            is None
        ):
            result.skipped += 1
            continue
        per_part = rule.action in (Action.SHIFT_SHARE, Action.PRICE_TIER) or (
            rule.metric == Metric.ORDERED_QUANTITY_YTD and rule.part_id is None
        )
        if rule.part_id:
            targets = [rule.part_id] if rule.part_id in facts.parts_of_supplier[supplier.pk] else []
        elif per_part:
            targets = facts.parts_of_supplier[supplier.pk]
        else:
            targets = [None]
        volume = rule.metric == Metric.ORDERED_QUANTITY_YTD
        figure = None
        if not volume:  # one KPI figure for every part the rule covers: read it once
            figure = facts.figure(rule, supplier.pk, None)
            if figure.value is not None and not figure.usable:
                result.low_sample += 1
            if not breaches(rule, figure):
                continue
        for part_id in targets:
            if volume:
                figure = facts.figure(rule, supplier.pk, part_id)
                if not breaches(rule, figure):
                    continue
            key_part = part_id if per_part else rule.part_id
            if _cooling_down(rule, key_part, figure, facts, now):
                continue
            result.breaches += 1
            _decide(rule, supplier, key_part, figure, facts, plan, result, now)

    _flush(plan, now)
    rules_mark_fired(rule_ids={f.rule_id for f in plan.firings}, at=now)
    result.seconds = round(time.perf_counter() - started, 3)
    return result


def _cooling_down(rule, part_id, figure: Figure, facts: Facts, now) -> bool:
    last = facts.last_fired.get((rule.pk, part_id))
    if last is None:
        return False
    if last > now - dt.timedelta(days=rule.cooldown_days):
        return True
    # The same facts twice change nothing: the figures have not moved since it fired.
    return figure.changed_at is not None and figure.changed_at <= last


@dataclass(slots=True)
class _Firing:
    """A RuleFiring to insert; the change or exception gets its id when it is written."""

    rule_id: int
    part_id: int | None
    supplier_id: int
    metric_value: float | None
    outcome: str
    reason: str
    allocation_change: Record | None = None  # an AllocationChange
    exception: Record | None = None  # an AllocationException


def _fire(plan: _Plan, facts: Facts, rule, supplier, part_id, figure, outcome, now, **extra):
    firing = _Firing(
        rule_id=rule.pk,
        part_id=part_id,
        supplier_id=supplier.pk,
        metric_value=figure.value,
        outcome=outcome,
        reason=extra.pop("reason", ""),
        **extra,
    )
    plan.firings.append(firing)
    facts.last_fired[rule.pk, part_id] = now
    return firing


def _exception(plan: _Plan, facts: Facts, *, kind, rule, supplier, part_id, proposed, evidence):
    key = (kind, part_id, None if kind == Kind.BOTH_IN_BREACH else supplier.pk)
    if key in facts.open_exceptions or key in plan.exception_keys:
        return None
    plan.exception_keys.add(key)
    exception = Record(
        kind=kind,
        part_id=part_id,
        supplier_id=supplier.pk,
        rule_id=rule.pk,
        proposed_shares=proposed,
        evidence=evidence,
    )
    plan.exceptions.append(exception)
    return exception


def _decide(rule, supplier, part_id, figure, facts, plan, result, now) -> None:
    reason = _describe(rule, supplier, figure)
    evidence = {
        "rule": rule.name,
        "metric": rule.metric,
        "comparator": rule.comparator,
        "threshold": str(rule.threshold),
        "value": figure.value,
        "figure": figure.evidence,
        "as_of": facts.as_of.isoformat(),
        "reason": reason,
    }
    if rule.metric == Metric.PREDICTED_OTD_PCT:
        evidence["predicted"] = True  # never applied alone: every decision is an exception
    if rule.action == Action.NOTIFY:
        _fire(plan, facts, rule, supplier, part_id, figure, Outcome.NOTIFIED, now, reason=reason)
        result.notified += 1
        return
    if rule.action == Action.HOLD:
        exception = _exception(
            plan,
            facts,
            kind=Kind.HOLD,
            rule=rule,
            supplier=supplier,
            part_id=None,
            proposed=None,
            evidence=evidence,
        )
        outcome = Outcome.EXCEPTION if exception else Outcome.SKIPPED
        note = reason if exception else f"{reason}; a hold already awaits review"
        _fire(
            plan,
            facts,
            rule,
            supplier,
            part_id,
            figure,
            outcome,
            now,
            exception=exception,
            reason=note,
        )
        result.exceptions += exception is not None
        result.skipped += exception is None
        return
    if rule.action == Action.PRICE_TIER:
        _price_tier(rule, supplier, part_id, figure, facts, plan, result, now, reason)
        return
    _shift(rule, supplier, part_id, figure, facts, plan, result, now, reason, evidence)


def _price_tier(rule, supplier, part_id, figure, facts, plan, result, now, reason) -> None:
    ordered = Decimal(str(facts.ordered_ytd.get((supplier.pk, part_id), 0)))
    reached = [
        t for t in facts.tiers.get((rule.contract_id, part_id), []) if t.min_quantity <= ordered
    ]
    source = next(
        (s for s in facts.sources_by_part.get(part_id, []) if s.supplier_id == supplier.pk), None
    )
    if not reached or source is None:
        return
    tier = reached[-1]
    plan.tier_updates.append((tier, reached, source))
    facts.tiers[rule.contract_id, part_id] = [
        t for t in facts.tiers[rule.contract_id, part_id] if t not in reached
    ]
    note = (
        f"{reason}: {ordered.normalize():f} ordered this year reaches the tier from "
        f"{tier.min_quantity.normalize():f}, unit price {source.unit_price} → {tier.unit_price}"
    )
    _fire(plan, facts, rule, supplier, part_id, figure, Outcome.PRICE_TIER, now, reason=note)
    result.price_tiers += 1


def _shift(rule, supplier, part_id, figure, facts, plan, result, now, reason, evidence) -> None:
    sources = facts.sources_by_part.get(part_id, [])
    breaching = next((s for s in sources if s.supplier_id == supplier.pk), None)
    if breaching is None or rule.amount <= 0:
        return
    if part_id in plan.changed_parts:
        _fire(
            plan,
            facts,
            rule,
            supplier,
            part_id,
            figure,
            Outcome.SKIPPED,
            now,
            reason=f"{reason}; another rule already moved this part's shares now",
        )
        result.skipped += 1
        return
    others = [s for s in sources if s.pk != breaching.pk]
    sources_evidence = {}
    receivers, in_breach = [], []
    for other in others:
        other_figure = facts.figure(rule, other.supplier_id, None)
        usable = facts.usable(other.supplier)
        other_breaches = breaches(rule, other_figure)
        sources_evidence[other.supplier.code] = {
            "usable": usable,
            "why_not": unusable_reason(
                status=other.supplier.status, certificate_expired=other.supplier_id in facts.expired
            ),
            "value": other_figure.value,
            "figure": other_figure.evidence,
            "in_breach": other_breaches,
        }
        if not usable:
            continue
        (in_breach if other_breaches else receivers).append(other)
    evidence = {
        **evidence,
        "shares_before": _shares(sources),
        "bounds": {s.supplier.code: [str(s.min_share_pct), str(s.max_share_pct)] for s in sources},
        "amount": str(rule.amount),
        "other_sources": sources_evidence,
    }
    by_pk = {s.pk: s for s in sources}
    if not receivers:
        kind = Kind.BOTH_IN_BREACH if in_breach else Kind.SINGLE_USABLE_SOURCE
        proposed = None
        if in_breach:
            proposal, broken = _propose_shift(breaching, in_breach, rule.amount)
            proposed = {
                by_pk[pk].supplier.code: str(v.quantize(_CENT)) for pk, v in proposal.items()
            }
            proposed = {**_shares(sources), **proposed}
            evidence["bounds_broken"] = broken
        _raise(
            plan,
            facts,
            kind,
            rule,
            supplier,
            part_id,
            figure,
            proposed,
            evidence,
            result,
            now,
            reason,
        )
        return
    proposal, broken = _propose_shift(breaching, receivers, rule.amount)
    proposed = {
        **_shares(sources),
        **{by_pk[pk].supplier.code: str(v.quantize(_CENT)) for pk, v in proposal.items()},
    }
    if broken:
        evidence["bounds_broken"] = broken
        _raise(
            plan,
            facts,
            Kind.BOUND_BREAK,
            rule,
            supplier,
            part_id,
            figure,
            proposed,
            evidence,
            result,
            now,
            reason,
        )
        return
    if evidence.get("predicted"):
        _raise(
            plan, facts, Kind.PREDICTED, rule, supplier, part_id, figure, proposed, evidence,
            result, now, reason,
        )  # fmt: skip
        return
    moved = proposal[breaching.pk] - breaching.target_share_pct
    codes = ", ".join(s.supplier.code for s in receivers)
    change = Record(
        part_id=part_id,
        shares_before=_shares(sources),
        shares_after=proposed,
        rule_id=rule.pk,
        metric_value=figure.value,
        reason=f"{reason}: moved {(-moved).normalize():f} points from {supplier.code} to {codes}",
    )
    plan.changes.append((change, sources, proposal))
    plan.changed_parts.add(part_id)
    _fire(
        plan,
        facts,
        rule,
        supplier,
        part_id,
        figure,
        Outcome.APPLIED,
        now,
        allocation_change=change,
        reason=change.reason,
    )
    result.applied += 1


def _raise(
    plan, facts, kind, rule, supplier, part_id, figure, proposed, evidence, result, now, reason
):
    exception = _exception(
        plan,
        facts,
        kind=kind,
        rule=rule,
        supplier=supplier,
        part_id=part_id,
        proposed=proposed,
        evidence=evidence,
    )
    if exception is None:
        _fire(
            plan,
            facts,
            rule,
            supplier,
            part_id,
            figure,
            Outcome.SKIPPED,
            now,
            reason=f"{reason}; the same exception already awaits review",
        )
        result.skipped += 1
        return
    _fire(
        plan,
        facts,
        rule,
        supplier,
        part_id,
        figure,
        Outcome.EXCEPTION,
        now,
        exception=exception,
        reason=f"{reason}: {Kind(kind).label.lower()}",
    )
    result.exceptions += 1


def _flush(plan: _Plan, now) -> None:
    rows_insert(AllocationChange, [c for c, _, _ in plan.changes])
    rows_insert(AllocationException, plan.exceptions)
    shares = {}
    for _, sources, proposal in plan.changes:
        for source in sources:
            if source.pk in proposal:
                source.target_share_pct = proposal[source.pk]
                shares[source.pk] = source.target_share_pct
    prices = tiers_apply(plan.tier_updates, actor=None) if plan.tier_updates else {}
    sources_update(shares=shares, prices=prices)
    balances_rebase(part_ids={c.part_id for c, _, _ in plan.changes}, at=now)
    # The firings point at the changes and exceptions created above (ids now set).
    firings_insert(plan.firings, at=now)
