"""Staging, second stage: the sums per (supplier, part, period), the part rows, and the
supplier rows with their p90, landed cost index and scores."""

from purchasing.models import Inspection
from scorecards import kpis
from scorecards.models import PartScorecard
from scorecards.scoring import landed_cost_index, scores_select
from scorecards.staging import (
    INSPECTION_SUMS,
    LINE_SUMS,
    PART_ONLY_EXPRESSIONS,
    RECEIPT_SUMS,
    SUM_COLUMNS,
    VALUE_EXPRESSIONS,
    ScopeFilters,
    _float,
    _table,
    sum_aggregates,
)
from suppliers.models import Supplier


class SumStatements(ScopeFilters):
    """Steps 4–6 of the pipeline (see `scorecards.queries`)."""

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
            SELECT supplier_id, part_id, period_key, {sum_aggregates(kpis.LINES)}
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
            SELECT supplier_id, part_id, period_key, {sum_aggregates(kpis.RECEIPTS)},
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
            SELECT supplier_id, part_id, period_key, {sum_aggregates(kpis.INSPECTIONS)}
            FROM ({inspections}) facts
            GROUP BY supplier_id, part_id, period_key
        """

    def part_statement(self) -> str:
        """`kpi_part`: the three kinds of sums side by side (zero where a kind has no fact),
        their period, and the KPI values."""
        values = ", ".join(
            f"{expr} AS {name}"
            for name, expr in {**VALUE_EXPRESSIONS, **PART_ONLY_EXPRESSIONS}.items()
        )
        whole = self.sql.is_postgresql and not self.by_cells
        joined = self._kinds_joined() if whole else self._kinds_stacked()
        return f"""
            {self.sql.create_staging} kpi_part AS
            SELECT t.supplier_id, t.part_id, p.period, p.period_start, p.period_end,
                   {", ".join(f"t.{c}" for c in SUM_COLUMNS)}, {values},
                   t.lead_time_p90_days
            FROM ({joined}) t
            JOIN kpi_period p ON p.period_key = t.period_key
            {self._cell_join("t")}
        """

    def _kinds_joined(self) -> str:
        """PostgreSQL, outside a refresh by cells: the three tables (one row per key each)
        in two full outer joins, faster than summing them stacked (3.1 s against 3.5 s for
        the 887,000 part rows of the large demo). A refresh by cells sums them stacked:
        the planner has no statistics for the keys a full join merges, so it would join
        the result to `kpi_cell` by sorting it (0.53 s against 0.37 s in a nightly)."""
        sums = ", ".join(
            f"CAST(COALESCE({c}, 0) AS INTEGER) AS {c}"
            if c in _COUNTS
            else f"COALESCE({c}, 0) AS {c}"
            for c in SUM_COLUMNS
        )
        return f"""
            SELECT {_KEYS}, {sums}, lead_time_p90_days
            FROM kpi_line_sums
            FULL JOIN kpi_receipt_sums USING ({_KEYS})
            FULL JOIN kpi_inspection_sums USING ({_KEYS})"""

    def _kinds_stacked(self) -> str:
        """The three tables stacked (each kind's columns, zeros for the others) and
        summed per key; SQLite before 3.39 has no FULL JOIN."""
        kinds = (
            ("kpi_line_sums", LINE_SUMS),
            ("kpi_receipt_sums", RECEIPT_SUMS),
            ("kpi_inspection_sums", INSPECTION_SUMS),
        )
        stacked = "\nUNION ALL\n".join(
            f"SELECT {_KEYS}, "
            + ", ".join(c if c in columns else f"0 AS {c}" for c in SUM_COLUMNS)
            + f", {'lead_time_p90_days' if table == 'kpi_receipt_sums' else 'NULL'}"
            + f" AS lead_time_p90_days FROM {table}"
            for table, columns in kinds
        )
        sums = ", ".join(f"{_sum_back(c)} AS {c}" for c in SUM_COLUMNS)
        return f"""
            SELECT {_KEYS}, {sums}, MAX(lead_time_p90_days) AS lead_time_p90_days
            FROM ({stacked}) kinds
            GROUP BY {_KEYS}"""

    def _cell_join(self, alias: str) -> str:
        """Cells mode: only the cells asked for (facts staged for a line's sake alone
        would give partial sums for the others)."""
        if not self.by_cells:
            return ""
        return (
            f"JOIN kpi_cell cell ON cell.supplier_id = {alias}.supplier_id"
            f" AND cell.period_key = {alias}.period_key"
        )

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
        if self.scope.supplier_ids is None and not self.by_cells:
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
            WHERE {self.stored_other_filter("other")}
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
                WHERE {self.rolling_supplier_filter("s.id")}
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


def _sum_back(column: str) -> str:
    """A staged sum added up again, keeping its type: counts stay integers."""
    if column in _COUNTS:
        return f"CAST(SUM({column}) AS INTEGER)"
    return f"SUM({column})"


_COUNTS = {f.name for f in kpis.FIGURES if f.is_count}
_KEYS = "supplier_id, part_id, period_key"
