"""Scorecard writes: recompute KPIs set-based in the database and upsert them.

`scorecard_recompute` is the one entry point for the nightly run, the refresh after a
receipt/inspection/line change, the management command and the tests. It stages the facts
(`scorecards.queries`), then writes with three set-based statements per table:
INSERT … SELECT … ON CONFLICT DO UPDATE (only rows whose figures changed are touched),
DELETE of rows in scope that lost their last fact, and one UPDATE that scores the rows.

Rows are upserted straight from the staging tables rather than through
`bulk_create(update_conflicts=True)`: at the budget scale there are about a million
(part, supplier, month) rows, and a round trip through Python objects would cost more
than the whole computation.

Incremental refresh (a supplier's receipt, inspection or line changed): every period of
those suppliers is recomputed (their whole history is small, and a changed date may move a
fact between months). The landed cost index of a supplier depends on the other sources of
its parts, so the scoring step also re-scores every supplier that shares a (part, period)
with the refreshed ones, from the stored part rows.
"""

import datetime as dt
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass

from django.db import connection, transaction
from django.utils import timezone

from scorecards import kpis
from scorecards.models import (
    PartScorecard,
    ScorecardAssignment,
    ScorecardTemplate,
    SupplierScorecard,
)
from scorecards.queries import STAGING_TABLES, SUM_COLUMNS, Dialect, Scope, StagingQueries

RECOMPUTE_STEPS = (
    "Contract tolerances",
    "Deliveries",
    "FX rates and periods",
    "Part sums",
    "Supplier sums",
    "Part scorecards",
    "Supplier scorecards",
    "Scores and grades",
)
# Serialises concurrent recomputes on PostgreSQL (SQLite's IMMEDIATE transactions already do).
_ADVISORY_LOCK_KEY = 0x5C0_2ECA
RECOMPUTE_WORK_MEM = "256MB"
INDEX_DECIMALS = SupplierScorecard._meta.get_field("landed_cost_index").decimal_places
_PART_COLUMNS = (
    "supplier_id",
    "part_id",
    "period",
    "period_start",
    "period_end",
    *(c for c in SUM_COLUMNS if c != "lead_time_days_total"),
    "otd_pct",
    "otif_pct",
    "defect_ppm",
    "lead_time_mean_days",
    "lead_time_p90_days",
    "landed_unit_cost",
)
_SUPPLIER_COLUMNS = tuple(c for c in _PART_COLUMNS if c not in ("part_id", "landed_unit_cost"))


@dataclass(frozen=True)
class RecomputeResult:
    as_of: dt.date
    supplier_count: int | None  # None: every supplier
    part_rows: int
    supplier_rows: int
    rows_written: int
    rows_deleted: int
    seconds: float

    def as_dict(self) -> dict:
        return {**asdict(self), "as_of": self.as_of.isoformat()}


def scorecard_recompute(
    *,
    supplier_ids: Iterable[int] | None = None,
    periods: Iterable[str] | None = None,
    as_of: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> RecomputeResult:
    """Recompute the scorecards of these suppliers (default all) for these periods.

    `periods` holds `YYYY-MM` months and/or `rolling-90`; None means every month with
    activity plus the rolling window. `as_of` defaults to today in the organisation's time
    zone. All-or-nothing: readers see the old figures until the new ones are committed.
    """
    started = time.perf_counter()
    scope = _scope(supplier_ids=supplier_ids, periods=periods, as_of=as_of)
    dialect = Dialect(connection.vendor)
    stage = StagingQueries(scope=scope, dialect=dialect)
    report = progress or (lambda step: None)
    with transaction.atomic(), connection.cursor() as cursor:
        _session_prepare(cursor, dialect)
        _staging_drop(cursor, dialect)
        params = stage.params
        cursor.execute(stage.tolerance_statement(), params)
        report("Contract tolerances")
        cursor.execute(stage.delivery_statement(), params)
        if dialect.is_postgresql:
            cursor.execute("ANALYZE kpi_delivery")  # the one big staged table: real statistics
        report("Deliveries")

        cursor.execute(stage.receipt_dates_statement(), params)
        first, last = cursor.fetchone()
        if first is None:
            cursor.execute(stage.fx_empty_statement())
        else:
            cursor.execute(stage.fx_statement(), {**params, "fx_first": first, "fx_last": last})
        cursor.execute(stage.period_statement())
        cursor.execute(stage.fact_dates_statement())
        periods = stage.period_rows(cursor.fetchone())
        cursor.execute(
            "INSERT INTO kpi_period (period_key, period, period_start, period_end) VALUES "
            + ", ".join(["(%s, %s, %s, %s)"] * len(periods)),
            [v for key, p, start, end in periods for v in (key, p, _date(start), _date(end))],
        )
        report("FX rates and periods")

        cursor.execute(stage.part_statement(), params)
        report("Part sums")
        cursor.execute(stage.supplier_percentile_statement(), params)
        cursor.execute(stage.supplier_result_statement(), params)
        report("Supplier sums")
        if not scope.is_everything:
            cursor.execute(_target_statement(stage), params)

        now = _datetime(timezone.now())
        part_written, part_deleted, part_rows = _rows_replace(
            cursor,
            dialect,
            stage,
            model=PartScorecard,
            columns=_PART_COLUMNS,
            select=stage.part_result_select(),
            staged="kpi_part",
            now=now,
        )
        report("Part scorecards")
        supplier_written, supplier_deleted, supplier_rows = _rows_replace(
            cursor,
            dialect,
            stage,
            model=SupplierScorecard,
            columns=_SUPPLIER_COLUMNS,
            select=f"SELECT {', '.join(_SUPPLIER_COLUMNS)} FROM kpi_supplier_result",
            staged="kpi_supplier_result",
            now=now,
        )
        report("Supplier scorecards")

        scored = _scores_update(
            cursor,
            dialect,
            restrict_to_target=not scope.is_everything,
            # A full recompute staged every part row: read the (narrower) staging table.
            part_rows="kpi_part" if scope.is_everything else None,
        )
        report("Scores and grades")
        _staging_drop(cursor, dialect)

    return RecomputeResult(
        as_of=scope.as_of,
        supplier_count=None if scope.supplier_ids is None else len(scope.supplier_ids),
        part_rows=part_rows,
        supplier_rows=supplier_rows,
        rows_written=part_written + supplier_written + scored,
        rows_deleted=part_deleted + supplier_deleted,
        seconds=round(time.perf_counter() - started, 3),
    )


def scorecard_scores_refresh() -> int:
    """Re-score every supplier row (landed cost index, composite, grade), e.g. after a
    template changed. The KPI figures themselves stay as they are."""
    dialect = Dialect(connection.vendor)
    with transaction.atomic(), connection.cursor() as cursor:
        _session_prepare(cursor, dialect)
        return _scores_update(cursor, dialect, restrict_to_target=False)


# --- steps ---------------------------------------------------------------------------


def _scope(*, supplier_ids, periods, as_of) -> Scope:
    months: tuple[str, ...] | None = None
    include_rolling = True
    if periods is not None:
        requested = {kpis.period_validate(p) for p in periods}
        include_rolling = kpis.ROLLING_PERIOD in requested
        months = tuple(sorted(requested - {kpis.ROLLING_PERIOD}))
    return Scope(
        as_of=as_of or timezone.localdate(),
        supplier_ids=None
        if supplier_ids is None
        else tuple(sorted({int(i) for i in supplier_ids})),
        months=months,
        include_rolling=include_rolling,
    )


def _session_prepare(cursor, dialect: Dialect) -> None:
    """PostgreSQL: one recompute at a time, and room for its hash aggregates (local to
    this transaction). JIT compilation costs more than it saves on these statements."""
    if dialect.is_postgresql:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])
        cursor.execute(f"SET LOCAL work_mem = '{RECOMPUTE_WORK_MEM}'")
        cursor.execute("SET LOCAL jit = off")


def _staging_drop(cursor, dialect: Dialect) -> None:
    for table in STAGING_TABLES:
        cursor.execute(f"DROP TABLE IF EXISTS {dialect.temp_table(table)}")


def _target_statement(stage: StagingQueries) -> str:
    """Supplier rows to re-score: those recomputed, and every supplier sharing a
    (part, period) with them before or after, since their landed cost index moves too."""
    part = PartScorecard._meta.db_table
    return f"""
        CREATE TEMP TABLE kpi_target AS
        SELECT DISTINCT other.supplier_id, other.period
        FROM {part} other
        JOIN (
            SELECT part_id, period FROM {part}
            WHERE {stage.supplier_filter("supplier_id")} AND {stage.period_filter("period")}
            UNION
            SELECT part_id, period FROM kpi_part
        ) touched ON touched.part_id = other.part_id AND touched.period = other.period
        UNION
        SELECT supplier_id, period FROM kpi_supplier_result
    """


def _rows_replace(
    cursor, dialect: Dialect, stage: StagingQueries, *, model, columns, select, staged, now
) -> tuple[int, int, int]:
    """Upsert the rows `select` yields (only those whose figures changed are written), then
    delete stored rows in scope that are not in `staged` any more."""
    table = model._meta.db_table
    keys = [c for c in columns if c in ("supplier_id", "part_id", "period")]
    written_columns = [*columns, "computed_at"]
    changed = " OR ".join(
        dialect.is_distinct(f"{table}.{c}", f"excluded.{c}") for c in columns if c not in keys
    )
    params = {**stage.params, "now": now}
    cursor.execute(
        f"""
        INSERT INTO {table} ({", ".join(written_columns)})
        SELECT {", ".join(f"result.{c}" for c in columns)}, %(now)s FROM ({select}) result
        WHERE 1 = 1
        ON CONFLICT ({", ".join(keys)}) DO UPDATE
        SET {", ".join(f"{c} = excluded.{c}" for c in written_columns if c not in keys)}
        WHERE {changed}
        """,
        params,
    )
    written = max(cursor.rowcount, 0)
    match = " AND ".join(f"staged.{k} = {table}.{k}" for k in keys)
    cursor.execute(
        f"""
        DELETE FROM {table}
        WHERE {stage.supplier_filter(f"{table}.supplier_id")}
          AND {stage.period_filter(f"{table}.period")}
          AND NOT EXISTS (SELECT 1 FROM {staged} staged WHERE {match})
        """,
        params,
    )
    deleted = max(cursor.rowcount, 0)
    cursor.execute(f"SELECT COUNT(*) FROM {staged}")
    return written, deleted, cursor.fetchone()[0]


def _scores_update(
    cursor, dialect: Dialect, *, restrict_to_target: bool, part_rows: str | None = None
) -> int:
    """Landed cost index, composite score and grade of supplier rows.

    LCI = Σ_p landed cost of the supplier / Σ_p q_sp × luc_p, where luc_p is the
    quantity-weighted landed unit cost of part p over all its sources in the period.
    `part_rows` is where the part figures are read (default: the stored part scorecards).
    The criterion scores are staged first so each formula is evaluated once per row.
    """
    supplier_rows = SupplierScorecard._meta.db_table
    part_rows = part_rows or PartScorecard._meta.db_table
    template = ScorecardTemplate._meta.db_table
    assignment = ScorecardAssignment._meta.db_table
    target_join = (
        "JOIN kpi_target t ON t.supplier_id = {alias}.supplier_id AND t.period = {alias}.period"
        if restrict_to_target
        else ""
    )
    target_parts = (
        f"""JOIN (SELECT DISTINCT tp.part_id, tp.period FROM {part_rows} tp
                  {target_join.format(alias="tp")}) needed
                 ON needed.part_id = pa.part_id AND needed.period = pa.period"""
        if restrict_to_target
        else ""
    )
    index = kpis.sql_ratio(
        f"SUM({_float('own.landed_cost_total')})",
        f"SUM({_float('own.priced_quantity')} * average.unit_cost)",
    )
    criteria_columns = []
    for criterion in kpis.CRITERIA:
        value = (
            "cost.landed_cost_index"
            if criterion.kpi == "landed_cost_index"
            else _float(f"sc.{criterion.kpi}")
        )
        score = kpis.sql_criterion_score(
            value, _float(f"tpl.{criterion.floor_field}"), _float(f"tpl.{criterion.target_field}")
        )
        weight = _float(f"tpl.{criterion.weight_field}")
        criteria_columns.append(
            f"{score} AS {criterion.kpi}_score, {weight} AS {criterion.kpi}_weight"
        )
    cursor.execute(f"DROP TABLE IF EXISTS {dialect.temp_table('kpi_score')}")
    cursor.execute(
        f"""
        CREATE TEMP TABLE kpi_score AS
        SELECT sc.id, tpl.id AS template_id, cost.landed_cost_index, {", ".join(criteria_columns)}
        FROM {supplier_rows} sc
        {target_join.format(alias="sc")}
        LEFT JOIN (
            SELECT own.supplier_id, own.period, {index} AS landed_cost_index
            FROM {part_rows} own
            JOIN (
                SELECT pa.part_id, pa.period,
                       SUM({_float("pa.landed_cost_total")}) / SUM({_float("pa.priced_quantity")})
                           AS unit_cost
                FROM {part_rows} pa
                {target_parts}
                WHERE pa.priced_quantity > 0
                GROUP BY pa.part_id, pa.period
            ) average ON average.part_id = own.part_id AND average.period = own.period
            {target_join.format(alias="own")}
            WHERE own.priced_quantity > 0
            GROUP BY own.supplier_id, own.period
        ) cost ON cost.supplier_id = sc.supplier_id AND cost.period = sc.period
        LEFT JOIN {assignment} a ON a.supplier_id = sc.supplier_id
        LEFT JOIN {template} tpl ON tpl.id = COALESCE(
            a.template_id, (SELECT d.id FROM {template} d WHERE d.is_default = %(true)s)
        )
        """,
        {"true": True},
    )
    composite = kpis.sql_composite_score(
        [(f"{c.kpi}_score", f"{c.kpi}_weight") for c in kpis.CRITERIA]
    )
    changed = " OR ".join(
        dialect.is_distinct(f"{supplier_rows}.{c}", f"scored.{c}")
        for c in ("landed_cost_index", "composite_score", "grade", "template_id")
    )
    cursor.execute(
        f"""
        UPDATE {supplier_rows}
        SET landed_cost_index = scored.landed_cost_index,
            composite_score = scored.composite_score,
            grade = scored.grade,
            template_id = scored.template_id
        FROM (
            SELECT id, template_id, landed_cost_index, composite_score,
                   {kpis.sql_grade("composite_score")} AS grade
            FROM (
                SELECT id, template_id,
                       ROUND(CAST(landed_cost_index AS NUMERIC), {INDEX_DECIMALS})
                           AS landed_cost_index,
                       {composite} AS composite_score
                FROM kpi_score
            ) composite
        ) scored
        WHERE {supplier_rows}.id = scored.id AND ({changed})
        """
    )
    updated = max(cursor.rowcount, 0)
    cursor.execute(f"DROP TABLE {dialect.temp_table('kpi_score')}")
    return updated


def _float(expression: str) -> str:
    return f"CAST({expression} AS DOUBLE PRECISION)"


def _date(value: dt.date):
    return connection.ops.adapt_datefield_value(value)


def _datetime(value: dt.datetime):
    return connection.ops.adapt_datetimefield_value(value)
