"""KPI arithmetic of docs/kpis.md, in one place.

Every formula exists twice, side by side: as a plain Python function (the reference a
reader, the admin and the tests use) and as a SQL expression builder (what the database
evaluates for every scorecard row, set-based). `tests/scorecards/test_kpis.py` checks that
both give the same numbers. Nothing here touches the database.

SQL builders take SQL expressions (column names) as strings and return a SQL expression
that is valid on SQLite and PostgreSQL alike. Every division starts from a decimal literal
(`100.0 * a / b`) so neither database falls back to integer division.
"""

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ROLLING_PERIOD = "rolling-90"
ROLLING_WINDOW_DAYS = 90
LOW_SAMPLE_MINIMUM = 5
DEFAULT_EARLY_TOLERANCE_DAYS = 3
DEFAULT_LATE_TOLERANCE_DAYS = 0
# The lead-time percentile, as a fraction so the database can locate it with integer maths.
PERCENTILE_NUMERATOR, PERCENTILE_DENOMINATOR = 9, 10
COMPOSITE_DECIMALS = 6
QUANTITY_ROUNDING = "0.0005"  # half the smallest quantity step (3 decimals)
GRADE_BANDS: tuple[tuple[str, int], ...] = (("A", 90), ("B", 75), ("C", 60))
LOWEST_GRADE = "D"

_PERIOD_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_COMPOSITE_QUANTUM = Decimal(1).scaleb(-COMPOSITE_DECIMALS)

Number = Decimal | int | float


@dataclass(frozen=True)
class Criterion:
    """A composite-score criterion and the template fields that configure it."""

    kpi: str
    floor_field: str
    target_field: str
    weight_field: str
    default_floor: Decimal
    default_target: Decimal
    default_weight: Decimal


CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        "otd_pct",
        "otd_floor_pct",
        "otd_target_pct",
        "otd_weight",
        *map(Decimal, ("80", "98", "40")),
    ),
    Criterion(
        "defect_ppm",
        "defect_ppm_floor",
        "defect_ppm_target",
        "defect_ppm_weight",
        *map(Decimal, ("5000", "100", "30")),
    ),
    Criterion(
        "lead_time_mean_days",
        "lead_time_floor_days",
        "lead_time_target_days",
        "lead_time_weight",
        *map(Decimal, ("60", "14", "10")),
    ),
    Criterion(
        "landed_cost_index",
        "landed_cost_index_floor",
        "landed_cost_index_target",
        "landed_cost_weight",
        *map(Decimal, ("1.15", "0.95", "20")),
    ),
)


@dataclass(frozen=True)
class CriterionSetting:
    kpi: str
    floor: Number
    target: Number
    weight: Number


DEFAULT_CRITERIA: tuple[CriterionSetting, ...] = tuple(
    CriterionSetting(c.kpi, c.default_floor, c.default_target, c.default_weight) for c in CRITERIA
)


# --- Periods -------------------------------------------------------------------------


def period_of(day: dt.date) -> str:
    """The calendar month a date falls in, as `YYYY-MM`."""
    return f"{day.year:04d}-{day.month:02d}"


def period_validate(value: str) -> str:
    """A `YYYY-MM` month or `rolling-90`; anything else raises ValueError."""
    if value == ROLLING_PERIOD or _PERIOD_RE.match(value or ""):
        return value
    raise ValueError(f"{value!r} is not a period: use YYYY-MM (a calendar month) or rolling-90.")


def month_bounds(period: str) -> tuple[dt.date, dt.date]:
    """First and last day of a `YYYY-MM` month."""
    match = _PERIOD_RE.match(period)
    if not match:
        raise ValueError(f"{period!r} is not a calendar month (YYYY-MM).")
    year, month = int(match.group(1)), int(match.group(2))
    first = dt.date(year, month, 1)
    next_first = dt.date(year + month // 12, month % 12 + 1, 1)
    return first, next_first - dt.timedelta(days=1)


def rolling_window(as_of: dt.date, days: int = ROLLING_WINDOW_DAYS) -> tuple[dt.date, dt.date]:
    """The `days` days ending on `as_of`, both ends included."""
    return as_of - dt.timedelta(days=days - 1), as_of


def period_bounds(period: str, *, as_of: dt.date) -> tuple[dt.date, dt.date]:
    return rolling_window(as_of) if period == ROLLING_PERIOD else month_bounds(period)


# --- Per-row formulas (reference definitions) ------------------------------------------


def _decimal(value: Number) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def ratio(numerator: Number, denominator: Number, scale: Number = 1) -> Decimal | None:
    """`scale × numerator / denominator`; None (an empty population) when the denominator is 0."""
    if not denominator:
        return None
    return _decimal(scale) * _decimal(numerator) / _decimal(denominator)


def is_on_time(receipt_date: dt.date, promised_date: dt.date, *, early: int, late: int) -> bool:
    """Received within [promised − early, promised + late], both ends included."""
    return -early <= (receipt_date - promised_date).days <= late


def on_time_quantity(received_in_window: Number, ordered: Number) -> Decimal:
    """Quantity received in the tolerance window, capped at the ordered quantity."""
    return min(_decimal(received_in_window), _decimal(ordered))


def is_in_full(on_time_quantity_line: Number, ordered: Number) -> bool:
    """OTIF: the line's on-time quantity reached its ordered quantity."""
    return _decimal(on_time_quantity_line) >= _decimal(ordered)


def otd_pct(on_time_quantity_total: Number, ordered_quantity_total: Number) -> Decimal | None:
    return ratio(on_time_quantity_total, ordered_quantity_total, 100)


def otif_pct(lines_in_full: int, lines_due: int) -> Decimal | None:
    return ratio(lines_in_full, lines_due, 100)


def defect_ppm(units_defective: Number, units_inspected: Number) -> Decimal | None:
    return ratio(units_defective, units_inspected, 1_000_000)


def lead_time_mean_days(lead_time_days_total: Number, receipts_count: int) -> Decimal | None:
    return ratio(lead_time_days_total, receipts_count)


def percentile(values: Iterable[Number], fraction: Number = Decimal("0.9")) -> Decimal | None:
    """Linear interpolation between closest ranks (numpy's default, PostgreSQL percentile_cont)."""
    ordered = sorted(_decimal(v) for v in values)
    if not ordered:
        return None
    position = _decimal(fraction) * (len(ordered) - 1)
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (position - lower) * (ordered[upper] - ordered[lower])


def landed_cost(
    *, quantity: Number, unit_price: Number, line_rate: Number, costs: Number, cost_rate: Number
) -> Decimal:
    """Base-currency cost of one receipt: goods at the line price plus freight, duty and other."""
    return _decimal(quantity) * _decimal(unit_price) * _decimal(line_rate) + _decimal(
        costs
    ) * _decimal(cost_rate)


def landed_unit_cost(landed_cost_total: Number, priced_quantity: Number) -> Decimal | None:
    return ratio(landed_cost_total, priced_quantity)


def landed_cost_index(parts: Iterable[tuple[Number, Number, Number]]) -> Decimal | None:
    """Σ q_sp·luc_sp / Σ q_sp·luc_p over (q_sp, luc_sp, luc_p) of the supplier's parts."""
    own = benchmark = Decimal(0)
    for quantity, unit_cost, part_unit_cost in parts:
        own += _decimal(quantity) * _decimal(unit_cost)
        benchmark += _decimal(quantity) * _decimal(part_unit_cost)
    return ratio(own, benchmark) if benchmark > 0 else None


def is_low_sample(population: int) -> bool:
    """A figure resting on 1–4 lines, receipts or inspections; an empty one shows no figure."""
    return 0 < population < LOW_SAMPLE_MINIMUM


# --- Scoring ---------------------------------------------------------------------------


def criterion_score(value: Number | None, floor: Number, target: Number) -> Decimal | None:
    """0 at the floor, 100 at the target, linear between, clamped; works for floor > target."""
    if value is None:
        return None
    share = (_decimal(value) - _decimal(floor)) / (_decimal(target) - _decimal(floor))
    if share <= 0:
        return Decimal(0)
    if share >= 1:
        return Decimal(100)
    return 100 * (_decimal(value) - _decimal(floor)) / (_decimal(target) - _decimal(floor))


def composite_score(
    values: Mapping[str, Number | None], criteria: Sequence[CriterionSetting] = DEFAULT_CRITERIA
) -> Decimal | None:
    """Weighted mean of the criterion scores that are not null; null when none is."""
    weighted = weights = Decimal(0)
    for criterion in criteria:
        score = criterion_score(values.get(criterion.kpi), criterion.floor, criterion.target)
        if score is None:
            continue
        weighted += _decimal(criterion.weight) * score
        weights += _decimal(criterion.weight)
    if weights <= 0:
        return None
    return (weighted / weights).quantize(_COMPOSITE_QUANTUM, rounding=ROUND_HALF_UP)


def grade(composite: Number | None) -> str | None:
    """A ≥ 90, B ≥ 75, C ≥ 60, else D; no grade without a composite score."""
    if composite is None:
        return None
    for letter, minimum in GRADE_BANDS:
        if _decimal(composite) >= minimum:
            return letter
    return LOWEST_GRADE


# --- The same formulas as SQL ----------------------------------------------------------


def sql_ratio(numerator: str, denominator: str, scale: str = "1.0") -> str:
    """`scale × numerator / denominator`, NULL when the denominator is 0 (empty population)."""
    return f"(CASE WHEN {denominator} > 0 THEN {scale} * {numerator} / {denominator} END)"


def sql_smaller(a: str, b: str) -> str:
    # CASE rather than LEAST/MIN: the two databases spell the scalar minimum differently.
    return f"(CASE WHEN {a} < {b} THEN {a} ELSE {b} END)"


def sql_is_on_time(days_from_promise: str, early: str, late: str) -> str:
    return f"({days_from_promise} BETWEEN -{early} AND {late})"


def sql_on_time_quantity(received_in_window: str, ordered: str) -> str:
    return sql_smaller(f"COALESCE({received_in_window}, 0)", ordered)


def sql_is_in_full(on_time: str, ordered: str) -> str:
    # Quantities carry 3 decimals; the half-thousandth absorbs binary rounding of their sums.
    return f"(CASE WHEN {on_time} >= {ordered} - {QUANTITY_ROUNDING} THEN 1 ELSE 0 END)"


def sql_landed_cost(
    *, quantity: str, unit_price: str, line_rate: str, costs: str, cost_rate: str
) -> str:
    """NULL when either rate is missing, so the receipt drops out of landed cost."""
    return f"({quantity} * {unit_price} * {line_rate} + ({costs}) * {cost_rate})"


def sql_criterion_score(value: str, floor: str, target: str) -> str:
    share = f"(1.0 * ({value} - {floor}) / ({target} - {floor}))"
    return (
        f"(CASE WHEN {value} IS NULL THEN NULL WHEN {share} <= 0 THEN 0.0 "
        f"WHEN {share} >= 1 THEN 100.0 "
        f"ELSE 100.0 * ({value} - {floor}) / ({target} - {floor}) END)"
    )


def sql_composite_score(scores_and_weights: Sequence[tuple[str, str]]) -> str:
    """Weighted mean over the non-null scores, rounded like `composite_score`."""
    weighted = " + ".join(f"COALESCE({w} * {s}, 0)" for s, w in scores_and_weights)
    weights = " + ".join(
        f"(CASE WHEN {s} IS NULL THEN 0 ELSE {w} END)" for s, w in scores_and_weights
    )
    return (
        f"(CASE WHEN ({weights}) > 0 "
        f"THEN CAST(ROUND(CAST(1.0 * ({weighted}) / ({weights}) AS NUMERIC), {COMPOSITE_DECIMALS})"
        " AS DOUBLE PRECISION) END)"
    )


def sql_grade(composite: str) -> str:
    bands = " ".join(f"WHEN {composite} >= {minimum} THEN '{g}'" for g, minimum in GRADE_BANDS)
    return f"(CASE {bands} WHEN {composite} IS NOT NULL THEN '{LOWEST_GRADE}' END)"


def sql_percentile_cont(value: str) -> str:
    """PostgreSQL's own ordered-set aggregate: the definition docs/kpis.md names."""
    fraction = PERCENTILE_NUMERATOR / PERCENTILE_DENOMINATOR
    return f"percentile_cont({fraction}) WITHIN GROUP (ORDER BY {value})"


def sql_percentile_ranks(*, value: str, partition: Sequence[str]) -> str:
    """Window columns locating the percentile in each partition (see `sql_percentile`).

    `percentile_rank` is a value's 0-based rank; `percentile_position` is 10 × the
    percentile's rank, 0.9 × (n − 1), kept as an integer so both databases agree.
    """
    keys = ", ".join(partition)
    return (
        f"ROW_NUMBER() OVER (PARTITION BY {keys} ORDER BY {value}) - 1 AS percentile_rank, "
        f"{PERCENTILE_NUMERATOR} * (COUNT(*) OVER (PARTITION BY {keys}) - 1) "
        "AS percentile_position"
    )


def sql_percentile(value: str) -> str:
    """Aggregate over rows carrying `sql_percentile_ranks` columns: linear interpolation
    between the values ranked floor(position) and floor(position) + 1, as
    PostgreSQL's percentile_cont and numpy's default percentile do."""
    den = PERCENTILE_DENOMINATOR
    lower_rank = f"(percentile_position / {den})"  # integer division: floor
    lower = f"MAX(CASE WHEN percentile_rank = {lower_rank} THEN {value} END)"
    upper = f"MAX(CASE WHEN percentile_rank = {lower_rank} + 1 THEN {value} END)"
    fraction = (
        f"(1.0 * (MAX(percentile_position) - {den} * (MAX(percentile_position) / {den})) / {den})"
    )
    return f"({lower} + {fraction} * (COALESCE({upper}, {lower}) - {lower}))"


# --- The figures every scorecard row carries ---------------------------------------------

# The facts a population sum is taken over (docs/kpis.md): due PO lines, receipts and
# inspections, each staged as rows of the columns named in the aggregates below.
LINES, RECEIPTS, INSPECTIONS = "lines", "receipts", "inspections"
# Which scorecard rows store a figure: both kinds, one kind, or none (staging only).
BOTH, PART, SUPPLIER, STAGING = "both", "part", "supplier", "staging"


@dataclass(frozen=True)
class Figure:
    """One figure of a scorecard row: the model field, the API field and, for a population
    sum, the aggregate that stages it. Adding a figure is one entry here (plus its
    migration); `models.py`, `api.py`, `staging.py` and `store.py` derive their lists."""

    name: str
    label: str
    unit: str
    # Places the API serves the figure with (a decimal string); None: served as stored.
    decimals: int | None
    # Population sums: the facts they sum over and the SQL aggregate over staged fact rows.
    fact: str | None = None
    aggregate: str | None = None
    # KPI values with a plain formula: SQL over the sums of the same row.
    formula: str | None = None
    rows: str = BOTH
    api: bool = True
    help_text: str = ""

    @property
    def is_sum(self) -> bool:
        return self.fact is not None

    @property
    def is_count(self) -> bool:
        return self.is_sum and self.decimals is None

    @property
    def stored(self) -> bool:
        return self.rows != STAGING


def sql_count(expression: str) -> str:
    # INTEGER, so that sums of counts stay integers (PostgreSQL sums bigints as numeric).
    return f"CAST(COUNT({expression}) AS INTEGER)"


def _count_sum(expression: str) -> str:
    return f"CAST(SUM({expression}) AS INTEGER)"


def _ratio(name: str, label: str, unit: str, numerator: str, denominator: str, scale="1.0"):
    """A KPI value: `scale × numerator / denominator` over the row's sums, 6 places."""
    return Figure(name, label, unit, 6, formula=sql_ratio(numerator, denominator, scale))


FIGURES: tuple[Figure, ...] = (
    # OTD / OTIF population: lines promised in the period, not after the as-of date.
    Figure("lines_due", "Lines due", "lines", None, LINES, sql_count("*")),
    Figure("lines_in_full", "Lines in full", "lines", None, LINES, _count_sum("in_full")),
    Figure("ordered_quantity", "Ordered quantity", "units", 3, LINES, "SUM(ordered_quantity)"),
    Figure("on_time_quantity", "On-time quantity", "units", 3, LINES, "SUM(on_time_quantity)"),
    # Lead time and landed cost population: receipts dated in the period.
    Figure("receipts_count", "Receipts", "receipts", None, RECEIPTS, sql_count("*")),
    Figure("quantity_received", "Quantity received", "units", 3, RECEIPTS, "SUM(quantity)"),
    Figure(
        "lead_time_days_total",
        "Lead-time days",
        "days",
        None,
        RECEIPTS,
        "SUM(lead_days)",
        rows=STAGING,
        api=False,
    ),
    Figure(
        "priced_receipts_count",
        "Priced receipts",
        "receipts",
        None,
        RECEIPTS,
        sql_count("landed_cost"),
    ),
    Figure(
        "fx_missing_receipts",
        "Receipts without FX rate",
        "receipts",
        None,
        RECEIPTS,
        f"{sql_count('*')} - {sql_count('landed_cost')}",
        help_text="Receipts left out of landed cost: no FX rate on the receipt date.",
    ),
    Figure(
        "priced_quantity",
        "Priced quantity",
        "units",
        3,
        RECEIPTS,
        "COALESCE(SUM(CASE WHEN landed_cost IS NOT NULL THEN quantity END), 0)",
        api=False,
    ),
    Figure(
        "landed_cost_total",
        "Landed cost",
        "base currency",
        6,
        RECEIPTS,
        "COALESCE(SUM(landed_cost), 0)",
        api=False,
    ),
    # Defect population: inspections dated in the period.
    Figure("inspections_count", "Inspections", "inspections", None, INSPECTIONS, sql_count("*")),
    Figure("units_inspected", "Inspected", "units", 3, INSPECTIONS, "SUM(inspected_quantity)"),
    Figure("units_defective", "Defective", "units", 3, INSPECTIONS, "SUM(defective_quantity)"),
    # The KPI values.
    _ratio("otd_pct", "On-time delivery", "%", "on_time_quantity", "ordered_quantity", "100.0"),
    _ratio("otif_pct", "On time in full", "%", "lines_in_full", "lines_due", "100.0"),
    _ratio("defect_ppm", "Defects", "ppm", "units_defective", "units_inspected", "1000000.0"),
    _ratio(
        "lead_time_mean_days", "Mean lead time", "days", "lead_time_days_total", "receipts_count"
    ),
    # The percentile does not sum up: its own statements rank the receipts.
    Figure("lead_time_p90_days", "Lead time p90", "days", 6),
    Figure(
        "landed_unit_cost",
        "Landed unit cost",
        "base currency per unit",
        8,
        formula=sql_ratio("landed_cost_total", "priced_quantity"),
        rows=PART,
        help_text="Base currency per unit, freight, duty and other costs included.",
    ),
    # Supplier rows only: benchmarked against the other sources, then scored.
    Figure("landed_cost_index", "Landed cost index", "ratio", 8, rows=SUPPLIER),
    Figure("composite_score", "Composite score", "points", 6, rows=SUPPLIER),
    Figure("grade", "Grade", "A–D", None, rows=SUPPLIER),
)


def figures(*, rows: str | None = None, fact: str | None = None) -> tuple[Figure, ...]:
    """The registry's figures stored on `rows` (BOTH, PART, SUPPLIER, STAGING), or summed
    over `fact`, in registry order."""
    return tuple(
        f for f in FIGURES if (rows is None or f.rows == rows) and (fact is None or f.fact == fact)
    )


def figure_names(**selection) -> tuple[str, ...]:
    return tuple(f.name for f in figures(**selection))
