"""Share shifts and the exceptions they raise (docs/rules.md): what one evaluation is
deciding (`Evaluation`), one breach of a rule (`Breach`), and the shift itself.

A shift moves the rule's points from the breaching source to the other usable sources
within every bound; it never goes to a source that does worse on the same metric (on the
same part where both part figures are not low sample, else the suppliers'): with no other
receiver left that becomes an exception showing both sources' figures.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from contracts.models import ContractRule
from rules.facts import PART_METRICS, Facts, Figure, RuleRow, SourceRow, TierRow, breaches
from rules.models import AllocationException, RuleFiring
from rules.selectors import unusable_reason
from rules.writes import Record
from suppliers.models import Supplier

Kind = AllocationException.Kind
Outcome = RuleFiring.Outcome
Metric = ContractRule.Metric
_CENT = Decimal("0.01")
# Comparators whose breach is a figure too low (OTD below a floor): lower is worse.
_LOW_IS_BAD = frozenset({ContractRule.Comparator.LT, ContractRule.Comparator.LTE})


@dataclass(slots=True)
class Firing:
    """A RuleFiring to insert; the change or exception gets its id when it is written."""

    rule_id: int
    part_id: int | None
    supplier_id: int
    metric_value: float | None
    outcome: str
    reason: str
    allocation_change: Record | None = None  # an AllocationChange
    exception: Record | None = None  # an AllocationException


@dataclass
class Plan:
    """The writes one evaluation decided, flushed in bulk at the end."""

    firings: list[Firing] = field(default_factory=list)
    changes: list[tuple[Record, list[SourceRow], dict[int, Decimal]]] = field(default_factory=list)
    exceptions: list[Record] = field(default_factory=list)
    tier_updates: list[tuple[TierRow, list[TierRow], SourceRow]] = field(default_factory=list)
    changed_parts: set[int] = field(default_factory=set)
    exception_keys: set[tuple] = field(default_factory=set)


@dataclass
class Evaluation:
    """One run of the engine: what it read, what it will write, its counts, its time.

    Shares stay as read until the plan is flushed, so what a decision derives from a
    part's sources, or from a rule and another supplier, is derived once per run."""

    facts: Facts
    plan: Plan
    result: object  # EvaluationResult
    now: dt.datetime
    # part → (shares, bounds) as evidence; (rule, supplier) → how that source stands
    part_shares: dict[int, tuple[dict, dict]] = field(default_factory=dict)
    other_sources: dict[tuple[int, int], tuple[bool, bool, dict]] = field(default_factory=dict)
    supplier_rules: dict[int, RuleRow] = field(default_factory=dict)


@dataclass(slots=True)
class Breach:
    """One rule breached for one (supplier, part), with the words and evidence to show."""

    rule: RuleRow
    supplier: Supplier
    part_id: int | None
    figure: Figure
    reason: str = ""
    evidence: dict = field(default_factory=dict)


def shares(sources) -> dict[str, str]:
    return {s.supplier.code: str(s.target_share_pct.quantize(_CENT)) for s in sources}


def _part_shares(ev: Evaluation, part_id: int, sources) -> tuple[dict, dict]:
    """The part's shares and bounds as evidence (read-only: shared by its decisions)."""
    found = ev.part_shares.get(part_id)
    if found is None:
        bounds = {s.supplier.code: [str(s.min_share_pct), str(s.max_share_pct)] for s in sources}
        found = ev.part_shares[part_id] = (shares(sources), bounds)
    return found


def fire(ev: Evaluation, breach: Breach, outcome: str, **extra) -> Firing:
    firing = Firing(
        rule_id=breach.rule.pk,
        part_id=breach.part_id,
        supplier_id=breach.supplier.pk,
        metric_value=breach.figure.value,
        outcome=outcome,
        reason=extra.pop("reason", breach.reason),
        **extra,
    )
    ev.plan.firings.append(firing)
    ev.facts.last_fired[breach.rule.pk, breach.part_id] = ev.now
    return firing


def exception_record(ev: Evaluation, breach: Breach, *, kind, part_id, proposed, evidence):
    """A new exception, or None when the same one already awaits review."""
    key = (kind, part_id, None if kind == Kind.BOTH_IN_BREACH else breach.supplier.pk)
    if key in ev.facts.open_exceptions or key in ev.plan.exception_keys:
        return None
    ev.plan.exception_keys.add(key)
    exception = Record(
        kind=kind,
        part_id=part_id,
        supplier_id=breach.supplier.pk,
        rule_id=breach.rule.pk,
        proposed_shares=proposed,
        evidence=evidence,
    )
    ev.plan.exceptions.append(exception)
    return exception


def raise_exception(ev: Evaluation, breach: Breach, kind, proposed, evidence) -> None:
    exception = exception_record(
        ev, breach, kind=kind, part_id=breach.part_id, proposed=proposed, evidence=evidence
    )
    if exception is None:
        note = f"{breach.reason}; the same exception already awaits review"
        fire(ev, breach, Outcome.SKIPPED, reason=note)
        ev.result.skipped += 1
        return
    fire(
        ev,
        breach,
        Outcome.EXCEPTION,
        exception=exception,
        reason=f"{breach.reason}: {Kind(kind).label.lower()}",
    )
    ev.result.exceptions += 1


def propose_shift(
    breaching: SourceRow, receivers: list[SourceRow], amount: Decimal
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


def _compared(ev: Evaluation, breach: Breach, other: SourceRow) -> tuple | None:
    """The breaching source's and the other's figure on the same level (the part's where
    both are usable, else the suppliers'), or None when they cannot be compared."""
    rule, facts = breach.rule, ev.facts
    if rule.metric in PART_METRICS and breach.part_id is not None:
        mine, mine_usable = facts.part_value(rule, breach.supplier.pk, breach.part_id)
        theirs, theirs_usable = facts.part_value(rule, other.supplier_id, breach.part_id)
        if mine_usable and theirs_usable:
            return mine, theirs, "part"
    supplier_rule = rule
    if rule.metric in PART_METRICS:
        supplier_rule = ev.supplier_rules.get(rule.pk)
        if supplier_rule is None:
            supplier_rule = ev.supplier_rules[rule.pk] = _supplier_level(rule)
    mine = facts.figure(supplier_rule, breach.supplier.pk, None)
    theirs = facts.figure(supplier_rule, other.supplier_id, None)
    if not (mine.usable and theirs.usable):
        return None
    return mine.value, theirs.value, "supplier"


def _supplier_level(rule: RuleRow) -> RuleRow:
    """The same rule read on the supplier's scorecard (a rule naming a part reads the part's)."""
    copy = RuleRow(*(getattr(rule, name) for name in RuleRow.__dataclass_fields__))
    copy.part_id = None
    return copy


def worse_receiver(ev: Evaluation, breach: Breach, other: SourceRow) -> dict | None:
    """Both figures when `other` does worse than the breaching source, else None."""
    if breach.rule.metric == Metric.ORDERED_QUANTITY_YTD:
        return None
    compared = _compared(ev, breach, other)
    if compared is None:
        return None
    mine, theirs, level = compared
    low_is_bad = breach.rule.comparator in _LOW_IS_BAD
    worse = theirs < mine if low_is_bad else theirs > mine
    if not worse:
        return None
    return {"value": theirs, "breaching_value": mine, "level": level}


def _other_source(ev: Evaluation, rule: RuleRow, other: SourceRow) -> tuple[bool, bool, dict]:
    """Whether another source is usable and breaches the rule itself, with its evidence;
    the same for every part the rule and that supplier share."""
    key = (rule.pk, other.supplier_id)
    found = ev.other_sources.get(key)
    if found is None:
        facts = ev.facts
        other_figure = facts.figure(rule, other.supplier_id, None)
        usable = facts.usable(other.supplier)
        other_breaches = breaches(rule, other_figure)
        evidence = {
            "usable": usable,
            "why_not": unusable_reason(
                status=other.supplier.status, certificate_expired=other.supplier_id in facts.expired
            ),
            "value": other_figure.value,
            "figure": other_figure.evidence,
            "in_breach": other_breaches,
        }
        found = ev.other_sources[key] = (usable, other_breaches, evidence)
    return found


def _others(ev: Evaluation, breach: Breach, breaching: SourceRow, sources) -> dict:
    """Sort the part's other sources into receivers, sources in breach and sources that do
    worse; with each one's evidence."""
    found = {"receivers": [], "in_breach": [], "worse": [], "evidence": {}, "worse_evidence": {}}
    for other in sources:
        if other.pk == breaching.pk:
            continue
        usable, other_breaches, evidence = _other_source(ev, breach.rule, other)
        found["evidence"][other.supplier.code] = evidence
        if not usable:
            continue
        if other_breaches:
            found["in_breach"].append(other)
        elif (worse := worse_receiver(ev, breach, other)) is not None:
            found["worse"].append(other)
            found["worse_evidence"][other.supplier.code] = worse
        else:
            found["receivers"].append(other)
    return found


def shift(ev: Evaluation, breach: Breach) -> None:
    """Move the rule's points off the breaching source, or raise what a buyer must decide."""
    sources = ev.facts.sources_of(breach.part_id)
    breaching = next((s for s in sources if s.supplier_id == breach.supplier.pk), None)
    if breaching is None or breach.rule.amount <= 0:
        return
    if breach.part_id in ev.plan.changed_parts:
        note = f"{breach.reason}; another rule already moved this part's shares now"
        fire(ev, breach, Outcome.SKIPPED, reason=note)
        ev.result.skipped += 1
        return
    found = _others(ev, breach, breaching, sources)
    shares_before, bounds = _part_shares(ev, breach.part_id, sources)
    evidence = {
        **breach.evidence,
        "shares_before": shares_before,
        "bounds": bounds,
        "amount": str(breach.rule.amount),
        "other_sources": found["evidence"],
    }
    if found["worse_evidence"]:
        evidence["worse_receivers"] = found["worse_evidence"]
    if not found["receivers"]:
        _no_receiver(ev, breach, breaching, sources, found, evidence)
        return
    proposal, broken = propose_shift(breaching, found["receivers"], breach.rule.amount)
    proposed = _proposed(sources, proposal)
    if broken:
        evidence["bounds_broken"] = broken
        raise_exception(ev, breach, Kind.BOUND_BREAK, proposed, evidence)
        return
    if evidence.get("predicted"):  # a forecast never moves volume alone: a buyer decides
        raise_exception(ev, breach, Kind.PREDICTED, proposed, evidence)
        return
    _apply(ev, breach, sources, proposal, proposed, found["receivers"])


def _proposed(sources, proposal: dict[int, Decimal]) -> dict[str, str]:
    by_pk = {s.pk: s for s in sources}
    moved = {by_pk[pk].supplier.code: str(v.quantize(_CENT)) for pk, v in proposal.items()}
    return {**shares(sources), **moved}


def _no_receiver(ev, breach, breaching, sources, found, evidence) -> None:
    """No source to take the share: both in breach, only worse ones, or none usable."""
    candidates = found["in_breach"] or found["worse"]
    if found["in_breach"]:
        kind = Kind.BOTH_IN_BREACH
    elif found["worse"]:
        kind = Kind.RECEIVER_DOES_WORSE
    else:
        kind = Kind.SINGLE_USABLE_SOURCE
    proposed = None
    if candidates:
        proposal, broken = propose_shift(breaching, candidates, breach.rule.amount)
        proposed = _proposed(sources, proposal)
        evidence["bounds_broken"] = broken
    raise_exception(ev, breach, kind, proposed, evidence)


def _apply(ev, breach, sources, proposal, proposed, receivers) -> None:
    breaching = next(s for s in sources if s.supplier_id == breach.supplier.pk)
    moved = proposal[breaching.pk] - breaching.target_share_pct
    codes = ", ".join(s.supplier.code for s in receivers)
    change = Record(
        part_id=breach.part_id,
        shares_before=shares(sources),
        shares_after=proposed,
        rule_id=breach.rule.pk,
        metric_value=breach.figure.value,
        reason=f"{breach.reason}: moved {(-moved).normalize():f} points from "
        f"{breach.supplier.code} to {codes}",
    )
    ev.plan.changes.append((change, sources, proposal))
    ev.plan.changed_parts.add(breach.part_id)
    fire(ev, breach, Outcome.APPLIED, allocation_change=change, reason=change.reason)
    ev.result.applied += 1
