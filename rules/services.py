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
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max, Sum
from django.utils import timezone

from contracts.models import ContractChange, ContractRule, PriceTier
from contracts.services import _snapshot
from parts.models import ApprovedSource
from purchasing.models import PurchaseOrderLine
from rules.models import AllocationBalance, AllocationChange, AllocationException, RuleFiring
from rules.selectors import expired_certificate_supplier_ids, unusable_reason
from scorecards import kpis
from scorecards.models import PartScorecard, SupplierScorecard
from suppliers.models import Supplier
from suppliers.services import supplier_change_status

Metric = ContractRule.Metric
Action = ContractRule.Action
Kind = AllocationException.Kind
Outcome = RuleFiring.Outcome

# KPIs part scorecards carry; the others exist only per supplier.
PART_METRICS = frozenset(
    {
        Metric.OTD_PCT,
        Metric.OTIF_PCT,
        Metric.DEFECT_PPM,
        Metric.LEAD_TIME_MEAN_DAYS,
        Metric.LEAD_TIME_P90_DAYS,
    }
)
# The population each figure rests on (low sample below 5).
POPULATION = {
    Metric.OTD_PCT: ("lines_due",),
    Metric.OTIF_PCT: ("lines_due",),
    Metric.DEFECT_PPM: ("inspections_count",),
    Metric.LEAD_TIME_MEAN_DAYS: ("receipts_count",),
    Metric.LEAD_TIME_P90_DAYS: ("receipts_count",),
    Metric.LANDED_COST_INDEX: ("priced_receipts_count",),
    Metric.COMPOSITE_SCORE: ("lines_due", "receipts_count", "inspections_count"),
}
SUPPORTED_ROLLING_DAYS = kpis.ROLLING_WINDOW_DAYS
_POPULATION_COLUMNS = ("lines_due", "receipts_count", "inspections_count", "priced_receipts_count")
_SUPPLIER_COLUMNS = tuple(m.value for m in Metric if m != Metric.ORDERED_QUANTITY_YTD)
_PART_COLUMNS = tuple(m.value for m in PART_METRICS)
_COMPARE = {
    ContractRule.Comparator.LT: lambda v, t: v < t,
    ContractRule.Comparator.LTE: lambda v, t: v <= t,
    ContractRule.Comparator.GT: lambda v, t: v > t,
    ContractRule.Comparator.GTE: lambda v, t: v >= t,
}
_CENT = Decimal("0.01")


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


@dataclass
class _Figure:
    """One figure a rule compared, with what it rests on (the exception's evidence)."""

    value: float | None
    usable: bool
    changed_at: dt.datetime | None
    evidence: dict = field(default_factory=dict)


def rule_window_period(*, window: str, window_days: int, as_of: dt.date) -> str | None:
    """The stored scorecard period a rule window reads; None if no such row is kept."""
    if window == ContractRule.Window.PERIOD:
        return (as_of.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    if window_days == SUPPORTED_ROLLING_DAYS:
        return kpis.ROLLING_PERIOD
    return None


def _row_figure(row: dict | None, metric: str, *, level: str) -> _Figure:
    if row is None:
        return _Figure(None, False, None, {"level": level, "row": None})
    populations = {c: row[c] for c in _POPULATION_COLUMNS if c in row}
    value = row.get(metric)
    enough = all(row.get(c, 0) >= kpis.LOW_SAMPLE_MINIMUM for c in POPULATION[metric])
    evidence = {
        "level": level,
        "row": row["id"],
        "period": row["period"],
        "period_start": row["period_start"].isoformat(),
        "period_end": row["period_end"].isoformat(),
        "value": value,
        "populations": populations,
        "low_sample": not enough,
    }
    return _Figure(value, value is not None and enough, row["computed_at"], evidence)


class _Facts:
    """Everything one evaluation reads, loaded set-based up front."""

    def __init__(self, *, rules: list[ContractRule], as_of: dt.date):
        self.as_of = as_of
        supplier_ids = {r.contract.supplier_id for r in rules}
        # Sources of every part the rules' suppliers supply (the other sources included).
        part_ids = ApprovedSource.objects.filter(
            supplier_id__in=supplier_ids, is_active=True
        ).values("part_id")
        self.sources_by_part: dict[int, list[ApprovedSource]] = defaultdict(list)
        self.parts_of_supplier: dict[int, list[int]] = defaultdict(list)
        for source in (
            ApprovedSource.objects.filter(part_id__in=part_ids, is_active=True)
            .select_related("supplier", "part")
            .order_by("part_id", "supplier__code")
        ):
            self.sources_by_part[source.part_id].append(source)
            self.parts_of_supplier[source.supplier_id].append(source.part_id)
        everyone = {s.supplier_id for group in self.sources_by_part.values() for s in group}
        everyone |= supplier_ids
        self.expired = expired_certificate_supplier_ids(supplier_ids=everyone, as_of=as_of)
        periods = {
            rule_window_period(window=r.window, window_days=r.window_days, as_of=as_of)
            for r in rules
        } - {None}
        self.supplier_rows: dict[tuple[int, str], dict] = {}
        self.part_rows: dict[tuple[int, int, str], dict] = {}
        base = ("id", "period", "period_start", "period_end", "computed_at", *_POPULATION_COLUMNS)
        if periods:
            for row in SupplierScorecard.objects.filter(
                supplier_id__in=everyone, period__in=periods
            ).values("supplier_id", *base, *_SUPPLIER_COLUMNS):
                self.supplier_rows[row["supplier_id"], row["period"]] = row
            part_rule_parts = {r.part_id for r in rules if r.part_id and r.metric in PART_METRICS}
            if part_rule_parts:
                for row in PartScorecard.objects.filter(
                    part_id__in=part_rule_parts, period__in=periods
                ).values("supplier_id", "part_id", *base, *_PART_COLUMNS):
                    self.part_rows[row["supplier_id"], row["part_id"], row["period"]] = row
        self.ordered_ytd: dict[tuple[int, int], Decimal] = {}
        if any(r.metric == Metric.ORDERED_QUANTITY_YTD for r in rules):
            for row in (
                PurchaseOrderLine.objects.filter(
                    purchase_order__supplier_id__in=supplier_ids,
                    purchase_order__order_date__gte=as_of.replace(month=1, day=1),
                    purchase_order__order_date__lte=as_of,
                )
                .exclude(status=PurchaseOrderLine.Status.CANCELLED)
                .values("purchase_order__supplier_id", "part_id")
                .annotate(total=Sum("quantity"))
            ):
                self.ordered_ytd[row["purchase_order__supplier_id"], row["part_id"]] = row["total"]
        self.last_fired = {
            (row["rule_id"], row["part_id"]): row["last"]
            for row in RuleFiring.objects.filter(rule_id__in=[r.pk for r in rules])
            .values("rule_id", "part_id")
            .annotate(last=Max("fired_at"))
        }
        self.open_exceptions = set()
        for kind, part_id, supplier_id in AllocationException.objects.filter(
            state=AllocationException.State.OPEN
        ).values_list("kind", "part_id", "supplier_id"):
            self.open_exceptions.add((kind, part_id, supplier_id))
            self.open_exceptions.add((kind, part_id, None))
        self.tiers: dict[tuple[int, int], list[PriceTier]] = defaultdict(list)
        tier_contracts = {r.contract_id for r in rules if r.action == Action.PRICE_TIER}
        if tier_contracts:
            for tier in PriceTier.objects.filter(
                contract_id__in=tier_contracts, is_applied=False
            ).order_by("min_quantity"):
                self.tiers[tier.contract_id, tier.part_id].append(tier)

    def usable(self, supplier: Supplier) -> bool:
        return supplier.status == Supplier.Status.APPROVED and supplier.pk not in self.expired

    def figure(self, rule: ContractRule, supplier_id: int, part_id: int | None) -> _Figure:
        if rule.metric == Metric.ORDERED_QUANTITY_YTD:
            if part_id is None:
                total = sum(
                    (q for (s, _), q in self.ordered_ytd.items() if s == supplier_id), Decimal(0)
                )
            else:
                total = self.ordered_ytd.get((supplier_id, part_id), Decimal(0))
            return _Figure(
                float(total),
                True,
                None,
                {"level": "orders", "since": self.as_of.replace(month=1, day=1).isoformat()},
            )
        period = rule_window_period(
            window=rule.window, window_days=rule.window_days, as_of=self.as_of
        )
        if rule.part_id and rule.metric in PART_METRICS:
            return _row_figure(
                self.part_rows.get((supplier_id, rule.part_id, period)), rule.metric, level="part"
            )
        return _row_figure(
            self.supplier_rows.get((supplier_id, period)), rule.metric, level="supplier"
        )


def _breaches(rule: ContractRule, figure: _Figure) -> bool:
    return figure.usable and _COMPARE[rule.comparator](Decimal(str(figure.value)), rule.threshold)


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


def _describe(rule: ContractRule, supplier: Supplier, figure: _Figure) -> str:
    window = (
        f"{rule.window_days}-day" if rule.window == ContractRule.Window.ROLLING_DAYS else "monthly"
    )
    value = "n/a" if figure.value is None else f"{figure.value:.2f}"
    return (
        f"{rule.name}: {supplier.code} {window} {rule.get_metric_display()} {value} "
        f"{rule.get_comparator_display()} {rule.threshold.normalize():f}"
    )


class _Plan:
    """The writes one evaluation decided, flushed in bulk at the end."""

    def __init__(self):
        self.firings: list[RuleFiring] = []
        self.changes: list[tuple[AllocationChange, list[ApprovedSource], dict[int, Decimal]]] = []
        self.exceptions: list[AllocationException] = []
        self.tier_updates: list[tuple[PriceTier, list[PriceTier], ApprovedSource]] = []
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
        .select_related("contract__supplier", "part")
        .order_by("contract__supplier_id", "pk")
    )
    if supplier_ids is not None:
        rules_qs = rules_qs.filter(contract__supplier_id__in=list(supplier_ids))
    rules = list(rules_qs)
    result.rules = len(rules)
    if not rules:
        result.seconds = round(time.perf_counter() - started, 3)
        return result
    facts = _Facts(rules=rules, as_of=as_of)
    plan = _Plan()

    for rule in rules:
        supplier = rule.contract.supplier
        if rule.metric != Metric.ORDERED_QUANTITY_YTD and (
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
        for part_id in targets:
            figure_part = part_id if rule.metric == Metric.ORDERED_QUANTITY_YTD else None
            figure = facts.figure(rule, supplier.pk, figure_part)
            if figure.value is not None and not figure.usable:
                result.low_sample += 1
            if not _breaches(rule, figure):
                continue
            key_part = part_id if per_part else rule.part_id
            if _cooling_down(rule, key_part, figure, facts, now):
                continue
            result.breaches += 1
            _decide(rule, supplier, key_part, figure, facts, plan, result, now)

    _flush(plan, now)
    touched = {f.rule_id for f in plan.firings}
    if touched:
        ContractRule.objects.filter(pk__in=touched).update(last_fired_at=now)
    result.seconds = round(time.perf_counter() - started, 3)
    return result


def _cooling_down(rule, part_id, figure: _Figure, facts: _Facts, now) -> bool:
    last = facts.last_fired.get((rule.pk, part_id))
    if last is None:
        return False
    if last > now - dt.timedelta(days=rule.cooldown_days):
        return True
    # The same facts twice change nothing: the figures have not moved since it fired.
    return figure.changed_at is not None and figure.changed_at <= last


def _fire(plan: _Plan, facts: _Facts, rule, supplier, part_id, figure, outcome, now, **extra):
    firing = RuleFiring(
        rule=rule,
        part_id=part_id,
        supplier=supplier,
        metric_value=figure.value,
        outcome=outcome,
        fired_at=now,
        **extra,
    )
    plan.firings.append(firing)
    facts.last_fired[rule.pk, part_id] = now
    return firing


def _exception(plan: _Plan, facts: _Facts, *, kind, rule, supplier, part_id, proposed, evidence):
    key = (kind, part_id, None if kind == Kind.BOTH_IN_BREACH else supplier.pk)
    if key in facts.open_exceptions or key in plan.exception_keys:
        return None
    plan.exception_keys.add(key)
    exception = AllocationException(
        kind=kind,
        part_id=part_id,
        supplier=supplier,
        rule=rule,
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
        other_breaches = _breaches(rule, other_figure)
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
    moved = proposal[breaching.pk] - breaching.target_share_pct
    codes = ", ".join(s.supplier.code for s in receivers)
    change = AllocationChange(
        part_id=part_id,
        shares_before=_shares(sources),
        shares_after=proposed,
        rule=rule,
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
    AllocationChange.objects.bulk_create([c for c, _, _ in plan.changes])
    AllocationException.objects.bulk_create(plan.exceptions)
    updated = []
    for _, sources, proposal in plan.changes:
        for source in sources:
            if source.pk in proposal:
                source.target_share_pct = proposal[source.pk]
                updated.append(source)
    ApprovedSource.objects.bulk_update(updated, ["target_share_pct"], batch_size=2000)
    balances_rebase(part_ids={c.part_id for c, _, _ in plan.changes}, at=now)
    # The firings point at the changes and exceptions created above (ids now set).
    RuleFiring.objects.bulk_create(plan.firings, batch_size=2000)
    if plan.tier_updates:
        _tiers_apply(plan.tier_updates, actor=None)


def balances_rebase(*, part_ids, at=None) -> None:
    """Every source of these parts starts its running total again from zero (SPEC §4)."""
    part_ids = list(part_ids)
    if not part_ids:
        return
    at = at or timezone.now()
    AllocationBalance.objects.bulk_create(
        [
            AllocationBalance(source_id=pk, allocated_quantity=0, rebased_at=at)
            for pk in ApprovedSource.objects.filter(part_id__in=part_ids).values_list(
                "pk", flat=True
            )
        ],
        update_conflicts=True,
        unique_fields=["source"],
        update_fields=["allocated_quantity", "rebased_at"],
        batch_size=2000,
    )


def _tiers_apply(updates, *, actor) -> None:
    """Mark reached tiers applied and set each source's unit price, audited on the contract."""
    tiers, sources, changes = [], [], []
    for tier, reached, source in updates:
        for t in reached:
            before = _snapshot(t)
            t.is_applied = True
            tiers.append(t)
            changes.append(
                ContractChange(
                    contract_id=t.contract_id,
                    object_type="pricetier",
                    object_id=t.pk,
                    kind=ContractChange.Kind.UPDATED,
                    actor=actor,
                    before=before,
                    after=_snapshot(t),
                )
            )
        source.unit_price = tier.unit_price
        sources.append(source)
    PriceTier.objects.bulk_update(tiers, ["is_applied"])
    ApprovedSource.objects.bulk_update(sources, ["unit_price"])
    ContractChange.objects.bulk_create(changes)


# --- buyer decisions -----------------------------------------------------------------


@transaction.atomic
def exception_approve(
    *, exception: AllocationException, user, comment: str = ""
) -> AllocationException:
    """Approve: a hold puts the supplier on hold; a share proposal is applied (widening a
    bound it breaks), with an allocation change in the buyer's name."""
    exception = AllocationException.objects.select_for_update().get(pk=exception.pk)
    _check_open(exception)
    if exception.kind == Kind.HOLD:
        supplier = Supplier.objects.select_for_update().get(pk=exception.supplier_id)
        if supplier.status != Supplier.Status.ON_HOLD:
            supplier_change_status(supplier=supplier, status=Supplier.Status.ON_HOLD)
    elif exception.proposed_shares:
        _apply_proposal(exception, user=user, comment=comment)
    return _decide_exception(
        exception, state=AllocationException.State.APPROVED, user=user, comment=comment
    )


@transaction.atomic
def exception_reject(
    *, exception: AllocationException, user, comment: str = ""
) -> AllocationException:
    """Reject: nothing changes; the decision is kept with who, when and why."""
    exception = AllocationException.objects.select_for_update().get(pk=exception.pk)
    _check_open(exception)
    return _decide_exception(
        exception, state=AllocationException.State.REJECTED, user=user, comment=comment
    )


def _check_open(exception: AllocationException) -> None:
    if exception.state != AllocationException.State.OPEN:
        raise ValidationError(
            {"state": f"This exception was already {exception.state}; it cannot be decided again."}
        )


def _decide_exception(exception, *, state, user, comment) -> AllocationException:
    exception.state = state
    exception.decided_by = user
    exception.decided_at = timezone.now()
    exception.comment = (comment or "").strip()[:2000]
    exception.save(update_fields=["state", "decided_by", "decided_at", "comment"])
    return exception


def _apply_proposal(exception: AllocationException, *, user, comment: str) -> None:
    sources = list(
        ApprovedSource.objects.select_for_update()
        .filter(part_id=exception.part_id, is_active=True)
        .select_related("supplier")
        .order_by("supplier__code")
    )
    before = _shares(sources)
    expected = exception.evidence.get("shares_before")
    if expected and expected != before:
        raise ValidationError(
            {
                "proposed_shares": "The part's shares changed since this was proposed; reject it "
                "and let the engine evaluate again."
            }
        )
    expired = expired_certificate_supplier_ids(
        supplier_ids=[s.supplier_id for s in sources], as_of=timezone.localdate()
    )
    proposal = {code: Decimal(v) for code, v in exception.proposed_shares.items()}
    for source in sources:
        new = proposal.get(source.supplier.code, source.target_share_pct)
        if new > source.target_share_pct and (
            source.supplier.status != Supplier.Status.APPROVED or source.supplier_id in expired
        ):
            raise ValidationError(
                {
                    "proposed_shares": f"{source.supplier.code} is no longer usable; "
                    "share cannot move to it."
                }
            )
        source.target_share_pct = new
        source.min_share_pct = min(source.min_share_pct, new)
        source.max_share_pct = max(source.max_share_pct, new)
    ApprovedSource.objects.bulk_update(
        sources, ["target_share_pct", "min_share_pct", "max_share_pct"]
    )
    note = f"; {comment.strip()}" if comment and comment.strip() else ""
    change = AllocationChange.objects.create(
        part_id=exception.part_id,
        shares_before=before,
        shares_after=_shares(sources),
        rule=exception.rule,
        metric_value=exception.evidence.get("value"),
        actor=user,
        reason=f"Approved exception #{exception.pk} ({exception.get_kind_display().lower()}){note}",
    )
    balances_rebase(part_ids=[exception.part_id], at=change.created_at)
