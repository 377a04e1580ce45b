"""What one evaluation reads, loaded set-based up front, and which figure a rule reads."""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property, partial
from operator import itemgetter

from django.db.models import Max, Sum

from contracts.models import ContractRule, PriceTier
from core.pgarray import ids_in
from parts.models import ApprovedSource
from prediction.selectors import predicted_otd_by_supplier
from purchasing.models import PurchaseOrderLine
from rules.models import AllocationException, RuleFiring
from rules.selectors import expired_certificate_supplier_ids
from scorecards import kpis
from scorecards.models import PartScorecard, SupplierScorecard
from suppliers.models import Supplier

Metric = ContractRule.Metric
Action = ContractRule.Action

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
# Figures that are not scorecard columns and read no rule window.
WINDOWLESS_METRICS = frozenset({Metric.ORDERED_QUANTITY_YTD, Metric.PREDICTED_OTD_PCT})
_SUPPLIER_COLUMNS = tuple(m.value for m in Metric if m not in WINDOWLESS_METRICS)
_PART_COLUMNS = tuple(m.value for m in PART_METRICS)
_ROW_BASE = ("id", "period", "period_start", "period_end", "computed_at", *_POPULATION_COLUMNS)
_COMPARE = {
    ContractRule.Comparator.LT: lambda v, t: v < t,
    ContractRule.Comparator.LTE: lambda v, t: v <= t,
    ContractRule.Comparator.GT: lambda v, t: v > t,
    ContractRule.Comparator.GTE: lambda v, t: v >= t,
}


class Figure:
    """One figure a rule compared, with what it rests on (the exception's evidence).

    The evidence is written out only when a decision asks for it: most figures breach
    nothing, and thousands of dicts nobody reads cost more than the comparisons."""

    __slots__ = ("value", "usable", "changed_at", "_evidence")

    def __init__(self, value, usable, changed_at, evidence: dict | Callable[[], dict]):
        self.value: float | None = value
        self.usable: bool = usable
        self.changed_at: dt.datetime | None = changed_at
        self._evidence = evidence

    @property
    def evidence(self) -> dict:
        if callable(self._evidence):
            self._evidence = self._evidence()
        return self._evidence


def rule_window_period(*, window: str, window_days: int, as_of: dt.date) -> str | None:
    """The stored scorecard period a rule window reads; None if no such row is kept."""
    if window == ContractRule.Window.PERIOD:
        return (as_of.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    if window_days == SUPPORTED_ROLLING_DAYS:
        return kpis.ROLLING_PERIOD
    return None


def _row_figure(row: dict | None, metric: str, *, level: str) -> Figure:
    if row is None:
        return Figure(None, False, None, {"level": level, "row": None})
    value = row.get(metric)
    enough = all(row.get(c, 0) >= kpis.LOW_SAMPLE_MINIMUM for c in POPULATION[metric])
    return Figure(
        value,
        value is not None and enough,
        row["computed_at"],
        partial(_row_evidence, row, value, level=level, enough=enough),
    )


def _row_evidence(row: dict, value, *, level: str, enough: bool) -> dict:
    return {
        "level": level,
        "row": row["id"],
        "period": row["period"],
        "period_start": row["period_start"].isoformat(),
        "period_end": row["period_end"].isoformat(),
        "value": value,
        "populations": {c: row[c] for c in _POPULATION_COLUMNS if c in row},
        "low_sample": not enough,
    }


@dataclass(slots=True)
class RuleRow:
    """A contract rule as the engine reads it (a row, not a model instance)."""

    pk: int
    contract_id: int
    supplier_id: int
    name: str
    part_id: int | None
    metric: str
    window: str
    window_days: int
    comparator: str
    threshold: Decimal
    action: str
    amount: Decimal
    cooldown_days: int


RULE_COLUMNS = tuple(RuleRow.__dataclass_fields__)


@dataclass(slots=True)
class SourceRow:
    """An approved source as the engine reads it (a row, not a model instance)."""

    pk: int
    part_id: int
    supplier_id: int
    supplier: Supplier
    target_share_pct: Decimal
    min_share_pct: Decimal
    max_share_pct: Decimal
    unit_price: Decimal


@dataclass(slots=True, eq=False)
class TierRow:
    """A price tier not applied yet, as the engine reads it."""

    pk: int
    contract_id: int
    part_id: int
    min_quantity: Decimal
    unit_price: Decimal

    def instance(self) -> PriceTier:
        return PriceTier(
            pk=self.pk,
            contract_id=self.contract_id,
            part_id=self.part_id,
            min_quantity=self.min_quantity,
            unit_price=self.unit_price,
            is_applied=False,
        )


def ordered_quantity_ytd(
    *, supplier_ids: set[int], part_ids: set[int], as_of: dt.date
) -> dict[tuple[int, int], Decimal]:
    """(supplier, part) → quantity ordered from 1 January to `as_of`, cancelled lines
    excluded, for these suppliers and parts only (one grouped query over their lines)."""
    if not supplier_ids or not part_ids:
        return {}
    rows = (
        PurchaseOrderLine.objects.filter(
            ids_in("purchase_order__supplier_id", supplier_ids),
            ids_in("part_id", part_ids),
            purchase_order__order_date__gte=as_of.replace(month=1, day=1),
            purchase_order__order_date__lte=as_of,
        )
        .exclude(status=PurchaseOrderLine.Status.CANCELLED)
        .order_by()
        .values("purchase_order__supplier_id", "part_id")
        .annotate(total=Sum("quantity"))
        .values_list("purchase_order__supplier_id", "part_id", "total")
    )
    return {(supplier_id, part_id): total for supplier_id, part_id, total in rows}


class Facts:
    """Everything one evaluation reads, loaded set-based up front."""

    def __init__(self, *, rules: list[RuleRow], rules_query, as_of: dt.date):
        """`rules` as loaded; `rules_query` the same rules as a queryset, for subqueries
        (a list of thousands of ids as query parameters costs more than the query)."""
        self.as_of = as_of
        self._year_start = as_of.replace(month=1, day=1).isoformat()
        self._figures: dict[tuple, Figure] = {}
        everyone = self._load_sources(rules, rules_query)
        # Every supplier's certificates (a small table): cheaper than naming thousands of ids.
        self.expired = expired_certificate_supplier_ids(as_of=as_of) & everyone
        self._load_scorecards(rules, everyone)
        self._load_ytd(rules)
        # Predicted OTD of open lines due in 30 days (docs/prediction.md), per supplier.
        self.predicted: dict[int, dict] = {}
        if any(r.metric == Metric.PREDICTED_OTD_PCT for r in rules):
            self.predicted = predicted_otd_by_supplier(
                supplier_ids=self._predicted_scope(rules), as_of=as_of
            )
        self._load_history(rules_query)
        self._load_tiers(rules, rules_query)

    def _load_sources(self, rules: list[RuleRow], rules_query) -> set[int]:
        """`suppliers`, each part's sources and `parts_of_supplier`; returns the ids of every
        supplier read (the rules' suppliers and the other sources of their parts)."""
        supplier_ids = {r.supplier_id for r in rules}
        # Sources of every part the rules' suppliers supply (the other sources included),
        # read as plain rows: tens of thousands of model instances would cost seconds.
        part_ids = ApprovedSource.objects.filter(
            supplier_id__in=rules_query.values("contract__supplier_id"), is_active=True
        ).values("part_id")
        rows = list(
            ApprovedSource.objects.filter(part_id__in=part_ids, is_active=True)
            .order_by()  # grouped and sorted below: no join to parts for the model's order
            .values_list(
                "pk",
                "part_id",
                "supplier_id",
                "target_share_pct",
                "min_share_pct",
                "max_share_pct",
                "unit_price",
            )
        )
        everyone = supplier_ids | {row[2] for row in rows}
        self.suppliers: dict[int, Supplier] = {
            s.pk: s
            for s in Supplier.objects.filter(ids_in("pk", everyone)).only(
                "id", "code", "name", "status"
            )
        }
        # Each supplier's parts in id order; a part's sources are built when a decision
        # needs them (`sources_of`): most parts breach nothing.
        rows.sort(key=itemgetter(1))
        self._source_rows: dict[int, list[tuple]] = defaultdict(list)
        self._sources: dict[int, list[SourceRow]] = {}
        self.parts_of_supplier: dict[int, list[int]] = defaultdict(list)
        for row in rows:
            self._source_rows[row[1]].append(row)
            self.parts_of_supplier[row[2]].append(row[1])
        return everyone

    def sources_of(self, part_id: int) -> list[SourceRow]:
        """The part's active sources, by supplier code."""
        found = self._sources.get(part_id)
        if found is None:
            suppliers = self.suppliers
            rows = sorted(self._source_rows.get(part_id, ()), key=lambda r: suppliers[r[2]].code)
            found = self._sources[part_id] = [
                SourceRow(pk, part, supplier_id, suppliers[supplier_id], share, low, high, price)
                for pk, part, supplier_id, share, low, high, price in rows
            ]
        return found

    def _load_scorecards(self, rules: list[RuleRow], everyone: set[int]) -> None:
        """`supplier_rows`, and the `part_rows` the rules limited to one part read (what a
        shift compares is read once the breaches are known: `part_values_load`)."""
        periods = {
            rule_window_period(window=r.window, window_days=r.window_days, as_of=self.as_of)
            for r in rules
        } - {None}
        self.supplier_rows: dict[tuple[int, str], dict] = {}
        self.part_rows: dict[tuple[int, int, str], dict] = {}
        self.part_values: dict[tuple[int, int, str, str], tuple[float | None, bool]] = {}
        if not periods:
            return
        for row in SupplierScorecard.objects.filter(
            ids_in("supplier_id", everyone), period__in=periods
        ).values("supplier_id", *_ROW_BASE, *_SUPPLIER_COLUMNS):
            self.supplier_rows[row["supplier_id"], row["period"]] = row
        part_ids = {r.part_id for r in rules if r.part_id and r.metric in PART_METRICS}
        if part_ids:
            for row in PartScorecard.objects.filter(
                ids_in("part_id", part_ids), period__in=periods
            ).values("supplier_id", "part_id", *_ROW_BASE, *_PART_COLUMNS):
                self.part_rows[row["supplier_id"], row["part_id"], row["period"]] = row

    def part_values_load(self, *, period: str, metric: str, part_ids: set[int]) -> None:
        """Every supplier's figure on these parts in one window, and whether it rests on
        enough facts (what a shift compares the sources on), in one query."""
        populations = POPULATION[metric]
        for supplier_id, part_id, value, *counts in (
            PartScorecard.objects.filter(ids_in("part_id", part_ids), period=period)
            .order_by()
            .values_list("supplier_id", "part_id", metric, *populations)
        ):
            usable = value is not None and all(c >= kpis.LOW_SAMPLE_MINIMUM for c in counts)
            self.part_values[supplier_id, part_id, period, metric] = (value, usable)

    def _predicted_scope(self, rules: list[RuleRow]) -> set[int]:
        """The suppliers whose predicted OTD the predicted-OTD rules read: their own, and
        those of the other sources of the parts they cover (a shift compares them)."""
        scope = set()
        for rule in rules:
            if rule.metric != Metric.PREDICTED_OTD_PCT:
                continue
            scope.add(rule.supplier_id)
            parts = [rule.part_id] if rule.part_id else self.parts_of_supplier[rule.supplier_id]
            for part_id in parts:
                scope.update(row[2] for row in self._source_rows.get(part_id, ()))
        return scope

    def _load_ytd(self, rules: list[RuleRow]) -> None:
        """`ordered_ytd`: quantity ordered this year per (supplier, part), for volume rules,
        read only for the sources they concern (a rule without a part: every part its
        supplier sources)."""
        self.ordered_ytd: dict[tuple[int, int], Decimal] = {}
        volume_rules = [r for r in rules if r.metric == Metric.ORDERED_QUANTITY_YTD]
        if not volume_rules:
            return
        parts: set[int] = set()
        for rule in volume_rules:
            parts.update(
                [rule.part_id] if rule.part_id else self.parts_of_supplier[rule.supplier_id]
            )
        self.ordered_ytd = ordered_quantity_ytd(
            supplier_ids={r.supplier_id for r in volume_rules}, part_ids=parts, as_of=self.as_of
        )

    def _load_history(self, rules_query) -> None:
        """`last_fired` per (rule, part)."""
        self.last_fired = {
            (row["rule_id"], row["part_id"]): row["last"]
            for row in RuleFiring.objects.filter(rule_id__in=rules_query.values("pk"))
            .values("rule_id", "part_id")
            .annotate(last=Max("fired_at"))
        }

    @cached_property
    def open_exceptions(self) -> set[tuple]:
        """(kind, part, supplier) and (kind, part, None) of every open exception: read when
        a decision first may raise one (a run with nothing new raises none)."""
        found = set()
        for kind, part_id, supplier_id in AllocationException.objects.filter(
            state=AllocationException.State.OPEN
        ).values_list("kind", "part_id", "supplier_id"):
            found.add((kind, part_id, supplier_id))
            found.add((kind, part_id, None))
        return found

    def _load_tiers(self, rules: list[RuleRow], rules_query) -> None:
        """`tiers`: the price tiers not applied yet of the price-tier rules' contracts."""
        self.tiers: dict[tuple[int, int], list[TierRow]] = defaultdict(list)
        if not any(r.action == Action.PRICE_TIER for r in rules):
            return
        tier_contracts = rules_query.filter(action=Action.PRICE_TIER).values("contract_id")
        for row in (
            PriceTier.objects.filter(contract_id__in=tier_contracts, is_applied=False)
            .order_by("min_quantity")
            .values_list("pk", "contract_id", "part_id", "min_quantity", "unit_price")
        ):
            tier = TierRow(*row)
            self.tiers[tier.contract_id, tier.part_id].append(tier)

    def usable(self, supplier: Supplier) -> bool:
        return supplier.status == Supplier.Status.APPROVED and supplier.pk not in self.expired

    def part_value(
        self, rule: RuleRow, supplier_id: int, part_id: int
    ) -> tuple[float | None, bool]:
        """The rule's metric on the part's own scorecard row for this supplier, and whether
        it is usable (`part_values_load` read it)."""
        period = rule_window_period(
            window=rule.window, window_days=rule.window_days, as_of=self.as_of
        )
        return self.part_values.get((supplier_id, part_id, period, rule.metric), (None, False))

    def figure(self, rule: RuleRow, supplier_id: int, part_id: int | None) -> Figure:
        if rule.metric == Metric.PREDICTED_OTD_PCT:
            return _predicted_figure(self.predicted.get(supplier_id))
        if rule.metric == Metric.ORDERED_QUANTITY_YTD:
            return self._ordered_figure(supplier_id, part_id)
        period = rule_window_period(
            window=rule.window, window_days=rule.window_days, as_of=self.as_of
        )
        if rule.part_id and rule.metric in PART_METRICS:
            return self._row_figure("part", (supplier_id, rule.part_id, period), rule.metric)
        return self._row_figure("supplier", (supplier_id, period), rule.metric)

    def _row_figure(self, level: str, key: tuple, metric: str) -> Figure:
        """One stored row's figure, built once per evaluation (many rules read the same)."""
        cached = self._figures.get((level, key, metric))
        if cached is None:
            rows = self.part_rows if level == "part" else self.supplier_rows
            cached = _row_figure(rows.get(key), metric, level=level)
            self._figures[level, key, metric] = cached
        return cached

    def _ordered_figure(self, supplier_id: int, part_id: int | None) -> Figure:
        if part_id is None:
            total = sum(
                (q for (s, _), q in self.ordered_ytd.items() if s == supplier_id), Decimal(0)
            )
        else:
            total = self.ordered_ytd.get((supplier_id, part_id), Decimal(0))
        return Figure(float(total), True, None, {"level": "orders", "since": self._year_start})


def _predicted_figure(row: dict | None) -> Figure:
    """Expected OTD of the supplier's open lines due in 30 days; fewer than 5 lines is a
    low sample, as for a KPI."""
    if row is None or row["pct"] is None:
        return Figure(None, False, None, {"level": "predicted", "predicted": True, "lines": 0})
    evidence = {"level": "predicted", "predicted": True, "value": row["pct"], "lines": row["lines"]}
    usable = row["lines"] >= kpis.LOW_SAMPLE_MINIMUM
    return Figure(row["pct"], usable, row["scored_at"], evidence)


def breaches(rule: RuleRow, figure: Figure) -> bool:
    return figure.usable and _COMPARE[rule.comparator](Decimal(str(figure.value)), rule.threshold)
