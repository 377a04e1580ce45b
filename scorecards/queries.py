"""The KPI pipeline's reads: SPEC §3 facts staged in temporary tables, then aggregated.

Everything runs in the database, over all suppliers in scope at once:

1. `kpi_line`: due, non-cancelled lines with the tolerances of the contract valid on
   their promised date; `kpi_line_period`: each line's capped on-time quantity, once per
   period it falls in (its month, and `rolling-90` when inside the window).
2. `kpi_receipt` / `kpi_fx` / `kpi_receipt_period`: receipts with lead time and landed
   cost in base currency (FX looked up once per currency and day, not per receipt).
3. `kpi_inspection_period`: inspections by period.
4. `kpi_part_result` / `kpi_supplier_result`: one row per (supplier, part, period) and
   (supplier, period) with the population sums, the KPI values (formulas from
   `scorecards.kpis`) and the lead-time p90, ready to be upserted by the services.

Both SQLite and PostgreSQL run the same statements; `Dialect` holds the few spellings
that differ. Temporary tables live for one recompute transaction.
"""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings

from contracts.models import Contract
from purchasing.models import FxRate, Inspection, PurchaseOrder, PurchaseOrderLine, Receipt
from scorecards import kpis
from suppliers.models import Supplier

STAGING_TABLES = (
    "kpi_line",
    "kpi_line_period",
    "kpi_receipt",
    "kpi_fx",
    "kpi_receipt_period",
    "kpi_inspection_period",
    "kpi_part",
    "kpi_period",
    "kpi_part_p90",
    "kpi_supplier_p90",
    "kpi_part_result",
    "kpi_supplier_result",
    "kpi_target",
)

# Population sums kept on every scorecard row, in the order the staging tables hold them.
SUM_COLUMNS = (
    "lines_due",
    "lines_in_full",
    "ordered_quantity",
    "on_time_quantity",
    "receipts_count",
    "quantity_received",
    "lead_time_days_total",
    "priced_receipts_count",
    "fx_missing_receipts",
    "priced_quantity",
    "landed_cost_total",
    "inspections_count",
    "units_inspected",
    "units_defective",
)
# The KPI values every row stores, as SQL over the sums above (same names as the models).
VALUE_EXPRESSIONS = {
    "otd_pct": kpis.sql_ratio("on_time_quantity", "ordered_quantity", "100.0"),
    "otif_pct": kpis.sql_ratio("lines_in_full", "lines_due", "100.0"),
    "defect_ppm": kpis.sql_ratio("units_defective", "units_inspected", "1000000.0"),
    "lead_time_mean_days": kpis.sql_ratio("lead_time_days_total", "receipts_count"),
}
PART_ONLY_EXPRESSIONS = {
    "landed_unit_cost": kpis.sql_ratio("landed_cost_total", "priced_quantity"),
}


@dataclass(frozen=True)
class Scope:
    """Which scorecard rows a recompute rebuilds."""

    as_of: dt.date
    supplier_ids: tuple[int, ...] | None = None  # None: every supplier
    months: tuple[str, ...] | None = None  # None: every month with activity
    include_rolling: bool = True

    @property
    def is_everything(self) -> bool:
        return self.supplier_ids is None and self.months is None and self.include_rolling

    @property
    def rolling_start(self) -> dt.date:
        return kpis.rolling_window(self.as_of)[0]


class Dialect:
    """The spellings SQLite and PostgreSQL disagree on."""

    def __init__(self, vendor: str):
        if vendor not in ("sqlite", "postgresql"):
            raise NotImplementedError(
                f"The KPI engine supports SQLite and PostgreSQL, not {vendor}."
            )
        self.vendor = vendor

    @property
    def is_postgresql(self) -> bool:
        return self.vendor == "postgresql"

    def month_of(self, column: str) -> str:
        if self.is_postgresql:
            return f"to_char({column}, 'YYYY-MM')"
        return f"strftime('%%Y-%%m', {column})"  # %% because statements carry parameters

    def days_between(self, later: str, earlier: str) -> str:
        if self.is_postgresql:
            return f"({later} - {earlier})"
        return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"

    def is_distinct(self, a: str, b: str) -> str:
        return f"{a} IS DISTINCT FROM {b}" if self.is_postgresql else f"{a} IS NOT {b}"

    def temp_table(self, name: str) -> str:
        # Qualified, so a DROP can never hit a regular table of the same name.
        return f"pg_temp.{name}" if self.is_postgresql else f"temp.{name}"


class StagingQueries:
    """Builds the staging statements for one scope; `statements()` yields them in order."""

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
        }
        self._month_ranges = self._merge_months(scope.months)
        for i, (start, end) in enumerate(self._month_ranges or ()):
            self.params[f"month{i}_start"] = start
            self.params[f"month{i}_end"] = end
        for i, supplier_id in enumerate(scope.supplier_ids or ()):
            self.params[f"supplier{i}"] = supplier_id
        for i, month in enumerate(scope.months or ()):
            self.params[f"period{i}"] = month

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
        return (
            "("
            + " OR ".join(
                f"{date_column} BETWEEN %(month{i}_start)s AND %(month{i}_end)s"
                for i in range(len(self._month_ranges))
            )
            + ")"
        )

    def rolling_filter(self, date_column: str) -> str:
        if not self.scope.include_rolling:
            return "1=0"
        return f"{date_column} BETWEEN %(rolling_start)s AND %(as_of)s"

    def fact_filter(self, date_column: str) -> str:
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

    def by_period(self, select: str, date_column: str, source: str) -> str:
        """`select` once per period a fact falls in: its month, and the rolling window."""
        month = select.format(period=self.sql.month_of(date_column))
        parts = [f"{month} FROM {source} WHERE {self.month_filter(date_column)}"]
        if self.scope.include_rolling:
            rolling = select.format(period="%(rolling_period)s")
            parts.append(f"{rolling} FROM {source} WHERE {self.rolling_filter(date_column)}")
        return "\nUNION ALL\n".join(parts)

    # --- statements ----------------------------------------------------------------

    def statements(self) -> Iterator[tuple[str, str]]:
        """(step name, SQL) in execution order; each creates one staging table."""
        yield "Due order lines", self.line_statement()
        yield "On-time quantities", self.line_period_statement()
        yield "Receipts", self.receipt_statement()
        yield "FX rates", self.fx_statement()
        yield "Landed costs", self.receipt_period_statement()
        yield "Inspections", self.inspection_period_statement()
        yield "Part sums", self.part_statement()

    def line_statement(self) -> str:
        line, order, contract = _table(PurchaseOrderLine), _table(PurchaseOrder), _table(Contract)
        return f"""
            CREATE TEMP TABLE kpi_line AS
            SELECT l.id AS line_id, po.supplier_id, l.part_id, l.promised_date, l.quantity,
                   COALESCE(c.early_tolerance_days, %(default_early)s) AS early_days,
                   COALESCE(c.late_tolerance_days, %(default_late)s) AS late_days
            FROM {line} l
            JOIN {order} po ON po.id = l.purchase_order_id
            LEFT JOIN {contract} c ON c.id = (
                -- the supplier's contract valid on the promised date, the latest-starting one
                SELECT c2.id FROM {contract} c2
                WHERE c2.supplier_id = po.supplier_id
                  AND c2.valid_from <= l.promised_date
                  AND (c2.valid_to IS NULL OR c2.valid_to >= l.promised_date)
                ORDER BY c2.valid_from DESC, c2.id DESC
                LIMIT 1)
            WHERE l.status <> %(cancelled)s
              AND l.promised_date <= %(as_of)s
              AND {self.supplier_filter("po.supplier_id")}
              AND {self.fact_filter("l.promised_date")}
        """

    def line_period_statement(self) -> str:
        receipt = _table(Receipt)
        on_time = kpis.sql_on_time_quantity("received.quantity", "kl.quantity")
        in_window = kpis.sql_is_on_time(
            self.sql.days_between("r.receipt_date", "kl.promised_date"),
            "kl.early_days",
            "kl.late_days",
        )
        select = """
            SELECT supplier_id, part_id, {period} AS period, ordered_quantity, on_time_quantity,
                   CASE WHEN on_time_quantity >= ordered_quantity THEN 1 ELSE 0 END AS in_full"""
        return f"""
            CREATE TEMP TABLE kpi_line_period AS
            WITH scored AS (
                SELECT kl.supplier_id, kl.part_id, kl.promised_date,
                       kl.quantity AS ordered_quantity, {on_time} AS on_time_quantity
                FROM kpi_line kl
                LEFT JOIN (
                    SELECT kl.line_id, SUM(r.quantity) AS quantity
                    FROM kpi_line kl JOIN {receipt} r ON r.line_id = kl.line_id
                    WHERE {in_window}
                    GROUP BY kl.line_id
                ) received ON received.line_id = kl.line_id
            )
            {self.by_period(select, "promised_date", "scored")}
        """

    def receipt_statement(self) -> str:
        receipt, line, order = _table(Receipt), _table(PurchaseOrderLine), _table(PurchaseOrder)
        return f"""
            CREATE TEMP TABLE kpi_receipt AS
            SELECT r.id AS receipt_id, po.supplier_id, l.part_id, r.receipt_date, r.quantity,
                   {self.sql.days_between("r.receipt_date", "po.order_date")} AS lead_days,
                   l.unit_price, po.currency AS line_currency,
                   r.freight + r.duty + r.other_costs AS costs, r.cost_currency
            FROM {receipt} r
            JOIN {line} l ON l.id = r.line_id
            JOIN {order} po ON po.id = l.purchase_order_id
            WHERE l.status <> %(cancelled)s
              AND {self.supplier_filter("po.supplier_id")}
              AND {self.fact_filter("r.receipt_date")}
        """

    def fx_statement(self) -> str:
        fx = _table(FxRate)
        # One lookup per (currency, day) actually needed: the latest rate on or before it.
        return f"""
            CREATE TEMP TABLE kpi_fx AS
            SELECT needed.currency, needed.day,
                   CASE WHEN needed.currency = %(base_currency)s THEN 1.0 ELSE (
                       SELECT f.rate FROM {fx} f
                       WHERE f.currency = needed.currency AND f.date <= needed.day
                       ORDER BY f.date DESC LIMIT 1
                   ) END AS rate
            FROM (
                SELECT line_currency AS currency, receipt_date AS day FROM kpi_receipt
                UNION
                SELECT cost_currency AS currency, receipt_date AS day FROM kpi_receipt
            ) needed
        """

    def receipt_period_statement(self) -> str:
        landed_cost = kpis.sql_landed_cost(
            quantity="kr.quantity",
            unit_price="kr.unit_price",
            line_rate="line_fx.rate",
            costs="kr.costs",
            cost_rate="cost_fx.rate",
        )
        select = """
            SELECT supplier_id, part_id, {period} AS period, quantity, lead_days, landed_cost"""
        return f"""
            CREATE TEMP TABLE kpi_receipt_period AS
            WITH costed AS (
                SELECT kr.supplier_id, kr.part_id, kr.receipt_date, kr.quantity, kr.lead_days,
                       {landed_cost} AS landed_cost
                FROM kpi_receipt kr
                LEFT JOIN kpi_fx line_fx
                       ON line_fx.currency = kr.line_currency AND line_fx.day = kr.receipt_date
                LEFT JOIN kpi_fx cost_fx
                       ON cost_fx.currency = kr.cost_currency AND cost_fx.day = kr.receipt_date
            )
            {self.by_period(select, "receipt_date", "costed")}
        """

    def inspection_period_statement(self) -> str:
        inspection, receipt = _table(Inspection), _table(Receipt)
        line, order = _table(PurchaseOrderLine), _table(PurchaseOrder)
        select = """
            SELECT supplier_id, part_id, {period} AS period,
                   inspected_quantity, defective_quantity"""
        return f"""
            CREATE TEMP TABLE kpi_inspection_period AS
            WITH inspected AS (
                SELECT po.supplier_id, l.part_id, i.inspection_date,
                       i.inspected_quantity, i.defective_quantity
                FROM {inspection} i
                JOIN {receipt} r ON r.id = i.receipt_id
                JOIN {line} l ON l.id = r.line_id
                JOIN {order} po ON po.id = l.purchase_order_id
                WHERE l.status <> %(cancelled)s
                  AND {self.supplier_filter("po.supplier_id")}
                  AND {self.fact_filter("i.inspection_date")}
            )
            {self.by_period(select, "inspection_date", "inspected")}
        """

    def part_statement(self) -> str:
        """Sum every fact into its (supplier, part, period): one UNION ALL, one GROUP BY."""
        zeros = {c: "0" for c in SUM_COLUMNS}
        branches = [
            (
                "kpi_line_period",
                {
                    **zeros,
                    "lines_due": "COUNT(*)",
                    "lines_in_full": "SUM(in_full)",
                    "ordered_quantity": "SUM(ordered_quantity)",
                    "on_time_quantity": "SUM(on_time_quantity)",
                },
            ),
            (
                "kpi_receipt_period",
                {
                    **zeros,
                    "receipts_count": "COUNT(*)",
                    "quantity_received": "SUM(quantity)",
                    "lead_time_days_total": "SUM(lead_days)",
                    "priced_receipts_count": "COUNT(landed_cost)",
                    "fx_missing_receipts": "COUNT(*) - COUNT(landed_cost)",
                    "priced_quantity": (
                        "COALESCE(SUM(CASE WHEN landed_cost IS NOT NULL THEN quantity END), 0)"
                    ),
                    "landed_cost_total": "COALESCE(SUM(landed_cost), 0)",
                },
            ),
            (
                "kpi_inspection_period",
                {
                    **zeros,
                    "inspections_count": "COUNT(*)",
                    "units_inspected": "SUM(inspected_quantity)",
                    "units_defective": "SUM(defective_quantity)",
                },
            ),
        ]
        union = "\nUNION ALL\n".join(
            "SELECT supplier_id, part_id, period, "
            + ", ".join(f"{expr} AS {name}" for name, expr in columns.items())
            + f" FROM {source} GROUP BY supplier_id, part_id, period"
            for source, columns in branches
        )
        sums = ", ".join(f"SUM({c}) AS {c}" for c in SUM_COLUMNS)
        return f"""
            CREATE TEMP TABLE kpi_part AS
            SELECT supplier_id, part_id, period, {sums}
            FROM ({union}) facts
            GROUP BY supplier_id, part_id, period
        """

    def period_statement(self) -> str:
        return (
            "CREATE TEMP TABLE kpi_period (period VARCHAR(10), period_start DATE, period_end DATE)"
        )

    def percentile_statements(self) -> Iterator[str]:
        yield "CREATE TEMP TABLE kpi_part_p90 AS " + kpis.sql_percentile(
            source="kpi_receipt_period",
            value="lead_days",
            partition=("supplier_id", "part_id", "period"),
        )
        yield "CREATE TEMP TABLE kpi_supplier_p90 AS " + kpis.sql_percentile(
            source="kpi_receipt_period", value="lead_days", partition=("supplier_id", "period")
        )

    def part_result_statement(self) -> str:
        values = ", ".join(
            f"{expr} AS {name}"
            for name, expr in {**VALUE_EXPRESSIONS, **PART_ONLY_EXPRESSIONS}.items()
        )
        sums = ", ".join(f"k.{c} AS {c}" for c in SUM_COLUMNS)
        return f"""
            CREATE TEMP TABLE kpi_part_result AS
            SELECT k.supplier_id, k.part_id, k.period, p.period_start, p.period_end, {sums},
                   {values},
                   p90.percentile_value AS lead_time_p90_days
            FROM kpi_part k
            JOIN kpi_period p ON p.period = k.period
            LEFT JOIN kpi_part_p90 p90
                   ON p90.supplier_id = k.supplier_id AND p90.part_id = k.part_id
                  AND p90.period = k.period
        """

    def supplier_result_statement(self) -> str:
        """Supplier rows: the part rows summed, plus a rolling row for every supplier in scope."""
        supplier = _table(Supplier)
        sums = ", ".join(f"SUM({c}) AS {c}" for c in SUM_COLUMNS)
        values = ", ".join(f"{expr} AS {name}" for name, expr in VALUE_EXPRESSIONS.items())
        rolling_without_activity = ""
        if self.scope.include_rolling:
            zeros = ", ".join(f"0 AS {c}" for c in SUM_COLUMNS)
            rolling_without_activity = f"""
                UNION ALL
                SELECT s.id AS supplier_id, %(rolling_period)s AS period, {zeros}
                FROM {supplier} s
                WHERE {self.supplier_filter("s.id")}
                  AND NOT EXISTS (SELECT 1 FROM kpi_part k
                                  WHERE k.supplier_id = s.id AND k.period = %(rolling_period)s)
            """
        columns = ", ".join(f"t.{c}" for c in SUM_COLUMNS)
        return f"""
            CREATE TEMP TABLE kpi_supplier_result AS
            SELECT t.supplier_id, t.period, p.period_start, p.period_end, {columns}, {values},
                   p90.percentile_value AS lead_time_p90_days
            FROM (
                SELECT supplier_id, period, {sums} FROM kpi_part GROUP BY supplier_id, period
                {rolling_without_activity}
            ) t
            JOIN kpi_period p ON p.period = t.period
            LEFT JOIN kpi_supplier_p90 p90
                   ON p90.supplier_id = t.supplier_id AND p90.period = t.period
        """

    def periods_in_stage(self) -> str:
        return "SELECT DISTINCT period FROM kpi_part"

    def period_rows(self, periods: set[str]) -> list[tuple[str, dt.date, dt.date]]:
        if self.scope.include_rolling:
            periods = periods | {kpis.ROLLING_PERIOD}
        return [(p, *kpis.period_bounds(p, as_of=self.scope.as_of)) for p in sorted(periods)]


def _table(model) -> str:
    return model._meta.db_table
