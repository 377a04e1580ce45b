"""Scorecard writes: recompute KPIs set-based in the database and store them.

`scorecard_recompute` is the one entry point for the nightly run, the refresh after a
receipt/inspection/line change, the management command and the tests. It stages the facts
and figures (`scorecards.queries`), then writes each table with a set-based diff:
one hash join finds the staged rows that are new or changed, an
INSERT … SELECT … ON CONFLICT DO UPDATE upserts only those, and a DELETE removes stored
rows in scope that lost their last fact (skipped when the counts show there are none).
A nightly run over unchanged facts therefore writes almost nothing.

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

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone

from core import task_names
from core.services import model_update
from core.tasks import task_queue_safely
from outbox import services as outbox_services
from scorecards import kpis, outbox
from scorecards.dialect import Dialect
from scorecards.models import (
    PartScorecard,
    ScorecardAssignment,
    ScorecardTemplate,
    SupplierScorecard,
)
from scorecards.queries import (
    STAGING_INDEXES,
    STAGING_TABLES,
    VALUE_EXPRESSIONS,
    Scope,
    StagingQueries,
)
from scorecards.scoring import landed_cost_index_select, part_average_statement, scores_select

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
_FIGURES = (
    "lines_due",
    "lines_in_full",
    "ordered_quantity",
    "on_time_quantity",
    "receipts_count",
    "quantity_received",
    "priced_receipts_count",
    "fx_missing_receipts",
    "priced_quantity",
    "landed_cost_total",
    "inspections_count",
    "units_inspected",
    "units_defective",
    *VALUE_EXPRESSIONS,
    "lead_time_p90_days",
)
_PART_COLUMNS = (
    "supplier_id",
    "part_id",
    "period",
    "period_start",
    "period_end",
    *_FIGURES,
    "landed_unit_cost",
)
_SUPPLIER_COLUMNS = (
    "supplier_id",
    "period",
    "period_start",
    "period_end",
    *_FIGURES,
    "landed_cost_index",
    "composite_score",
    "grade",
    "template_id",
)
_SCORE_COLUMNS = ("landed_cost_index", "composite_score", "grade", "template_id")


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
    params = stage.params
    report = progress or (lambda step: None)
    with transaction.atomic(), connection.cursor() as cursor:
        _session_prepare(cursor, dialect)
        if scope.is_everything:
            # Before any fact is read: a mark committed later stays for the next refresh.
            outbox.marks_clear()
            outbox.scores_claim()
            outbox.as_of_set(scope.as_of)
        _staging_drop(cursor, dialect)
        if stage.by_cells:
            _cells_stage(cursor, dialect, stage)
        cursor.execute(stage.tolerance_statement(), params)
        _index(cursor, dialect, "kpi_tolerance")
        _analyze(cursor, dialect, "kpi_tolerance")  # so the big join hashes this small side
        report("Contract tolerances")
        cursor.execute(stage.receipt_dates_statement(), params)
        first, last = cursor.fetchone()
        cursor.execute(stage.fx_table_statement())
        if first is not None:
            cursor.execute(stage.fx_statement(), {**params, "fx_first": first, "fx_last": last})
        _index(cursor, dialect, "kpi_fx")
        _analyze(cursor, dialect, "kpi_fx")
        cursor.execute(stage.delivery_statement(), params)
        _analyze(cursor, dialect, "kpi_delivery")
        report("Deliveries")

        cursor.execute(stage.period_statement())
        cursor.execute(stage.fact_dates_statement())
        periods = stage.period_rows(cursor.fetchone())
        cursor.execute(
            "INSERT INTO kpi_period (period_key, period, period_start, period_end) VALUES "
            + ", ".join(["(%s, %s, %s, %s)"] * len(periods)),
            [v for key, p, start, end in periods for v in (key, p, _date(start), _date(end))],
        )
        _analyze(cursor, dialect, "kpi_period")  # a few dozen rows: joined by hash, not sort
        report("Periods")

        for statement, table in (
            (stage.line_sums_statement(), "kpi_line_sums"),
            (stage.receipt_sums_statement(), "kpi_receipt_sums"),
            (stage.inspection_sums_statement(), "kpi_inspection_sums"),
            (stage.part_statement(), "kpi_part"),
        ):
            cursor.execute(statement, params)
            _analyze(cursor, dialect, table)
        report("Part sums")
        cursor.execute(stage.supplier_percentile_statement(), params)
        _part_average_create(cursor, dialect, stage.peer_part_rows(), params)
        cursor.execute(stage.supplier_result_statement(), params)
        report("Supplier sums and scores")
        if not scope.is_everything:
            cursor.execute(_other_sources_statement(stage), params)
            _analyze(cursor, dialect, "kpi_target")

        part_written, part_deleted, part_rows = _rows_replace(
            cursor, dialect, stage, model=PartScorecard, columns=_PART_COLUMNS, staged="kpi_part"
        )
        report("Part scorecards")
        supplier_written, supplier_deleted, supplier_rows = _rows_replace(
            cursor,
            dialect,
            stage,
            model=SupplierScorecard,
            columns=_SUPPLIER_COLUMNS,
            staged="kpi_supplier_result",
        )
        report("Supplier scorecards")
        rescored = 0
        if not scope.is_everything:
            rescored = _scores_update(cursor, dialect, restrict_to_target=True)
        report("Other sources re-scored")
        _staging_drop(cursor, dialect)

    touched = _suppliers_touched(scope)
    return RecomputeResult(
        as_of=scope.as_of,
        supplier_count=None if touched is None else len(touched),
        part_rows=part_rows,
        supplier_rows=supplier_rows,
        rows_written=part_written + supplier_written + rescored,
        rows_deleted=part_deleted + supplier_deleted,
        seconds=round(time.perf_counter() - started, 3),
        supplier_ids=touched,
    )


def scorecard_templates_changed() -> None:
    """A template or assignment changed: the outbox records it in the caller's transaction
    and the engine pipeline re-scores once it commits (or at its next beat run)."""
    outbox_services.rescore_mark()
    transaction.on_commit(
        lambda: task_queue_safely(task_names.PIPELINE, None, timezone.now().isoformat())
    )


def scorecard_scores_refresh() -> int:
    """Re-score every supplier row (landed cost index, composite, grade), e.g. after a
    template changed. The KPI figures themselves stay as they are."""
    dialect = Dialect(connection.vendor)
    with transaction.atomic(), connection.cursor() as cursor:
        _session_prepare(cursor, dialect)
        outbox.scores_claim()
        return _scores_update(cursor, dialect, restrict_to_target=False)


# --- steps ---------------------------------------------------------------------------


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
    for i in range(0, len(rows), 500):
        chunk = rows[i : i + 500]
        cursor.execute(
            "INSERT INTO kpi_cell (supplier_id, period_key, period, starts, ends, dense) VALUES "
            + ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(chunk)),
            [v for row in chunk for v in row],
        )
    _index(cursor, dialect, "kpi_cell")
    _analyze(cursor, dialect, "kpi_cell")
    cursor.execute(stage.cell_line_statement(), stage.params)
    _index(cursor, dialect, "kpi_cell_line")
    _analyze(cursor, dialect, "kpi_cell_line")


def _session_prepare(cursor, dialect: Dialect) -> None:
    """PostgreSQL: one recompute at a time, with RECOMPUTE_SETTINGS."""
    if dialect.is_postgresql:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])
        for setting, value in RECOMPUTE_SETTINGS.items():
            cursor.execute(f"SET LOCAL {setting} = {value}")


def _analyze(cursor, dialect: Dialect, table: str) -> None:
    if dialect.is_postgresql:
        cursor.execute(f"ANALYZE {table}")


def _index(cursor, dialect: Dialect, table: str) -> None:
    if not dialect.is_postgresql:
        columns = STAGING_INDEXES[table]
        cursor.execute(f"CREATE INDEX {table}_lookup ON {table} ({', '.join(columns)})")


def _part_average_create(cursor, dialect: Dialect, peer_rows: str, params: dict) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {dialect.staging_table('kpi_part_average')}")
    cursor.execute(part_average_statement(peer_rows, dialect), params)
    _index(cursor, dialect, "kpi_part_average")
    _analyze(cursor, dialect, "kpi_part_average")


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
            SELECT part_id, period FROM {part}
            WHERE {stage.stored_filter(part)}
            UNION
            SELECT part_id, period FROM kpi_part
        ) touched ON touched.part_id = other.part_id AND touched.period = other.period
        WHERE {stage.stored_other_filter("other")}
    """


def _rows_replace(
    cursor, dialect: Dialect, stage: StagingQueries, *, model, columns, staged
) -> tuple[int, int, int]:
    """Store the staged rows: insert the new, update the changed, delete the gone.

    One hash join of staged against stored rows finds what differs, so unchanged rows
    cost a comparison, not a write. No other writer can interleave (advisory lock on
    PostgreSQL, IMMEDIATE transactions on SQLite), so the diff needs no ON CONFLICT.
    Returns (rows written, rows deleted, rows staged).
    """
    table = model._meta.db_table
    keys = [c for c in columns if c in ("supplier_id", "part_id", "period")]
    match = " AND ".join(f"stored.{k} = staged.{k}" for k in keys)
    changed = " OR ".join(
        _differs(dialect, model, f"stored.{c}", f"staged.{c}", c) for c in columns if c not in keys
    )
    in_scope = stage.stored_filter(table)
    params = stage.params
    now = {"now": _datetime(timezone.now())}

    cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE {in_scope}", params)
    stored_in_scope = cursor.fetchone()[0]
    cursor.execute(f"DROP TABLE IF EXISTS {dialect.staging_table('kpi_changed')}")
    cursor.execute(
        f"""
        {dialect.create_staging} kpi_changed AS
        SELECT {", ".join(f"staged.{c}" for c in columns)}, stored.id AS stored_id
        FROM {staged} staged
        LEFT JOIN {table} stored ON {match}
        WHERE stored.id IS NULL OR {changed}
        """
    )
    _analyze(cursor, dialect, "kpi_changed")  # so a few changed rows update by primary key
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
    updated = max(cursor.rowcount, 0)
    cursor.execute(f"SELECT COUNT(*) FROM {staged}")
    staged_count = cursor.fetchone()[0]
    deleted = 0
    # Every stored row in scope matched a staged one: nothing to delete, skip the anti-join.
    if stored_in_scope > staged_count - inserted:
        staged_match = " AND ".join(f"staged.{k} = {table}.{k}" for k in keys)
        cursor.execute(
            f"""
            DELETE FROM {table}
            WHERE {in_scope}
              AND NOT EXISTS (SELECT 1 FROM {staged} staged WHERE {staged_match})
            """,
            params,
        )
        deleted = max(cursor.rowcount, 0)
    cursor.execute(f"DROP TABLE {dialect.staging_table('kpi_changed')}")
    return inserted + updated, deleted, staged_count


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


def _scores_update(cursor, dialect: Dialect, *, restrict_to_target: bool) -> int:
    """Landed cost index, composite score and grade of stored supplier rows, from the
    stored part rows: all of them, or those in `kpi_target`."""
    supplier_rows = SupplierScorecard._meta.db_table
    part_rows = PartScorecard._meta.db_table
    own_rows = peer_rows = part_rows
    target_join = ""
    if restrict_to_target:
        target_join = "JOIN kpi_target t ON t.supplier_id = sc.supplier_id AND t.period = sc.period"
        own_rows = f"""(SELECT o.* FROM {part_rows} o
            JOIN kpi_target t ON t.supplier_id = o.supplier_id AND t.period = o.period)"""
        peer_rows = f"""(SELECT p.* FROM {part_rows} p
            JOIN (SELECT DISTINCT o.part_id, o.period FROM {own_rows} o) needed
              ON needed.part_id = p.part_id AND needed.period = p.period)"""
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
    _part_average_create(cursor, dialect, peer_rows, {})
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


def _suppliers_touched(scope: Scope) -> tuple[int, ...] | None:
    """The suppliers a recompute rebuilt (None: every supplier)."""
    if scope.cells is not None:
        return tuple(sorted({supplier_id for supplier_id, _ in scope.cells}))
    return None if scope.supplier_ids is None else tuple(scope.supplier_ids)


def _date(value: dt.date):
    return connection.ops.adapt_datefield_value(value)


def _datetime(value: dt.datetime):
    return connection.ops.adapt_datetimefield_value(value)


# --- templates and assignments ----------------------------------------------------------
# How KPIs score is an input of every stored composite and grade: each change re-scores
# every supplier row once the transaction commits (the KPI figures themselves stay).

TEMPLATE_FIELDS = [
    f.name for f in ScorecardTemplate._meta.concrete_fields if f.name not in ("id", "updated_at")
]


def scorecard_rescore_queue() -> None:
    scorecard_templates_changed()


def _default_take_over(template: ScorecardTemplate) -> None:
    # One default at a time: the template made default takes over from the old one.
    ScorecardTemplate.objects.filter(is_default=True).exclude(pk=template.pk).update(
        is_default=False
    )


@transaction.atomic
def scorecard_template_create(*, name: str, actor=None, **fields) -> ScorecardTemplate:
    template = ScorecardTemplate(name=name, **fields)
    template.full_clean(validate_constraints=False)
    if template.is_default:
        _default_take_over(template)
    template.full_clean()
    template.save()
    scorecard_rescore_queue()
    return template


@transaction.atomic
def scorecard_template_update(
    *, template: ScorecardTemplate, data: dict, actor=None
) -> ScorecardTemplate:
    """Change floors, targets, weights or the default flag; the scores follow on commit."""
    if template.is_default and data.get("is_default") is False:
        raise ValidationError(
            {"is_default": "Make another template the default instead; one is always needed."}
        )
    if data.get("is_default") and not template.is_default:
        _default_take_over(template)
    _, changed = model_update(instance=template, fields=TEMPLATE_FIELDS, data=data)
    if changed:
        scorecard_rescore_queue()
    return template


@transaction.atomic
def scorecard_template_delete(*, template: ScorecardTemplate, actor=None) -> None:
    if template.is_default:
        raise ValidationError(
            {"is_default": "The default template scores every unassigned supplier; it stays."}
        )
    template.delete()  # its suppliers fall back to the default
    scorecard_rescore_queue()


@transaction.atomic
def scorecard_assignment_set(
    *, supplier, template: ScorecardTemplate, actor=None
) -> ScorecardAssignment:
    """Score a supplier with this template (replacing its previous one)."""
    assignment, created = ScorecardAssignment.objects.get_or_create(
        supplier=supplier, defaults={"template": template}
    )
    if not created and assignment.template_id != template.pk:
        assignment.template = template
        assignment.save(update_fields=["template"])
    elif not created:
        return assignment
    scorecard_rescore_queue()
    return assignment


@transaction.atomic
def scorecard_assignment_update(
    *, assignment: ScorecardAssignment, data: dict, actor=None
) -> ScorecardAssignment:
    _, changed = model_update(instance=assignment, fields=["supplier", "template"], data=data)
    if changed:
        scorecard_rescore_queue()
    return assignment


@transaction.atomic
def scorecard_assignment_delete(*, assignment: ScorecardAssignment, actor=None) -> None:
    """The supplier goes back to the default template."""
    assignment.delete()
    scorecard_rescore_queue()
