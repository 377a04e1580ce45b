"""Scorecard recompute: KPIs staged set-based in the database, then stored.

`scorecard_recompute` is the one entry point for the nightly run, the refresh after a
receipt/inspection/line change, the management command and the tests (it is re-exported
by `scorecards.services`). It stages the facts and figures (`scorecards.queries`), then
writes each table with a set-based diff (`scorecards.store`): one hash join finds the
staged rows that are new or changed, an INSERT … SELECT / UPDATE … FROM writes only those,
and a DELETE removes stored rows in scope that lost their last fact (skipped when the
counts show there are none). A nightly run over unchanged facts therefore writes almost
nothing.

Rows go straight from the staging tables to the scorecard tables rather than through
`bulk_create(update_conflicts=True)`: at the budget scale there are about half a million
(part, supplier, month) rows, and a round trip through Python objects would cost more
than the whole computation.

Incremental refresh (a supplier's receipt, inspection or line changed): every period of
those suppliers is recomputed (their history is small, and a changed date may move a fact
between months). The landed cost index depends on the other sources of the same parts: the
refreshed suppliers are benchmarked against the stored rows of those sources, and every
supplier sharing a (part, period) with them, before or after, is re-scored from the
stored part rows.
"""

import datetime as dt
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass

from django.db import connection, transaction
from django.utils import timezone

from core.chunks import chunked
from core.pgarray import pg_array
from scorecards import kpis, outbox
from scorecards.dialect import Dialect
from scorecards.models import PartScorecard, SupplierScorecard
from scorecards.queries import STAGING_TABLES, Scope, StagingQueries
from scorecards.store import (
    PART_COLUMNS,
    SUPPLIER_COLUMNS,
    analyze,
    index,
    part_average_create,
    rows_replace,
    scores_update,
)
from suppliers.services.esg import esg_scores_store

RECOMPUTE_STEPS = (
    "Contract tolerances",
    "Deliveries",
    "Periods",
    "Part sums",
    "Supplier sums and scores",
    "Part scorecards",
    "Supplier scorecards",
    "Other sources re-scored",
)
# Serialises concurrent recomputes on PostgreSQL (SQLite's IMMEDIATE transactions already do).
_ADVISORY_LOCK_KEY = 0x5C0_2ECA
# PostgreSQL settings for the recompute's transaction only (SET LOCAL).
RECOMPUTE_SETTINGS = {
    # Room for the hash aggregates of a full recompute.
    "work_mem": "'256MB'",
    # JIT compilation costs more than it saves on these statements.
    "jit": "off",
    # The planner needs the staged tables' sizes and rough distributions, not
    # fine histograms: sample 3,000 rows instead of 30,000.
    "default_statistics_target": "10",
}


@dataclass(frozen=True)
class RecomputeResult:
    as_of: dt.date
    supplier_count: int | None  # None: every supplier
    part_rows: int
    supplier_rows: int
    rows_written: int
    rows_deleted: int
    seconds: float
    # The suppliers recomputed (None: every supplier), so follow-up work can name them.
    supplier_ids: tuple[int, ...] | None = None

    def as_dict(self) -> dict:
        data = {**asdict(self), "as_of": self.as_of.isoformat()}
        data.pop("supplier_ids")
        return data


def scorecard_recompute(
    *,
    supplier_ids: Iterable[int] | None = None,
    periods: Iterable[str] | None = None,
    as_of: dt.date | None = None,
    cells: Iterable[tuple[int, str]] | None = None,
    progress: Callable[[str], None] | None = None,
) -> RecomputeResult:
    """Recompute the scorecards of these suppliers (default all) for these periods.

    `periods` holds `YYYY-MM` months and/or `rolling-90`; None means every month with
    activity plus the rolling window. `cells` instead names exactly the (supplier id,
    period) rows to rebuild, for any mix of suppliers and periods (the incremental
    refreshes). `as_of` defaults to today in the organisation's time zone.
    All-or-nothing: readers see the old figures until the new ones are committed.
    """
    started = time.perf_counter()
    scope = _scope(supplier_ids=supplier_ids, periods=periods, as_of=as_of, cells=cells)
    dialect = Dialect(connection.vendor)
    stage = StagingQueries(scope=scope, dialect=dialect)
    report = progress or (lambda step: None)
    with transaction.atomic(), connection.cursor() as cursor:
        # The ESG score ages with its evidence: stored fresh before the composite reads it.
        esg_scores_store(supplier_ids=_suppliers_touched(scope), as_of=scope.as_of)
        _session_prepare(cursor, dialect, few_suppliers=stage.few_suppliers)
        if scope.is_everything:
            # Before any fact is read: a mark committed later stays for the next refresh.
            outbox.marks_clear()
            outbox.scores_claim()
            outbox.as_of_set(scope.as_of)
        _staging_drop(cursor, dialect)
        _deliveries_stage(cursor, dialect, stage, report)
        _periods_stage(cursor, dialect, stage, report)
        _sums_stage(cursor, dialect, stage, report)
        stored = _scorecards_store(cursor, dialect, stage, report)
        _staging_drop(cursor, dialect)

    touched = _suppliers_touched(scope)
    return RecomputeResult(
        as_of=scope.as_of,
        supplier_count=None if touched is None else len(touched),
        seconds=round(time.perf_counter() - started, 3),
        supplier_ids=touched,
        **stored,
    )


def scorecard_scores_refresh() -> int:
    """Re-score every supplier row (landed cost index, composite, grade), e.g. after a
    template changed. The KPI figures themselves stay as they are."""
    dialect = Dialect(connection.vendor)
    with transaction.atomic(), connection.cursor() as cursor:
        esg_scores_store()
        _session_prepare(cursor, dialect)
        outbox.scores_claim()
        return scores_update(cursor, dialect, restrict_to_target=False)


# --- steps ---------------------------------------------------------------------------


def _deliveries_stage(cursor, dialect: Dialect, stage: StagingQueries, report) -> None:
    """The scope's cells, contract tolerances, FX rates and deliveries."""
    params = stage.params
    if stage.by_cells:
        _cells_stage(cursor, dialect, stage)
    cursor.execute(stage.tolerance_statement(), params)
    index(cursor, dialect, "kpi_tolerance")
    analyze(cursor, dialect, "kpi_tolerance")  # so the big join hashes this small side
    report("Contract tolerances")
    cursor.execute(stage.receipt_dates_statement(), params)
    first, last = cursor.fetchone()
    cursor.execute(stage.fx_table_statement())
    if first is not None:
        cursor.execute(stage.fx_statement(), {**params, "fx_first": first, "fx_last": last})
    index(cursor, dialect, "kpi_fx")
    analyze(cursor, dialect, "kpi_fx")
    cursor.execute(stage.delivery_statement(), params)
    analyze(cursor, dialect, "kpi_delivery")
    report("Deliveries")


def _periods_stage(cursor, dialect: Dialect, stage: StagingQueries, report) -> None:
    """`kpi_period`: the periods the staged facts fall in."""
    cursor.execute(stage.period_statement())
    cursor.execute(stage.fact_dates_statement())
    periods = stage.period_rows(cursor.fetchone())
    cursor.execute(
        "INSERT INTO kpi_period (period_key, period, period_start, period_end) VALUES "
        + ", ".join(["(%s, %s, %s, %s)"] * len(periods)),
        [v for key, p, start, end in periods for v in (key, p, _date(start), _date(end))],
    )
    analyze(cursor, dialect, "kpi_period")  # a few dozen rows: joined by hash, not sort
    report("Periods")


def _sums_stage(cursor, dialect: Dialect, stage: StagingQueries, report) -> None:
    """Part sums, then supplier sums and scores (and, incrementally, `kpi_target`)."""
    params = stage.params
    for statement, table in (
        (stage.line_sums_statement(), "kpi_line_sums"),
        (stage.receipt_sums_statement(), "kpi_receipt_sums"),
        (stage.inspection_sums_statement(), "kpi_inspection_sums"),
        (stage.part_statement(), "kpi_part"),
    ):
        cursor.execute(statement, params)
        analyze(cursor, dialect, table)
    report("Part sums")
    cursor.execute(stage.supplier_percentile_statement(), params)
    part_average_create(cursor, dialect, stage.peer_part_rows(), params)
    cursor.execute(stage.supplier_result_statement(), params)
    report("Supplier sums and scores")
    if not stage.scope.is_everything:
        cursor.execute(_other_sources_statement(stage), params)
        analyze(cursor, dialect, "kpi_target")


def _scorecards_store(cursor, dialect: Dialect, stage: StagingQueries, report) -> dict:
    """Store part and supplier rows, re-score the other sources; the result's counts."""
    part_written, part_deleted, part_rows = rows_replace(
        cursor, dialect, stage, model=PartScorecard, columns=PART_COLUMNS, staged="kpi_part"
    )
    report("Part scorecards")
    supplier_written, supplier_deleted, supplier_rows = rows_replace(
        cursor,
        dialect,
        stage,
        model=SupplierScorecard,
        columns=SUPPLIER_COLUMNS,
        staged="kpi_supplier_result",
    )
    report("Supplier scorecards")
    rescored = 0
    if not stage.scope.is_everything:
        rescored = scores_update(cursor, dialect, restrict_to_target=True)
    report("Other sources re-scored")
    return {
        "part_rows": part_rows,
        "supplier_rows": supplier_rows,
        "rows_written": part_written + supplier_written + rescored,
        "rows_deleted": part_deleted + supplier_deleted,
    }


def _scope(*, supplier_ids, periods, as_of, cells=None) -> Scope:
    as_of = as_of or timezone.localdate()
    if cells is not None:
        cells = tuple(sorted({(int(s), kpis.period_validate(p)) for s, p in cells}))
        return Scope(as_of=as_of, cells=cells)
    months: tuple[str, ...] | None = None
    include_rolling = True
    if periods is not None:
        requested = {kpis.period_validate(p) for p in periods}
        include_rolling = kpis.ROLLING_PERIOD in requested
        months = tuple(sorted(requested - {kpis.ROLLING_PERIOD}))
    if supplier_ids is not None:
        supplier_ids = tuple(sorted({int(i) for i in supplier_ids}))
    return Scope(
        as_of=as_of,
        supplier_ids=supplier_ids,
        months=months,
        include_rolling=include_rolling,
    )


def _cells_stage(cursor, dialect: Dialect, stage: StagingQueries) -> None:
    """`kpi_cell` from the scope's cells, then `kpi_cell_line`, the lines they need."""
    cursor.execute(stage.cell_table_statement())
    rows = [
        (supplier_id, key, period, _date(starts), _date(ends), int(dense))
        for supplier_id, key, period, starts, ends, dense in stage.cell_rows
    ]
    insert = "INSERT INTO kpi_cell (supplier_id, period_key, period, starts, ends, dense)"
    if dialect.is_postgresql:  # one array per column: thousands of cells at once
        if rows:
            cursor.execute(
                f"{insert} SELECT * FROM unnest(%s::int[], %s::int[], %s::varchar[],"
                " %s::date[], %s::date[], %s::int[])",
                [pg_array(column) for column in zip(*rows, strict=True)],
            )
    else:
        for chunk in chunked(rows, 500):
            cursor.execute(
                f"{insert} VALUES " + ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(chunk)),
                [v for row in chunk for v in row],
            )
    index(cursor, dialect, "kpi_cell")
    analyze(cursor, dialect, "kpi_cell")
    cursor.execute(stage.cell_line_statement(), stage.params)
    index(cursor, dialect, "kpi_cell_line")
    analyze(cursor, dialect, "kpi_cell_line")


def _session_prepare(cursor, dialect: Dialect, *, few_suppliers: bool = False) -> None:
    """PostgreSQL: one recompute at a time, with RECOMPUTE_SETTINGS; a refresh of a few
    suppliers without parallel workers (starting them costs more than its statements)."""
    if dialect.is_postgresql:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])
        settings = dict(RECOMPUTE_SETTINGS)
        if few_suppliers:
            settings["max_parallel_workers_per_gather"] = "0"
        for setting, value in settings.items():
            cursor.execute(f"SET LOCAL {setting} = {value}")


def _staging_drop(cursor, dialect: Dialect) -> None:
    for table in STAGING_TABLES:
        cursor.execute(f"DROP TABLE IF EXISTS {dialect.staging_table(table)}")


def _other_sources_statement(stage: StagingQueries) -> str:
    """Supplier rows outside the scope that share a (part, period) with it, before or
    after this recompute: their landed cost index moves with ours."""
    part = PartScorecard._meta.db_table
    return f"""
        {stage.sql.create_staging} kpi_target AS
        SELECT DISTINCT other.supplier_id, other.period
        FROM {part} other
        JOIN (
            SELECT part_id, period FROM {stage.stored_rows(part)} stored
            UNION
            SELECT part_id, period FROM kpi_part
        ) touched ON touched.part_id = other.part_id AND touched.period = other.period
        WHERE {stage.stored_other_filter("other")}
    """


def _suppliers_touched(scope: Scope) -> tuple[int, ...] | None:
    """The suppliers a recompute rebuilt (None: every supplier)."""
    if scope.cells is not None:
        return tuple(sorted({supplier_id for supplier_id, _ in scope.cells}))
    return None if scope.supplier_ids is None else tuple(scope.supplier_ids)


def _date(value: dt.date):
    return connection.ops.adapt_datefield_value(value)
