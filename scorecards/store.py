"""Scorecard rows stored with a set-based diff, and stored supplier rows re-scored.

One hash join of staged against stored rows finds the rows that are new or changed, an
INSERT … SELECT and an UPDATE … FROM write only those, and a DELETE removes stored rows in
scope that lost their last fact (skipped when the counts show there are none). The
staging tables themselves are built by `scorecards.recompute`.
"""

import datetime as dt

from django.db import connection, models
from django.utils import timezone

from scorecards import kpis
from scorecards.dialect import Dialect
from scorecards.models import PartScorecard, SupplierScorecard
from scorecards.queries import STAGING_INDEXES, StagingQueries
from scorecards.scoring import landed_cost_index_select, part_average_statement, scores_select

# The figures each kind of row stores, in registry order (`kpis.FIGURES`).
_FIGURES = kpis.figure_names(rows=kpis.BOTH)
PART_COLUMNS = (
    "supplier_id",
    "part_id",
    "period",
    "period_start",
    "period_end",
    *_FIGURES,
    *kpis.figure_names(rows=kpis.PART),
)
SUPPLIER_COLUMNS = (
    "supplier_id",
    "period",
    "period_start",
    "period_end",
    *_FIGURES,
    *kpis.figure_names(rows=kpis.SUPPLIER),
    "template_id",
)
_SCORE_COLUMNS = ("landed_cost_index", "composite_score", "grade", "template_id")
# Up to this many (supplier, period) rows to re-score, their peers are read by index.
FEW_TARGETS = 2000
# A write that inserts or deletes more than this share of the rows it staged (a first
# build, a new supplier's history) refreshes the table's planner statistics at once.
STALE_SHARE = 0.1
STALE_ROWS = 1000


def analyze(cursor, dialect: Dialect, table: str) -> None:
    if dialect.is_postgresql:
        cursor.execute(f"ANALYZE {table}")


def index(cursor, dialect: Dialect, table: str) -> None:
    if not dialect.is_postgresql:
        columns = STAGING_INDEXES[table]
        cursor.execute(f"CREATE INDEX {table}_lookup ON {table} ({', '.join(columns)})")


def part_average_create(cursor, dialect: Dialect, peer_rows: str, params: dict) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {dialect.staging_table('kpi_part_average')}")
    cursor.execute(part_average_statement(peer_rows, dialect), params)
    index(cursor, dialect, "kpi_part_average")
    analyze(cursor, dialect, "kpi_part_average")


def rows_replace(
    cursor, dialect: Dialect, stage: StagingQueries, *, model, columns, staged
) -> tuple[int, int, int]:
    """Store the staged rows: insert the new, update the changed, delete the gone.

    One hash join of staged against stored rows finds what differs, so unchanged rows
    cost a comparison, not a write. No other writer can interleave (advisory lock on
    PostgreSQL, IMMEDIATE transactions on SQLite), so the diff needs no ON CONFLICT.
    A write that inserted or deleted a large share of the rows (a first build) refreshes
    the table's planner statistics: PostgreSQL would otherwise plan the next refresh for
    the empty table it last sampled (a nested loop over every row, seconds instead of
    milliseconds) until autovacuum gets to it.
    Returns (rows written, rows deleted, rows staged).
    """
    table = model._meta.db_table
    keys = [c for c in columns if c in ("supplier_id", "part_id", "period")]
    cursor.execute(f"SELECT COUNT(*) FROM {stage.stored_rows(table)} stored", stage.params)
    stored_in_scope = cursor.fetchone()[0]
    _changed_stage(cursor, dialect, stage, model=model, columns=columns, keys=keys, staged=staged)
    inserted, updated = _changed_write(cursor, table=table, columns=columns, keys=keys)
    cursor.execute(f"SELECT COUNT(*) FROM {staged}")
    staged_count = cursor.fetchone()[0]
    deleted = 0
    # Every stored row in scope matched a staged one: nothing to delete, skip the anti-join.
    if stored_in_scope > staged_count - inserted:
        deleted = _gone_delete(cursor, stage, table=table, keys=keys, staged=staged)
    cursor.execute(f"DROP TABLE {dialect.staging_table('kpi_changed')}")
    if inserted + deleted > max(STALE_SHARE * staged_count, STALE_ROWS):
        analyze(cursor, dialect, table)
    return inserted + updated, deleted, staged_count


def _changed_stage(
    cursor, dialect: Dialect, stage: StagingQueries, *, model, columns, keys, staged
) -> None:
    """`kpi_changed`: the staged rows that are new (no `stored_id`) or differ. Every staged
    row lies in scope, so only the stored rows in scope can match one."""
    table = model._meta.db_table
    match = " AND ".join(f"stored.{k} = staged.{k}" for k in keys)
    changed = " OR ".join(
        _differs(dialect, model, f"stored.{c}", f"staged.{c}", c) for c in columns if c not in keys
    )
    cursor.execute(f"DROP TABLE IF EXISTS {dialect.staging_table('kpi_changed')}")
    cursor.execute(
        f"""
        {dialect.create_staging} kpi_changed AS
        SELECT {", ".join(f"staged.{c}" for c in columns)}, stored.id AS stored_id
        FROM {staged} staged
        LEFT JOIN {stage.stored_rows(table)} stored ON {match}
        WHERE stored.id IS NULL OR {changed}
        """,
        stage.params,
    )
    analyze(cursor, dialect, "kpi_changed")  # so a few changed rows update by primary key


def _changed_write(cursor, *, table: str, columns, keys) -> tuple[int, int]:
    """Insert the new rows of `kpi_changed` and update the changed; (inserted, updated)."""
    now = {"now": _datetime(timezone.now())}
    cursor.execute(
        f"""
        INSERT INTO {table} ({", ".join(columns)}, computed_at)
        SELECT {", ".join(columns)}, %(now)s FROM kpi_changed WHERE stored_id IS NULL
        """,
        now,
    )
    inserted = max(cursor.rowcount, 0)
    updates = ", ".join(f"{c} = changed.{c}" for c in columns if c not in keys)
    cursor.execute(
        f"""
        UPDATE {table} SET {updates}, computed_at = %(now)s
        FROM kpi_changed changed WHERE {table}.id = changed.stored_id
        """,
        now,
    )
    return inserted, max(cursor.rowcount, 0)


def _gone_delete(cursor, stage: StagingQueries, *, table: str, keys, staged: str) -> int:
    """Delete the stored rows in scope that have no staged row any more."""
    staged_match = " AND ".join(f"staged.{k} = stored.{k}" for k in keys)
    cursor.execute(
        f"""
        DELETE FROM {table}
        WHERE id IN (
            SELECT stored.id FROM {stage.stored_rows(table)} stored
            WHERE NOT EXISTS (SELECT 1 FROM {staged} staged WHERE {staged_match}))
        """,
        stage.params,
    )
    return max(cursor.rowcount, 0)


def _differs(dialect: Dialect, model, stored: str, staged: str, column: str) -> str:
    """A stored figure differs from its recomputed value.

    Doubles summed in another order differ in the last bits; a relative 1e-9 is far below
    the 6–8 decimals anyone sees, so such noise does not rewrite the row every night.
    """
    distinct = dialect.is_distinct(stored, staged)
    field = model._meta.get_field(column.removesuffix("_id"))
    if not isinstance(field, models.FloatField):
        return distinct
    return (
        f"({distinct} AND ({stored} IS NULL OR {staged} IS NULL"
        f" OR ABS({stored} - {staged}) > 1e-9 * (1 + ABS({staged}))))"
    )


def scores_update(cursor, dialect: Dialect, *, restrict_to_target: bool) -> int:
    """Landed cost index, composite score and grade of stored supplier rows, from the
    stored part rows: all of them, or those in `kpi_target`."""
    supplier_rows = SupplierScorecard._meta.db_table
    part_rows = PartScorecard._meta.db_table
    own_rows = peer_rows = part_rows
    target_join = ""
    if restrict_to_target:
        target_join = "JOIN kpi_target t ON t.supplier_id = sc.supplier_id AND t.period = sc.period"
        own_rows, peer_rows = _target_rows(cursor, dialect)
    source = f"""
        SELECT sc.id, sc.supplier_id, sc.otd_pct, sc.defect_ppm, sc.lead_time_mean_days,
               cost.landed_cost_index
        FROM {supplier_rows} sc
        {target_join}
        LEFT JOIN ({landed_cost_index_select(own_rows)}) cost
               ON cost.supplier_id = sc.supplier_id AND cost.period = sc.period
    """
    changed = " OR ".join(
        _differs(dialect, SupplierScorecard, f"{supplier_rows}.{c}", f"scored.{c}", c)
        for c in _SCORE_COLUMNS
    )
    part_average_create(cursor, dialect, peer_rows, {})
    cursor.execute(
        f"""
        UPDATE {supplier_rows}
        SET {", ".join(f"{c} = scored.{c}" for c in _SCORE_COLUMNS)}, computed_at = %(now)s
        FROM ({scores_select(source, ["id", "supplier_id", "landed_cost_index"], dialect)}) scored
        WHERE {supplier_rows}.id = scored.id AND ({changed})
        """,
        {"true": True, "now": _datetime(timezone.now())},
    )
    updated = max(cursor.rowcount, 0)
    cursor.execute(f"DROP TABLE {dialect.staging_table('kpi_part_average')}")
    return updated


def _target_rows(cursor, dialect: Dialect) -> tuple[str, str]:
    """The stored part rows of the (supplier, period) rows in `kpi_target`, and those of
    every source of the same parts in the same periods (the landed cost benchmark)."""
    part_rows = PartScorecard._meta.db_table
    if dialect.is_postgresql and _row_count(cursor, "kpi_target") <= FEW_TARGETS:
        # A posting's refresh: a few suppliers' rows, read by index (the planner would
        # hash the whole part table otherwise); the fence keeps each look-up apart.
        own_rows = f"""(SELECT o.* FROM kpi_target t CROSS JOIN LATERAL (
            SELECT * FROM {part_rows} o WHERE o.supplier_id = t.supplier_id
              AND o.period = t.period{dialect.fence}) o{dialect.fence})"""
        needed = f"(SELECT DISTINCT o.part_id, o.period FROM {own_rows} o) needed"
        peer_rows = f"""(SELECT p.* FROM {needed} CROSS JOIN LATERAL (
            SELECT * FROM {part_rows} p
            WHERE p.part_id = needed.part_id AND p.period = needed.period{dialect.fence}) p)"""
        return own_rows, peer_rows
    own_rows = f"""(SELECT o.* FROM {part_rows} o
        JOIN kpi_target t ON t.supplier_id = o.supplier_id AND t.period = o.period)"""
    needed = f"(SELECT DISTINCT o.part_id, o.period FROM {own_rows} o) needed"
    peer_rows = f"""(SELECT p.* FROM {part_rows} p JOIN {needed}
          ON needed.part_id = p.part_id AND needed.period = p.period)"""
    return own_rows, peer_rows


def _row_count(cursor, table: str) -> int:
    cursor.execute(f"SELECT COUNT(*) FROM {table}")
    return cursor.fetchone()[0]


def _datetime(value: dt.datetime):
    return connection.ops.adapt_datetimefield_value(value)
