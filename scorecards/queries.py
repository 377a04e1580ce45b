"""The KPI pipeline's reads: SPEC §3 facts staged in scratch tables and aggregated.

Everything runs in the database over all suppliers in scope at once, in few passes.
Staging tables are unlogged on PostgreSQL (parallel workers can scan them, unlike
temporary tables) and temporary on SQLite; see `Dialect.create_staging`.

1. `kpi_tolerance`: each supplier's timeline cut into segments carrying the tolerances of
   the contract valid on them (a handful of rows per supplier).
2. `kpi_fx`: the rate of every (currency, day) a receipt can fall on: the latest rate
   dated on or before that day (one look-up per day, not per receipt).
3. `kpi_delivery`: the one big join: non-cancelled PO lines ⟕ their receipts, with the
   line's quantity, the receipt's quantity inside the line's tolerance window, lead time
   and landed cost in base currency (NULL when a rate is missing). Every later step reads
   this table instead of joining the base tables again.
4. Sums per (supplier, part, period), each fact counted in its month and, inside the
   window, in `rolling-90`, one table per kind of fact: `kpi_line_sums` (each due line
   once, its on-time quantity capped), `kpi_receipt_sums` (lead time, landed cost and
   the lead-time p90, which shares their sort) and `kpi_inspection_sums`.
5. `kpi_part`: the three side by side, one row per (supplier, part, period), with the KPI
   values.
6. `kpi_supplier_p90` and `kpi_supplier_result`: the part rows summed per supplier, the
   lead-time p90 (the one figure that does not sum up), the landed cost index and the
   composite score and grade from the supplier's template.

`services.py` writes `kpi_part` and `kpi_supplier_result` into the scorecard tables;
`scoring.py` holds the landed cost index and composite SQL; the formulas themselves come
from `kpis.py`. SQLite and PostgreSQL run the same statements; `dialect.py` holds the few
spellings that differ. Staged and stored figures are doubles (see `_float`).
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from contracts.models import Contract
from purchasing.models import FxRate, Inspection, PurchaseOrder, PurchaseOrderLine, Receipt
from scorecards import kpis
from scorecards.dialect import Dialect
from scorecards.models import PartScorecard
from scorecards.scoring import landed_cost_index, scores_select
from suppliers.models import Supplier

ROLLING_PERIOD_KEY = "0"  # `rolling-90` while staging; a month is 12 × year + month
# Indexes SQLite needs to join the staged tables (PostgreSQL hashes them instead).
STAGING_INDEXES = {
    "kpi_tolerance": ("supplier_id",),
    "kpi_fx": ("currency", "day"),
    "kpi_part_average": ("part_id", "period"),
}
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
)

LINE_SUMS = ("lines_due", "lines_in_full", "ordered_quantity", "on_time_quantity")
RECEIPT_SUMS = (
    "receipts_count",
    "quantity_received",
    "lead_time_days_total",
    "priced_receipts_count",
    "fx_missing_receipts",
    "priced_quantity",
    "landed_cost_total",
)
INSPECTION_SUMS = ("inspections_count", "units_inspected", "units_defective")
# Population sums kept while staging (the stored rows keep all but the lead-time total).
SUM_COLUMNS = LINE_SUMS + RECEIPT_SUMS + INSPECTION_SUMS
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


class StagingQueries:
    """The staging statements for one scope, with their parameters in `params`."""

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

    def tolerance_statement(self) -> str:
        """Each supplier's timeline cut where a contract starts or ends; every segment
        carries the tolerances of the latest-starting contract valid on it (defaults where
        none is). A line then finds its tolerances with one equi-join on the supplier."""
        contract = _table(Contract)
        covering = f"""
            SELECT c.{{field}} FROM {contract} c
            WHERE c.supplier_id = segment.supplier_id AND c.valid_from <= segment.starts
              AND (c.valid_to IS NULL OR c.valid_to >= segment.starts)
            ORDER BY c.valid_from DESC, c.id DESC LIMIT 1"""
        return f"""
            {self.sql.create_staging} kpi_tolerance AS
            WITH boundary AS (
                SELECT supplier_id, valid_from AS starts FROM {contract}
                WHERE {self.supplier_filter("supplier_id")}
                UNION
                SELECT supplier_id, {self.sql.day_after("valid_to")} FROM {contract}
                WHERE valid_to IS NOT NULL AND {self.supplier_filter("supplier_id")}
            ),
            segment AS (
                SELECT supplier_id, starts,
                       LEAD(starts) OVER (PARTITION BY supplier_id ORDER BY starts) AS next_starts
                FROM boundary
            )
            SELECT supplier_id, starts, next_starts,
                   COALESCE(({covering.format(field="early_tolerance_days")}), %(default_early)s)
                       AS early_days,
                   COALESCE(({covering.format(field="late_tolerance_days")}), %(default_late)s)
                       AS late_days
            FROM segment
        """

    def delivery_statement(self) -> str:
        line, order, receipt = _table(PurchaseOrderLine), _table(PurchaseOrder), _table(Receipt)
        in_scope = "1=1"
        if self._month_ranges is not None:
            inspection = _table(Inspection)
            # A line due in scope needs all its receipts; a receipt or inspection dated in
            # scope needs its line.
            in_scope = f"""(
                (l.promised_date <= %(as_of)s AND {self.fact_filter("l.promised_date")})
                OR {self.fact_filter("r.receipt_date")}
                OR EXISTS (SELECT 1 FROM {inspection} i
                           WHERE i.receipt_id = r.id AND {self.fact_filter("i.inspection_date")})
            )"""
        landed_cost = kpis.sql_landed_cost(
            quantity=_float("r.quantity"),
            unit_price=_float("l.unit_price"),
            line_rate=self._rate("po.currency", "line_fx.rate"),
            costs=_float("r.freight + r.duty + r.other_costs"),
            cost_rate=self._rate("r.cost_currency", "cost_fx.rate"),
        )
        in_window = kpis.sql_is_on_time(
            self.sql.days_between("r.receipt_date", "l.promised_date"),
            "COALESCE(t.early_days, %(default_early)s)",
            "COALESCE(t.late_days, %(default_late)s)",
        )
        return f"""
            {self.sql.create_staging} kpi_delivery AS
            SELECT l.id AS line_id, po.supplier_id, l.part_id, l.promised_date,
                   {self.sql.month_key("l.promised_date")} AS promised_month,
                   {_float("l.quantity")} AS ordered_quantity,
                   CASE WHEN {in_window} THEN {_float("r.quantity")} ELSE 0 END
                       AS on_time_received,
                   r.id AS receipt_id, r.receipt_date,
                   {self.sql.month_key("r.receipt_date")} AS receipt_month,
                   {_float("r.quantity")} AS received_quantity,
                   {self.sql.days_between("r.receipt_date", "po.order_date")} AS lead_days,
                   {landed_cost} AS landed_cost
            FROM {line} l
            JOIN {order} po ON po.id = l.purchase_order_id
            LEFT JOIN {receipt} r ON r.line_id = l.id
            LEFT JOIN kpi_tolerance t
                   ON t.supplier_id = po.supplier_id AND t.starts <= l.promised_date
                  AND (t.next_starts IS NULL OR l.promised_date < t.next_starts)
            LEFT JOIN kpi_fx line_fx
                   ON line_fx.currency = po.currency AND line_fx.day = r.receipt_date
            LEFT JOIN kpi_fx cost_fx
                   ON cost_fx.currency = r.cost_currency AND cost_fx.day = r.receipt_date
            WHERE l.status <> %(cancelled)s
              AND {self.supplier_filter("po.supplier_id")}
              AND {in_scope}
        """

    def receipt_dates_statement(self) -> str:
        """First and last receipt date in scope: the days `kpi_fx` must cover."""
        receipt = _table(Receipt)
        if self.scope.supplier_ids is None:
            return f"SELECT MIN(receipt_date), MAX(receipt_date) FROM {receipt}"
        line, order = _table(PurchaseOrderLine), _table(PurchaseOrder)
        return f"""
            SELECT MIN(r.receipt_date), MAX(r.receipt_date)
            FROM {receipt} r
            JOIN {line} l ON l.id = r.line_id
            JOIN {order} po ON po.id = l.purchase_order_id
            WHERE {self.supplier_filter("po.supplier_id")}
        """

    def fx_statement(self) -> str:
        """Fill `kpi_fx`: rates of every non-base currency on every day from `fx_first` to
        `fx_last`."""
        fx = _table(FxRate)
        latest_rate = f"""(
            SELECT f.rate FROM {fx} f
            WHERE f.currency = currencies.currency AND f.date <= calendar.day
            ORDER BY f.date DESC LIMIT 1)"""
        return f"""
            INSERT INTO kpi_fx (currency, day, rate)
            WITH RECURSIVE calendar (day) AS (
                SELECT {self.sql.date_parameter("fx_first")}
                UNION ALL
                SELECT {self.sql.day_after("day")} FROM calendar
                WHERE day < {self.sql.date_parameter("fx_last")}
            )
            SELECT currencies.currency, calendar.day, {_float(latest_rate)} AS rate
            FROM (SELECT DISTINCT currency FROM {fx} WHERE currency <> %(base_currency)s)
                 currencies
            CROSS JOIN calendar
        """

    def fx_table_statement(self) -> str:
        # Declared types: SQLite only uses the index on `day` when its affinity matches
        # the receipt dates it is joined with.
        return (
            f"{self.sql.create_staging} kpi_fx"
            " (currency VARCHAR(3), day DATE, rate DOUBLE PRECISION)"
        )

    def period_statement(self) -> str:
        return (
            f"{self.sql.create_staging} kpi_period "
            "(period_key INTEGER, period VARCHAR(10), period_start DATE, period_end DATE)"
        )

    def fact_dates_statement(self) -> str:
        """First and last date any fact can be dated on (index look-ups, no scan)."""
        line, receipt, inspection = _table(PurchaseOrderLine), _table(Receipt), _table(Inspection)
        return f"""
            SELECT (SELECT MIN(promised_date) FROM {line}), (SELECT MAX(promised_date) FROM {line}),
                   (SELECT MIN(receipt_date) FROM {receipt}),
                   (SELECT MAX(receipt_date) FROM {receipt}),
                   (SELECT MIN(inspection_date) FROM {inspection}),
                   (SELECT MAX(inspection_date) FROM {inspection})
        """

    def period_rows(self, dates) -> list[tuple[int, str, dt.date, dt.date]]:
        """(key, period, first day, last day) of every period a staged row can belong to."""
        periods = set(self.scope.months or ())
        if self.scope.months is None:
            # SQLite answers ISO text, PostgreSQL dates.
            known = [dt.date.fromisoformat(str(d)[:10]) for d in dates if d is not None]
            if known:
                month = kpis.month_bounds(kpis.period_of(min(known)))[0]
                last = max(known)
                while month <= last:
                    periods.add(kpis.period_of(month))
                    month = kpis.month_bounds(kpis.period_of(month))[1] + dt.timedelta(days=1)
        if self.scope.include_rolling:
            periods.add(kpis.ROLLING_PERIOD)
        return [
            (_period_key(p), p, *kpis.period_bounds(p, as_of=self.scope.as_of))
            for p in sorted(periods)
        ]

    def line_sums_statement(self) -> str:
        """`kpi_line_sums`: due lines per (supplier, part, period). Each line counts once,
        with its on-time quantity: its in-window receipts summed, capped at the ordered
        quantity."""
        on_time = kpis.sql_on_time_quantity("SUM(on_time_received)", "ordered_quantity")
        due_lines = f"""(
            SELECT line_id, supplier_id, part_id, promised_date, promised_month,
                   ordered_quantity, {on_time} AS on_time_quantity
            FROM kpi_delivery
            WHERE promised_date <= %(as_of)s AND {self.fact_filter("promised_date")}
            GROUP BY line_id, supplier_id, part_id, promised_date, promised_month,
                     ordered_quantity
        ) due_line"""
        in_full = kpis.sql_is_in_full("on_time_quantity", "ordered_quantity")
        lines = self.by_period_once(
            f"""SELECT supplier_id, part_id, {{period}} AS period_key, ordered_quantity,
                       on_time_quantity, {in_full} AS in_full""",
            "promised_date",
            due_lines,
            key="promised_month",
        )
        return f"""
            {self.sql.create_staging} kpi_line_sums AS
            SELECT supplier_id, part_id, period_key, {_count("*")} AS lines_due,
                   {_integer("SUM(in_full)")} AS lines_in_full,
                   SUM(ordered_quantity) AS ordered_quantity,
                   SUM(on_time_quantity) AS on_time_quantity
            FROM ({lines}) facts
            GROUP BY supplier_id, part_id, period_key
        """

    def receipt_sums_statement(self) -> str:
        """`kpi_receipt_sums`: receipts per (supplier, part, period), with the lead-time
        p90 (the sort it needs groups the sums too)."""
        keys = ("supplier_id", "part_id{period_partition}")
        receipts = self.by_period(
            """SELECT supplier_id, part_id, {period} AS period_key,
                      received_quantity AS quantity, lead_days, landed_cost"""
            + self.sql.percentile_ranks("lead_days", keys),
            "receipt_date",
            "kpi_delivery",
            key="receipt_month",
            where="receipt_id IS NOT NULL",
        )
        return f"""
            {self.sql.create_staging} kpi_receipt_sums AS
            SELECT supplier_id, part_id, period_key, {_count("*")} AS receipts_count,
                   SUM(quantity) AS quantity_received,
                   SUM(lead_days) AS lead_time_days_total,
                   {_count("landed_cost")} AS priced_receipts_count,
                   {_count("*")} - {_count("landed_cost")} AS fx_missing_receipts,
                   COALESCE(SUM(CASE WHEN landed_cost IS NOT NULL THEN quantity END), 0)
                       AS priced_quantity,
                   COALESCE(SUM(landed_cost), 0) AS landed_cost_total,
                   {_float(self.sql.percentile("lead_days"))} AS lead_time_p90_days
            FROM ({receipts}) facts
            GROUP BY supplier_id, part_id, period_key
        """

    def inspection_sums_statement(self) -> str:
        """`kpi_inspection_sums`: inspections per (supplier, part, period); the receipt's
        staged row names the supplier and part."""
        inspected = f"""(
            SELECT d.supplier_id, d.part_id, i.inspection_date,
                   {_float("i.inspected_quantity")} AS inspected_quantity,
                   {_float("i.defective_quantity")} AS defective_quantity
            FROM {_table(Inspection)} i
            JOIN kpi_delivery d ON d.receipt_id = i.receipt_id
            WHERE {self.fact_filter("i.inspection_date")}
        ) inspected"""
        inspections = self.by_period_once(
            """SELECT supplier_id, part_id, {period} AS period_key,
                      inspected_quantity, defective_quantity""",
            "inspection_date",
            inspected,
        )
        return f"""
            {self.sql.create_staging} kpi_inspection_sums AS
            SELECT supplier_id, part_id, period_key, {_count("*")} AS inspections_count,
                   SUM(inspected_quantity) AS units_inspected,
                   SUM(defective_quantity) AS units_defective
            FROM ({inspections}) facts
            GROUP BY supplier_id, part_id, period_key
        """

    def part_statement(self) -> str:
        """`kpi_part`: the three kinds of sums side by side (zero where a kind has no fact),
        their period, and the KPI values."""
        kinds = {
            "lines": ("kpi_line_sums", LINE_SUMS),
            "receipts": ("kpi_receipt_sums", RECEIPT_SUMS),
            "inspections": ("kpi_inspection_sums", INSPECTION_SUMS),
        }
        keys = ("supplier_id", "part_id", "period_key")
        sums = ", ".join(
            f"COALESCE({alias}.{c}, 0) AS {c}"
            for alias, (_, columns) in kinds.items()
            for c in columns
        )
        if self.sql.is_postgresql:
            # USING merges each key into one column, whichever side has the row.
            joined = f"""
                SELECT {", ".join(keys)}, {sums}, receipts.lead_time_p90_days
                FROM kpi_line_sums lines
                FULL JOIN kpi_receipt_sums receipts USING ({", ".join(keys)})
                FULL JOIN kpi_inspection_sums inspections USING ({", ".join(keys)})"""
        else:
            # SQLite before 3.39 has no FULL JOIN: every key once, then the three sides.
            every_key = " UNION ".join(
                f"SELECT {', '.join(keys)} FROM {table}" for table, _ in kinds.values()
            )
            sides = "\n".join(
                f"LEFT JOIN {table} {alias} ON "
                + " AND ".join(f"{alias}.{k} = k.{k}" for k in keys)
                for alias, (table, _) in kinds.items()
            )
            joined = f"""
                SELECT {", ".join(f"k.{k}" for k in keys)}, {sums},
                       receipts.lead_time_p90_days
                FROM ({every_key}) k
                {sides}"""
        values = ", ".join(
            f"{expr} AS {name}"
            for name, expr in {**VALUE_EXPRESSIONS, **PART_ONLY_EXPRESSIONS}.items()
        )
        return f"""
            {self.sql.create_staging} kpi_part AS
            SELECT t.supplier_id, t.part_id, p.period, p.period_start, p.period_end,
                   {", ".join(f"t.{c}" for c in SUM_COLUMNS)}, {values},
                   t.lead_time_p90_days
            FROM ({joined}) t
            JOIN kpi_period p ON p.period_key = t.period_key
        """

    def supplier_percentile_statement(self) -> str:
        select = (
            "SELECT supplier_id, {period} AS period_key, lead_days"
            + self.sql.percentile_ranks("lead_days", ("supplier_id{period_partition}",))
        )
        receipts = self.by_period(
            select,
            "receipt_date",
            "kpi_delivery",
            key="receipt_month",
            where="receipt_id IS NOT NULL",
        )
        return f"""
            {self.sql.create_staging} kpi_supplier_p90 AS
            SELECT p90.supplier_id, p.period, p90.lead_time_p90_days
            FROM (
                SELECT supplier_id, period_key,
                       {_float(self.sql.percentile("lead_days"))} AS lead_time_p90_days
                FROM ({receipts}) ranked
                GROUP BY supplier_id, period_key
            ) p90
            JOIN kpi_period p ON p.period_key = p90.period_key
        """

    def peer_part_rows(self) -> str:
        """Part rows the landed cost benchmark of the staged suppliers rests on: theirs,
        and the stored rows of every other source of the same parts in the same periods."""
        if self.scope.supplier_ids is None:
            return "kpi_part"
        stored = _table(PartScorecard)
        columns = "supplier_id, part_id, period, landed_cost_total, priced_quantity"
        return f"""(
            SELECT {columns} FROM kpi_part
            UNION ALL
            SELECT {", ".join(f"other.{c}" for c in columns.split(", "))}
            FROM {stored} other
            JOIN (SELECT DISTINCT part_id, period FROM kpi_part) touched
              ON touched.part_id = other.part_id AND touched.period = other.period
            WHERE NOT {self.supplier_filter("other.supplier_id")}
        )"""

    def supplier_result_statement(self) -> str:
        """Supplier rows: the part rows summed (plus an empty rolling row for a supplier in
        scope without activity), the p90, the landed cost index, composite and grade."""
        supplier = _table(Supplier)
        sums = ", ".join(f"SUM(own.{c}) AS {c}" for c in SUM_COLUMNS)
        values = ", ".join(f"{expr} AS {name}" for name, expr in VALUE_EXPRESSIONS.items())
        rolling_without_activity = ""
        if self.scope.include_rolling:
            zeros = ", ".join(f"0 AS {c}" for c in SUM_COLUMNS)
            rolling_without_activity = f"""
                UNION ALL
                SELECT s.id AS supplier_id, %(rolling_period)s AS period, {zeros},
                       NULL AS landed_cost_index
                FROM {supplier} s
                WHERE {self.supplier_filter("s.id")}
                  AND NOT EXISTS (SELECT 1 FROM kpi_part k
                                  WHERE k.supplier_id = s.id AND k.period = %(rolling_period)s)
            """
        figures = f"""
            SELECT t.supplier_id, t.period, p.period_start, p.period_end,
                   {", ".join(f"t.{c}" for c in SUM_COLUMNS)}, {values},
                   p90.lead_time_p90_days, t.landed_cost_index
            FROM (
                SELECT own.supplier_id, own.period, {sums},
                       {landed_cost_index()} AS landed_cost_index
                FROM kpi_part own
                LEFT JOIN kpi_part_average average
                       ON average.part_id = own.part_id AND average.period = own.period
                GROUP BY own.supplier_id, own.period
                {rolling_without_activity}
            ) t
            JOIN kpi_period p ON p.period = t.period
            LEFT JOIN kpi_supplier_p90 p90
                   ON p90.supplier_id = t.supplier_id AND p90.period = t.period
        """
        carried = [
            "supplier_id",
            "period",
            "period_start",
            "period_end",
            *SUM_COLUMNS,
            *VALUE_EXPRESSIONS,
            "lead_time_p90_days",
            "landed_cost_index",
        ]
        scored = scores_select(figures + self.sql.fence, carried, self.sql)
        return f"{self.sql.create_staging} kpi_supplier_result AS {scored}"

    def _rate(self, currency: str, looked_up: str) -> str:
        return f"(CASE WHEN {currency} = %(base_currency)s THEN 1.0 ELSE {looked_up} END)"


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


def _integer(expression: str) -> str:
    return f"CAST({expression} AS INTEGER)"


def _count(expression: str) -> str:
    # INTEGER, so that sums of counts stay integers (PostgreSQL sums bigints as numeric).
    return f"CAST(COUNT({expression}) AS INTEGER)"
