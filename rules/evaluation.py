"""The allocation engine (docs/rules.md): evaluate contract rules, apply the obvious,
queue the rest.

`rules_evaluate` reads what every rule needs in a fixed number of set-based queries (the
active rules, the current scorecard rows of every supplier involved, the sources of every
part involved, year-to-date order quantities, the last firing of every rule), finds the
breaches, reads what only those need (the part figures a shift compares, the open
exceptions), and decides in memory in rule order; its writes are one statement per kind
of row (docs/rules.md, "How one evaluation runs"). Which figure a rule reads:

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
import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from contracts.models import ContractRule
from rules.decisions import exceptions_refresh
from rules.facts import (
    PART_METRICS,
    RULE_COLUMNS,
    WINDOWLESS_METRICS,
    Facts,
    Figure,
    RuleRow,
    breaches,
    rule_window_period,
)
from rules.models import AllocationChange, AllocationException, RuleFiring
from rules.shifting import Breach, Evaluation, Plan, exception_record, fire, shift
from rules.writes import (
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


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """A run allocates hundreds of thousands of short-lived rows and dicts and makes no
    reference cycle it needs freed before it ends; the cyclic collector would walk every
    live object dozens of times meanwhile (a fifth of a first run on the large demo)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@transaction.atomic
def rules_evaluate(
    *, supplier_ids: list[int] | None = None, as_of: dt.date | None = None
) -> EvaluationResult:
    """Evaluate every active rule of every valid contract (of these suppliers, default all)."""
    with _without_cycle_collection():
        return _evaluate(supplier_ids=supplier_ids, as_of=as_of)


def _evaluate(*, supplier_ids: list[int] | None, as_of: dt.date | None) -> EvaluationResult:
    started = time.perf_counter()
    as_of = as_of or timezone.localdate()
    now = timezone.now()
    result = EvaluationResult(as_of=as_of)
    if connection.vendor == "postgresql":
        # One evaluation at a time: two would both see a rule out of cooldown.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [0x5255_4C45])
    exceptions_refresh()  # the queue stays decidable: stale proposals re-proposed or closed
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
    ev = Evaluation(facts=facts, plan=Plan(), result=result, now=now)

    # First every breach, then the part figures the shifts among them compare, then the
    # decisions in rule order (a decision changes what the next may do on the same part).
    found = [breach for rule in rules for breach in _rule_breaches(ev, rule)]
    _compared_values_load(facts, found)
    for breach in found:
        _decide(ev, breach)

    _flush(ev.plan, now)
    rules_mark_fired(rule_ids={f.rule_id for f in ev.plan.firings}, at=now)
    result.seconds = round(time.perf_counter() - started, 3)
    return result


def _rule_breaches(ev: Evaluation, rule: RuleRow) -> list[Breach]:
    """One rule against its supplier's figures: the parts it fires on now."""
    facts, result, as_of = ev.facts, ev.result, ev.facts.as_of
    supplier = facts.suppliers[rule.supplier_id]
    if rule.metric not in WINDOWLESS_METRICS and (
        rule_window_period(window=rule.window, window_days=rule.window_days, as_of=as_of) is None
    ):
        result.skipped += 1
        return []
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
            return []
    found, described = [], None
    for part_id in targets:
        if volume:
            figure = facts.figure(rule, supplier.pk, part_id)
            if not breaches(rule, figure):
                continue
        key_part = part_id if per_part else rule.part_id
        if _cooling_down(rule, key_part, figure, facts, ev.now):
            continue
        result.breaches += 1
        if volume or described is None:  # the same words and evidence for every part
            described = _described(ev, rule, supplier, figure)
        found.append(Breach(rule, supplier, key_part, figure, *described))
    return found


def _compared_values_load(facts: Facts, found: list[Breach]) -> None:
    """A shift compares the sources on the part's own figure where it has one: read those
    figures for the parts about to be shifted, in each rule's window."""
    wanted: dict[tuple[str, str], set[int]] = {}
    for breach in found:
        rule = breach.rule
        if rule.action == Action.SHIFT_SHARE and rule.metric in PART_METRICS and breach.part_id:
            period = rule_window_period(
                window=rule.window, window_days=rule.window_days, as_of=facts.as_of
            )
            wanted.setdefault((period, rule.metric), set()).add(breach.part_id)
    for (period, metric), part_ids in wanted.items():
        facts.part_values_load(period=period, metric=metric, part_ids=part_ids)


def _cooling_down(rule, part_id, figure: Figure, facts: Facts, now) -> bool:
    last = facts.last_fired.get((rule.pk, part_id))
    if last is None:
        return False
    if last > now - dt.timedelta(days=rule.cooldown_days):
        return True
    # The same facts twice change nothing: the figures have not moved since it fired.
    return figure.changed_at is not None and figure.changed_at <= last


def _described(ev: Evaluation, rule: RuleRow, supplier: Supplier, figure: Figure):
    """The breach's reason and evidence (shared by every part of a KPI rule's breach)."""
    reason = _describe(rule, supplier, figure)
    evidence = {
        "rule": rule.name,
        "metric": rule.metric,
        "comparator": rule.comparator,
        "threshold": str(rule.threshold),
        "value": figure.value,
        "figure": figure.evidence,
        "as_of": ev.facts.as_of.isoformat(),
        "reason": reason,
    }
    if rule.metric == Metric.PREDICTED_OTD_PCT:
        evidence["predicted"] = True  # never applied alone: always an exception
    return reason, evidence


def _decide(ev: Evaluation, breach: Breach) -> None:
    rule = breach.rule
    if rule.action == Action.NOTIFY:
        fire(ev, breach, Outcome.NOTIFIED)
        ev.result.notified += 1
    elif rule.action == Action.HOLD:
        _hold(ev, breach)
    elif rule.action == Action.PRICE_TIER:
        _price_tier(ev, breach)
    else:
        shift(ev, breach)


def _hold(ev: Evaluation, breach: Breach) -> None:
    exception = exception_record(
        ev, breach, kind=Kind.HOLD, part_id=None, proposed=None, evidence=breach.evidence
    )
    outcome = Outcome.EXCEPTION if exception else Outcome.SKIPPED
    note = breach.reason if exception else f"{breach.reason}; a hold already awaits review"
    fire(ev, breach, outcome, exception=exception, reason=note)
    ev.result.exceptions += exception is not None
    ev.result.skipped += exception is None


def _price_tier(ev: Evaluation, breach: Breach) -> None:
    facts, rule, supplier, part_id = ev.facts, breach.rule, breach.supplier, breach.part_id
    ordered = Decimal(str(facts.ordered_ytd.get((supplier.pk, part_id), 0)))
    reached = [
        t for t in facts.tiers.get((rule.contract_id, part_id), []) if t.min_quantity <= ordered
    ]
    if not reached:  # nothing to apply: no need to build the part's sources
        return
    source = next((s for s in facts.sources_of(part_id) if s.supplier_id == supplier.pk), None)
    if source is None:
        return
    tier = reached[-1]
    ev.plan.tier_updates.append((tier, reached, source))
    facts.tiers[rule.contract_id, part_id] = [
        t for t in facts.tiers[rule.contract_id, part_id] if t not in reached
    ]
    note = (
        f"{breach.reason}: {ordered.normalize():f} ordered this year reaches the tier from "
        f"{tier.min_quantity.normalize():f}, unit price {source.unit_price} → {tier.unit_price}"
    )
    fire(ev, breach, Outcome.PRICE_TIER, reason=note)
    ev.result.price_tiers += 1


def _flush(plan: Plan, now) -> None:
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
