"""Staging, first stage: the facts. Contract tolerances, FX rates, the periods, and the
one big join of lines and receipts (`kpi_delivery`) every later step reads."""

import datetime as dt

from contracts.models import Contract
from purchasing.models import FxRate, Inspection, PurchaseOrder, PurchaseOrderLine, Receipt
from scorecards import kpis
from scorecards.staging import ScopeFilters, _float, _period_key, _table


class FactStatements(ScopeFilters):
    """Steps 1–3 of the pipeline (see `scorecards.queries`)."""

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

    def cell_table_statement(self) -> str:
        return (
            f"{self.sql.create_staging} kpi_cell (supplier_id INTEGER, period_key INTEGER,"
            " period VARCHAR(10), starts DATE, ends DATE, dense INTEGER)"
        )

    def cell_line_statement(self) -> str:
        """`kpi_cell_line`: the lines whose facts a cell of `kpi_cell` needs: promised, or
        with a receipt or an inspection dated, in one of their supplier's cells. Dense
        periods are read by date for all suppliers at once (the date indexes), the other
        cells from their supplier's orders down (the foreign-key indexes); the cell join
        keeps exactly the cells asked for. A line due in a cell brings all its receipts (on-time
        quantity); every fact outside the cells is dropped again at `kpi_part`."""
        line, order = _table(PurchaseOrderLine), _table(PurchaseOrder)
        receipt, inspection = _table(Receipt), _table(Inspection)

        def in_cell(date_column: str) -> str:
            return (
                f"JOIN kpi_cell c ON c.supplier_id = po.supplier_id"
                f" AND {date_column} BETWEEN c.starts AND c.ends"
            )

        return f"""
            {self.sql.create_staging} kpi_cell_line AS
            SELECT l.id AS line_id
            FROM {line} l
            JOIN {order} po ON po.id = l.purchase_order_id
            {in_cell("l.promised_date")}
            WHERE {self.dense_filter("l.promised_date")}
            UNION
            SELECT r.line_id
            FROM {receipt} r
            JOIN {line} l ON l.id = r.line_id
            JOIN {order} po ON po.id = l.purchase_order_id
            {in_cell("r.receipt_date")}
            WHERE {self.dense_filter("r.receipt_date")}
            UNION
            SELECT r.line_id
            FROM {inspection} i
            JOIN {receipt} r ON r.id = i.receipt_id
            JOIN {line} l ON l.id = r.line_id
            JOIN {order} po ON po.id = l.purchase_order_id
            {in_cell("i.inspection_date")}
            WHERE {self.dense_filter("i.inspection_date")}
            UNION
            {self._sparse_cell_lines(line, order, receipt, inspection)}
        """

    def _sparse_cell_lines(self, line: str, order: str, receipt: str, inspection: str) -> str:
        """The lines of the cells not dense, from their supplier's orders down. A few
        suppliers (a posting's refresh): one walk of each one's lines with their receipts
        and inspections. Many (the nightly): one join per kind of fact, which the database
        hashes instead of probing every line's facts."""
        if self.few_suppliers:
            return f"""
            SELECT l.id
            FROM (SELECT DISTINCT supplier_id FROM kpi_cell WHERE dense = 0) s
            JOIN {order} po ON po.supplier_id = s.supplier_id
            JOIN {line} l ON l.purchase_order_id = po.id
            LEFT JOIN {receipt} r ON r.line_id = l.id
            LEFT JOIN {inspection} i ON i.receipt_id = r.id
            WHERE EXISTS (
                SELECT 1 FROM kpi_cell c
                WHERE c.supplier_id = s.supplier_id AND c.dense = 0
                  AND (l.promised_date BETWEEN c.starts AND c.ends
                       OR r.receipt_date BETWEEN c.starts AND c.ends
                       OR i.inspection_date BETWEEN c.starts AND c.ends))"""
        return f"""
            SELECT l.id
            FROM kpi_cell c
            JOIN {order} po ON po.supplier_id = c.supplier_id
            JOIN {line} l ON l.purchase_order_id = po.id
            WHERE c.dense = 0 AND l.promised_date BETWEEN c.starts AND c.ends
            UNION
            SELECT l.id
            FROM kpi_cell c
            JOIN {order} po ON po.supplier_id = c.supplier_id
            JOIN {line} l ON l.purchase_order_id = po.id
            JOIN {receipt} r ON r.line_id = l.id
            WHERE c.dense = 0 AND r.receipt_date BETWEEN c.starts AND c.ends
            UNION
            SELECT l.id
            FROM kpi_cell c
            JOIN {order} po ON po.supplier_id = c.supplier_id
            JOIN {line} l ON l.purchase_order_id = po.id
            JOIN {receipt} r ON r.line_id = l.id
            JOIN {inspection} i ON i.receipt_id = r.id
            WHERE c.dense = 0 AND i.inspection_date BETWEEN c.starts AND c.ends"""

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
            {"JOIN kpi_cell_line cl ON cl.line_id = l.id" if self.by_cells else ""}
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
              AND {"1=1" if self.by_cells else self.supplier_filter("po.supplier_id")}
              AND {in_scope}
        """

    def receipt_dates_statement(self) -> str:
        """First and last receipt date in scope: the days `kpi_fx` must cover."""
        receipt = _table(Receipt)
        if self.by_cells and not self._dense_ranges:
            # A refresh after postings: the receipts of the few lines staged, so the rates
            # are looked up for their days only (not for every day of the history).
            return f"""
                SELECT MIN(r.receipt_date), MAX(r.receipt_date)
                FROM kpi_cell_line cl JOIN {receipt} r ON r.line_id = cl.line_id
            """
        if self.scope.supplier_ids is None:  # also for dense cells: by index look-ups
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

    def _rate(self, currency: str, looked_up: str) -> str:
        return f"(CASE WHEN {currency} = %(base_currency)s THEN 1.0 ELSE {looked_up} END)"
