"""The KPI pipeline's scope: which facts and periods a recompute stages, as SQL predicates.

`ScopeFilters` turns a `Scope` into the predicates and period fan-out every staging
statement shares (`stage_facts.py`, `stage_sums.py`); `queries.StagingQueries` puts them
together. The constants name the staging tables and the sums they carry.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from purchasing.models import PurchaseOrderLine
from scorecards import kpis
from scorecards.dialect import Dialect

ROLLING_PERIOD_KEY = "0"  # `rolling-90` while staging; a month is 12 × year + month
# Indexes SQLite needs to join the staged tables (PostgreSQL hashes them instead).
STAGING_INDEXES = {
    "kpi_tolerance": ("supplier_id",),
    "kpi_fx": ("currency", "day"),
    "kpi_part_average": ("part_id", "period"),
    "kpi_cell": ("supplier_id", "period"),
    "kpi_cell_line": ("line_id",),
}
# A period is fetched by its dates for every supplier (rather than supplier by supplier)
# once this share of the suppliers in scope, and at least this many, have it dirty.
DENSE_PERIOD_SHARE = 0.025
DENSE_PERIOD_MINIMUM = 3
# A refresh of at most this many suppliers (a posting's) takes the statements made for a
# few rows: index walks instead of hashes, no parallel workers.
FEW_SUPPLIERS = 20
STAGING_TABLES = (
    "kpi_tolerance",
    "kpi_delivery",
    "kpi_fx",
    "kpi_period",
    "kpi_line_sums",
    "kpi_receipt_sums",
    "kpi_inspection_sums",
    "kpi_part",
    "kpi_supplier_p90",
    "kpi_supplier_result",
    "kpi_target",
    "kpi_changed",
    "kpi_part_average",
    "kpi_cell",
    "kpi_cell_line",
)

# The population sums per kind of fact, and the KPI values every row stores as SQL over
# them (same names as the models), all from the registry of `kpis.FIGURES`.
LINE_SUMS = kpis.figure_names(fact=kpis.LINES)
RECEIPT_SUMS = kpis.figure_names(fact=kpis.RECEIPTS)
INSPECTION_SUMS = kpis.figure_names(fact=kpis.INSPECTIONS)
# Population sums kept while staging (the stored rows keep all but the lead-time total).
SUM_COLUMNS = LINE_SUMS + RECEIPT_SUMS + INSPECTION_SUMS
VALUE_EXPRESSIONS = {f.name: f.formula for f in kpis.figures(rows=kpis.BOTH) if f.formula}
PART_ONLY_EXPRESSIONS = {f.name: f.formula for f in kpis.figures(rows=kpis.PART) if f.formula}


def sum_aggregates(fact: str) -> str:
    """The select list of a kind of fact's sums: `aggregate AS name` per registry entry."""
    return ", ".join(f"{f.aggregate} AS {f.name}" for f in kpis.figures(fact=fact))


@dataclass(frozen=True)
class Scope:
    """Which scorecard rows a recompute rebuilds."""

    as_of: dt.date
    supplier_ids: tuple[int, ...] | None = None  # None: every supplier
    months: tuple[str, ...] | None = None  # None: every month with activity
    include_rolling: bool = True
    # (supplier id, period) cells: exactly these rows are rebuilt (the other fields unused).
    cells: tuple[tuple[int, str], ...] | None = None

    @property
    def is_everything(self) -> bool:
        return (
            self.supplier_ids is None
            and self.months is None
            and self.include_rolling
            and self.cells is None
        )

    @property
    def rolling_start(self) -> dt.date:
        return kpis.rolling_window(self.as_of)[0]


class ScopeFilters:
    """A scope's parameters (`params`) and the predicates the staging statements share."""

    def __init__(self, *, scope: Scope, dialect: Dialect):
        self.scope = scope
        self.sql = dialect
        self.params: dict[str, object] = {
            "as_of": scope.as_of,
            "rolling_start": scope.rolling_start,
            "rolling_period": kpis.ROLLING_PERIOD,
            "cancelled": PurchaseOrderLine.Status.CANCELLED.value,
            "base_currency": settings.BASE_CURRENCY,
            "default_early": kpis.DEFAULT_EARLY_TOLERANCE_DAYS,
            "default_late": kpis.DEFAULT_LATE_TOLERANCE_DAYS,
            "true": True,
        }
        self._month_ranges = self._merge_months(scope.months)
        for i, (start, end) in enumerate(self._month_ranges or ()):
            self.params[f"month{i}_start"] = start
            self.params[f"month{i}_end"] = end
        for i, supplier_id in enumerate(scope.supplier_ids or ()):
            self.params[f"supplier{i}"] = supplier_id
        for i, month in enumerate(scope.months or ()):
            self.params[f"period{i}"] = month
        self.cell_rows, self._dense_ranges = self._cells_prepare(scope)
        for i, (start, end) in enumerate(self._dense_ranges):
            self.params[f"dense{i}_start"] = start
            self.params[f"dense{i}_end"] = end

    @property
    def by_cells(self) -> bool:
        return self.scope.cells is not None

    @property
    def few_suppliers(self) -> bool:
        """A refresh by cells of at most FEW_SUPPLIERS suppliers."""
        return self.by_cells and len({row[0] for row in self.cell_rows}) <= FEW_SUPPLIERS

    @staticmethod
    def _cells_prepare(scope: Scope):
        """`kpi_cell` rows (supplier, period key, period, first day, last day, dense) and
        the merged date ranges of the dense periods."""
        if scope.cells is None:
            return [], []
        suppliers_by_period: dict[str, set[int]] = {}
        for supplier_id, period in scope.cells:
            suppliers_by_period.setdefault(period, set()).add(supplier_id)
        supplier_count = len({supplier_id for supplier_id, _ in scope.cells})
        needed = max(DENSE_PERIOD_MINIMUM, DENSE_PERIOD_SHARE * supplier_count)
        dense = {p for p, ids in suppliers_by_period.items() if len(ids) >= needed}
        rows = [
            (supplier_id, _period_key(p), p, *kpis.period_bounds(p, as_of=scope.as_of), p in dense)
            for p, ids in sorted(suppliers_by_period.items())
            for supplier_id in sorted(ids)
        ]
        ranges: list[tuple[dt.date, dt.date]] = []
        for start, end in sorted(kpis.period_bounds(p, as_of=scope.as_of) for p in dense):
            if ranges and ranges[-1][1] + dt.timedelta(days=1) >= start:
                ranges[-1] = (ranges[-1][0], max(end, ranges[-1][1]))
            else:
                ranges.append((start, end))
        return rows, ranges

    def dense_filter(self, date_column: str) -> str:
        """Facts dated in a dense period (which `kpi_cell` then narrows to its suppliers)."""
        if not self._dense_ranges:
            return "1=0"
        ranges = " OR ".join(
            f"{date_column} BETWEEN %(dense{i}_start)s AND %(dense{i}_end)s"
            for i in range(len(self._dense_ranges))
        )
        return f"({ranges})"

    def stored_rows(self, table: str) -> str:
        """The stored scorecard rows this recompute rebuilds, as a subquery.

        By cells, a join from `kpi_cell`: PostgreSQL then estimates the rows from the
        cells (it estimates a semi-join on them at the whole table once every supplier
        has a cell) and reaches each cell's rows through the (supplier, period) index, so
        a nightly reads the rows it rebuilds, not the whole table."""
        if self.by_cells:
            return f"""(SELECT stored.* FROM kpi_cell cell
                JOIN {table} stored
                  ON stored.supplier_id = cell.supplier_id AND stored.period = cell.period)"""
        return f"""(SELECT * FROM {table}
            WHERE {self.supplier_filter(f"{table}.supplier_id")}
              AND {self.period_filter(f"{table}.period")})"""

    def stored_other_filter(self, table: str) -> str:
        """Stored rows of other sources, next to the touched (part, period) rows."""
        if self.by_cells:
            # An anti-join: PostgreSQL hashes the cells beside the other rows.
            return f"""NOT EXISTS (SELECT 1 FROM kpi_cell c
                WHERE c.supplier_id = {table}.supplier_id AND c.period = {table}.period)"""
        return f"NOT {self.supplier_filter(f'{table}.supplier_id')}"

    def rolling_supplier_filter(self, column: str) -> str:
        """Suppliers whose rolling row this recompute rebuilds."""
        if self.by_cells:
            return f"{column} IN (SELECT supplier_id FROM kpi_cell WHERE period_key = 0)"
        return self.supplier_filter(column)

    # --- scope predicates --------------------------------------------------------

    @staticmethod
    def _merge_months(months: tuple[str, ...] | None) -> list[tuple[dt.date, dt.date]] | None:
        if months is None:
            return None
        ranges: list[tuple[dt.date, dt.date]] = []
        for start, end in sorted(kpis.month_bounds(m) for m in set(months)):
            if ranges and ranges[-1][1] + dt.timedelta(days=1) == start:
                ranges[-1] = (ranges[-1][0], end)
            else:
                ranges.append((start, end))
        return ranges

    def supplier_filter(self, column: str) -> str:
        if self.by_cells:
            return f"{column} IN (SELECT supplier_id FROM kpi_cell)"
        if self.scope.supplier_ids is None:
            return "1=1"
        if not self.scope.supplier_ids:
            return "1=0"
        names = ", ".join(f"%(supplier{i})s" for i in range(len(self.scope.supplier_ids)))
        return f"{column} IN ({names})"

    def month_filter(self, date_column: str) -> str:
        """Facts whose date lies in one of the months being recomputed."""
        if self._month_ranges is None:
            return "1=1"
        if not self._month_ranges:
            return "1=0"
        ranges = " OR ".join(
            f"{date_column} BETWEEN %(month{i}_start)s AND %(month{i}_end)s"
            for i in range(len(self._month_ranges))
        )
        return f"({ranges})"

    def rolling_filter(self, date_column: str) -> str:
        if not self.scope.include_rolling:
            return "1=0"
        return f"{date_column} BETWEEN %(rolling_start)s AND %(as_of)s"

    def fact_filter(self, date_column: str) -> str:
        if self._month_ranges is None:
            return "1=1"
        return f"({self.month_filter(date_column)} OR {self.rolling_filter(date_column)})"

    def period_filter(self, period_column: str) -> str:
        """Stored rows that belong to the scope's periods."""
        if self.scope.months is None:
            months = f"{period_column} <> %(rolling_period)s"
        elif not self.scope.months:
            months = "1=0"
        else:
            names = ", ".join(f"%(period{i})s" for i in range(len(self.scope.months)))
            months = f"{period_column} IN ({names})"
        rolling = f"{period_column} = %(rolling_period)s" if self.scope.include_rolling else "1=0"
        return f"({months} OR {rolling})"

    def by_period(
        self, select: str, date_column: str, source: str, *, key: str | None = None, where="1=1"
    ) -> str:
        """`select` once per period a fact falls in: its month, and the rolling window.

        In `select`, `{period}` is the period key (`key`, else computed from the date) and
        `{period_partition}` adds it to a window partition (nothing for the rolling window,
        where it is a constant).
        """
        month_key = key or self.sql.month_key(date_column)
        month = select.format(period=month_key, period_partition=f", {month_key}")
        parts = [f"{month} FROM {source} WHERE {where} AND {self.month_filter(date_column)}"]
        if self.scope.include_rolling:
            rolling = select.format(period=ROLLING_PERIOD_KEY, period_partition="")
            parts.append(
                f"{rolling} FROM {source} WHERE {where} AND {self.rolling_filter(date_column)}"
            )
        return "\nUNION ALL\n".join(parts)

    def by_period_once(
        self, select: str, date_column: str, source: str, *, key: str | None = None
    ) -> str:
        """Like `by_period`, but `source` (a join or an aggregate) is evaluated once and
        each of its rows is emitted for its month and, inside the window, for
        `rolling-90`."""
        month = key or self.sql.month_key(date_column)
        if not self.scope.include_rolling:
            return self.by_period(select, date_column, source, key=key)
        period = f"CASE WHEN copy.rolling = 1 THEN {ROLLING_PERIOD_KEY} ELSE {month} END"
        return f"""{select.format(period=period, period_partition="")}
            FROM {source}
            CROSS JOIN (SELECT 0 AS rolling UNION ALL SELECT 1) copy
            WHERE (copy.rolling = 0 AND {self.month_filter(date_column)})
               OR (copy.rolling = 1 AND {self.rolling_filter(date_column)})"""

    # --- statements ----------------------------------------------------------------


def _period_key(period: str) -> int:
    if period == kpis.ROLLING_PERIOD:
        return int(ROLLING_PERIOD_KEY)
    first, _ = kpis.month_bounds(period)
    return first.year * 12 + first.month


def _table(model) -> str:
    return model._meta.db_table


def _float(expression: str) -> str:
    # Figures are doubles from staging to storage: fast sums on PostgreSQL (numeric is
    # several times slower), the arithmetic SQLite does anyway, 15 significant digits.
    return f"CAST({expression} AS DOUBLE PRECISION)"
