"""The trailing figures of every supplier and (part, supplier) as of one day, computed in
the database: a handful of set-based GROUP BY statements per as-of day, whatever the
number of lines scored (docs/prediction.md).

Each statement reads only facts dated on or before the as-of day: lines ordered by then,
with the promise known then (the confirmed date once acknowledged by then, else the
requested date), receipts dated by then. Dates are compared as whole day numbers (days
since 1970-01-01); a line's tolerance window is its supplier's contract valid on the
promise (the latest-starting one), joined from a small list of per-supplier segments.
"""

import contextlib
import dataclasses
import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from contracts.models import Contract
from prediction.facts import day_number, day_of
from scorecards import kpis

WINDOWS = (90, 365)
# Open lines promised longer ago than this no longer count as load on the supplier.
OPEN_LOAD_DAYS = 60
FAR = 10**7  # day number of an open-ended contract's end


@dataclass
class Trailing:
    """Figures as of one day: per (supplier_id, part_id), per supplier_id, the quantity
    booked per (supplier_id, part_id, month of promise) and the late share of all lines."""

    pairs: pd.DataFrame
    suppliers: pd.DataFrame
    booked: pd.Series
    overall_late: float


def _sql_day(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"({column} - DATE '1970-01-01')"
    return f"CAST(julianday({column}) - 2440587.5 AS INTEGER)"


def _sql_month(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(EXTRACT(YEAR FROM {column}) * 12 + EXTRACT(MONTH FROM {column}) AS INTEGER)"
    year, month = (f"CAST(strftime('%%{f}', {column}) AS INTEGER)" for f in "Ym")
    return f"({year} * 12 + {month})"


def _float(column: str) -> str:
    kind = "DOUBLE PRECISION" if connection.vendor == "postgresql" else "REAL"
    return f"CAST({column} AS {kind})"


def tolerance_segments() -> list[tuple[int, int, int, int, int]]:
    """Each supplier's timeline cut where a contract starts or ends, every piece with the
    tolerances of the latest-starting contract valid on it: (supplier, first day, last
    day, early, late). Days no contract covers are left out (the defaults apply)."""
    rows = Contract.objects.values_list(
        "supplier_id", "valid_from", "valid_to", "early_tolerance_days", "late_tolerance_days", "pk"
    )
    by_supplier: dict[int, list] = {}
    for supplier, start, end, early, late, pk in rows:
        last = day_number(end) if end is not None else FAR
        by_supplier.setdefault(supplier, []).append((day_number(start), last, early, late, pk))
    segments = []
    for supplier, contracts in by_supplier.items():
        cuts = sorted({c[0] for c in contracts} | {c[1] + 1 for c in contracts if c[1] < FAR})
        for first, following in zip(cuts, [*cuts[1:], FAR + 1], strict=True):
            valid = [c for c in contracts if c[0] <= first and c[1] >= first]
            if valid:
                _, _, early, late, _ = max(valid, key=lambda c: (c[0], c[4]))
                segments.append((supplier, first, following - 1, early, late))
    return segments


def _tolerance_cte(segments) -> str:
    if not segments:
        return "tol(supplier_id, first_day, last_day, early, late) AS (SELECT 0, 0, -1, 0, 0)"
    values = ",".join("({},{},{},{},{})".format(*map(int, s)) for s in segments)
    return f"tol(supplier_id, first_day, last_day, early, late) AS (VALUES {values})"


def _params(as_of: int, **extra) -> dict:
    """The as-of day as a date, its end as a date-time (acknowledged before it), and day numbers."""
    day = day_of(as_of)
    tz = ZoneInfo(settings.TIME_ZONE)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    ops = connection.ops
    params = {
        "as_of": as_of,
        "day": ops.adapt_datefield_value(day),
        "end": ops.adapt_datetimefield_value(end),
    }
    for name, value in extra.items():
        params[name] = ops.adapt_datefield_value(value) if isinstance(value, dt.date) else value
    return params


@dataclass(frozen=True)
class Reads:
    """Where the statements read: the fact tables (or a sample's copies of them, see
    `sample_tables`) and a condition keeping some suppliers' orders (`po`)."""

    only: str = ""
    line: str = "purchasing_purchaseorderline"
    order: str = "purchasing_purchaseorder"
    receipt: str = "purchasing_receipt"

    @property
    def settings(self) -> dict:
        """`SESSION`, and for reads of every supplier no nested loops: the planner
        underestimates the lines a window keeps (a date OR another) and would look each
        one's order and receipts up by key, where hashing every row is several times faster."""
        return SESSION if self.only else {**SESSION, "enable_nestloop": "off"}


def _reads(supplier_ids, tables: "Reads | None") -> Reads:
    """These suppliers' facts (all: None), from `tables` when a sample copied them."""
    tables = tables or Reads()
    if supplier_ids is None:
        return tables
    ids = ",".join(str(int(i)) for i in sorted(supplier_ids)) or "NULL"
    return dataclasses.replace(tables, only=f" AND po.supplier_id IN ({ids})")


_SAMPLE = ("prediction_sample_order", "prediction_sample_line", "prediction_sample_receipt")


@contextlib.contextmanager
def sample_tables(supplier_ids, cache: dict):
    """While a training reads a sample of suppliers (`supplier_ids`), their orders, lines
    and receipts copied once into temporary tables, so the figures of each of its scoring
    times read the sample's rows, not the whole history (`cache["tables"]`). Nothing for
    every supplier, or when an outer training already copied them."""
    if supplier_ids is None or "tables" in cache:
        yield
        return
    order, line, receipt = _SAMPLE
    ids = ",".join(str(int(i)) for i in sorted(supplier_ids)) or "NULL"
    statements = [
        *(f"DROP TABLE IF EXISTS {name}" for name in _SAMPLE),
        f"CREATE TEMPORARY TABLE {order} AS SELECT * FROM purchasing_purchaseorder"
        f" WHERE supplier_id IN ({ids})",
        f"CREATE TEMPORARY TABLE {line} AS SELECT l.* FROM purchasing_purchaseorderline l"
        f" JOIN {order} po ON po.id = l.purchase_order_id",
        f"CREATE TEMPORARY TABLE {receipt} AS SELECT r.* FROM purchasing_receipt r"
        f" JOIN {line} l ON l.id = r.line_id",
        f"CREATE INDEX {order}_id ON {order} (id)",
        f"CREATE INDEX {line}_order ON {line} (purchase_order_id)",
        f"CREATE INDEX {receipt}_line ON {receipt} (line_id)",
    ]
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {order}, {line}, {receipt}")
    cache["tables"] = Reads(order=order, line=line, receipt=receipt)
    try:
        yield
    finally:
        cache.pop("tables")
        # After a failed statement inside a transaction, the copies go with its rollback:
        # the original error is the one to see.
        with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
            for name in _SAMPLE:
                cursor.execute(f"DROP TABLE IF EXISTS {name}")


def _known_lines(since: str, reads: Reads) -> str:
    """Lines ordered by the as-of day with their promise then, promised (either date) after
    `since` (a parameter name)."""
    promise = "CASE WHEN l.acknowledged_at < %(end)s THEN l.promised_date ELSE l.requested_date END"
    return f"""
        SELECT l.id, po.supplier_id, l.part_id, {_float("l.quantity")} AS q,
               {_sql_day(promise)} AS p, {_sql_month(promise)} AS month
        FROM {reads.line} l
        JOIN {reads.order} po ON po.id = l.purchase_order_id
        WHERE l.status <> 'cancelled' AND po.order_date <= %(day)s
          AND (l.promised_date > %({since})s OR l.requested_date > %({since})s){reads.only}"""


# PostgreSQL session settings for these statements: room for their hash aggregates and
# sorts in memory, and no JIT compilation (it costs more than it saves on them).
SESSION = {"work_mem": "'256MB'", "jit": "off"}


def _query(sql: str, params: dict, columns: list[str], reads: Reads) -> pd.DataFrame:
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for setting, value in reads.settings.items():
                cursor.execute(f"SET LOCAL {setting} = {value}")
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    frame = pd.DataFrame(rows, columns=columns)
    kinds = {c: np.int64 if c.endswith("_id") or c == "month" else float for c in columns}
    return frame.astype(kinds)


def _due(as_of: int, segments, reads: Reads) -> pd.DataFrame:
    """Per (supplier, part): lines promised in each trailing window, their ordered and
    on-time quantity (received in the tolerance window by the as-of day, at most the
    ordered quantity) and how many were on time in full."""
    sums = []
    for n in WINDOWS:
        inside = f"z.p > %(as_of)s - {n}"
        sums.append(
            f"SUM(CASE WHEN {inside} THEN 1 ELSE 0 END), SUM(CASE WHEN {inside} THEN z.q END), "
            f"SUM(CASE WHEN {inside} THEN z.ot END), "
            f"SUM(CASE WHEN {inside} AND z.ot >= z.q THEN 1 ELSE 0 END)"
        )
    receipt_day = _sql_day("r.receipt_date")
    sql = f"""
        WITH {_tolerance_cte(segments)},
        x AS ({_known_lines("since", reads)}),
        y AS (
            SELECT x.id, x.supplier_id, x.part_id, x.q, x.p,
                   COALESCE(t.early, %(early)s) AS e, COALESCE(t.late, %(late)s) AS lt
            FROM x LEFT JOIN tol t
              ON t.supplier_id = x.supplier_id AND x.p BETWEEN t.first_day AND t.last_day
            WHERE x.p > %(as_of)s - {max(WINDOWS)} AND x.p <= %(as_of)s
        ),
        w AS (
            SELECT y.id, y.supplier_id, y.part_id, y.q, y.p,
                   COALESCE(SUM(CASE WHEN {receipt_day} - y.p BETWEEN -y.e AND y.lt
                                THEN {_float("r.quantity")} END), 0) AS inside
            FROM y LEFT JOIN {reads.receipt} r
              ON r.line_id = y.id AND r.receipt_date <= %(day)s
             AND r.receipt_date > %(first_receipt)s
            GROUP BY y.id, y.supplier_id, y.part_id, y.q, y.p
        ),
        z AS (
            SELECT supplier_id, part_id, q, p,
                   CASE WHEN inside > q THEN q ELSE inside END AS ot FROM w
        )
        SELECT z.supplier_id, z.part_id, {", ".join(sums)}
        FROM z GROUP BY z.supplier_id, z.part_id"""
    # A receipt before the longest window's first day, less the widest early tolerance,
    # falls inside no line's tolerance window: the join leaves it out.
    widest = max([kpis.DEFAULT_EARLY_TOLERANCE_DAYS, *(int(s[3]) for s in segments)])
    params = _params(
        as_of,
        since=day_of(as_of - max(WINDOWS)),
        first_receipt=day_of(as_of - max(WINDOWS) - widest),
        early=kpis.DEFAULT_EARLY_TOLERANCE_DAYS,
        late=kpis.DEFAULT_LATE_TOLERANCE_DAYS,
    )
    names = [f"{kind}_{n}" for n in WINDOWS for kind in ("lines", "ordered", "on_time", "full")]
    return _query(sql, params, ["supplier_id", "part_id", *names], reads)


PAIR = ("supplier_id", "part_id")


def _quantiles(sql: str, params: dict, reads: Reads, q: float, flag=None, whole=False):
    """Mean and `value` quantile (linear interpolation) per (supplier, part) and, with
    `whole`, per supplier, over the rows `sql` selects (supplier_id, part_id, value and,
    with `flag`, a 0/1 column): on PostgreSQL in the database (one statement, grouping
    sets), on SQLite (small data) in pandas. One column per subset: all rows, flagged ones."""
    subsets = {"all": "TRUE", **({flag: f"{flag} = 1"} if flag else {})}
    names = [f"{kind}_{name}" for name in subsets for kind in ("mean", "quantile")]
    if connection.vendor == "postgresql":
        figures = ", ".join(
            f"AVG(value) FILTER (WHERE {cond}), "
            f"percentile_cont({q}) WITHIN GROUP (ORDER BY value) FILTER (WHERE {cond})"
            for cond in subsets.values()
        )
        sets = "(supplier_id, part_id), (supplier_id)" if whole else "(supplier_id, part_id)"
        grouped = f"""SELECT supplier_id, COALESCE(part_id, 0), GROUPING(part_id), {figures}
                      FROM ({sql}) s GROUP BY GROUPING SETS ({sets})"""
        found = _query(grouped, params, [*PAIR, "level_id", *names], reads)
        pairs = found[found["level_id"] == 0].set_index(list(PAIR))[names]
        suppliers = found[found["level_id"] == 1].set_index("supplier_id")[names]
        return pairs, suppliers
    rows = _query(sql, params, [*PAIR, "value", *([flag] if flag else [])], reads)
    levels = []
    for keys in (list(PAIR), ["supplier_id"]):
        out = {}
        for name in subsets:
            chosen = rows if name == "all" else rows[rows[name] == 1]
            grouped = chosen.groupby(keys)["value"]
            out[f"mean_{name}"], out[f"quantile_{name}"] = grouped.mean(), grouped.quantile(q)
        levels.append(pd.DataFrame(out, columns=names))
    return tuple(levels)


def _lead_times(as_of: int, reads: Reads) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Lead time (receipt − order date) of the receipts dated in the trailing windows, per
    (supplier, part) and per supplier."""
    shorter = min(WINDOWS)
    sql = f"""
        SELECT po.supplier_id, l.part_id,
               {_sql_day("r.receipt_date")} - {_sql_day("po.order_date")} AS value,
               CASE WHEN r.receipt_date > %(recent)s THEN 1 ELSE 0 END AS recent
        FROM {reads.receipt} r
        JOIN {reads.line} l ON l.id = r.line_id
        JOIN {reads.order} po ON po.id = l.purchase_order_id
        WHERE r.receipt_date > %(since)s AND r.receipt_date <= %(day)s
          AND l.status <> 'cancelled' AND po.order_date <= %(day)s{reads.only}"""
    params = _params(as_of, since=day_of(as_of - max(WINDOWS)), recent=day_of(as_of - shorter))
    names = {
        "mean_recent": f"lt_mean_{shorter}",
        "quantile_recent": f"lt_p90_{shorter}",
        "mean_all": f"lt_mean_{max(WINDOWS)}",
        "quantile_all": f"lt_p90_{max(WINDOWS)}",
    }
    pairs, suppliers = _quantiles(sql, params, reads, 0.9, flag="recent", whole=True)
    return pairs.rename(columns=names), suppliers.rename(columns=names)


def _median_quantity(as_of: int, reads: Reads) -> pd.Series:
    """Median quantity per (supplier, part) of the lines ordered in the last 365 days."""
    sql = f"""
        SELECT po.supplier_id, l.part_id, {_float("l.quantity")} AS value
        FROM {reads.line} l
        JOIN {reads.order} po ON po.id = l.purchase_order_id
        WHERE l.status <> 'cancelled' AND po.order_date <= %(day)s
          AND po.order_date > %(since)s{reads.only}"""
    params = _params(as_of, since=day_of(as_of - 365))
    return _quantiles(sql, params, reads, 0.5)[0]["quantile_all"]


def _load(as_of: int, since: int, reads: Reads) -> pd.DataFrame:
    """Per (supplier, part, month of promise), for lines promised from `since` on: the
    quantity booked, and what remains to receive of those still open as of the day and
    promised in the last `OPEN_LOAD_DAYS` or later."""
    sql = f"""
        WITH x AS ({_known_lines("since", reads)}),
        w AS (
            SELECT x.id, x.supplier_id, x.part_id, x.q, x.p, x.month,
                   COALESCE(SUM({_float("r.quantity")}), 0) AS received
            FROM x LEFT JOIN {reads.receipt} r
              ON r.line_id = x.id AND r.receipt_date <= %(day)s
            GROUP BY x.id, x.supplier_id, x.part_id, x.q, x.p, x.month
        )
        SELECT supplier_id, part_id, month, SUM(q),
               SUM(CASE WHEN p > %(as_of)s - {OPEN_LOAD_DAYS} AND received < q
                   THEN q - received ELSE 0 END)
        FROM w WHERE p >= %(since_day)s
        GROUP BY supplier_id, part_id, month"""
    params = _params(as_of, since=day_of(since - 1), since_day=since)
    return _query(sql, params, ["supplier_id", "part_id", "month", "booked", "open"], reads)


def trailing_as_of(
    as_of: int, *, since: int | None = None, segments=None, supplier_ids=None, tables=None
) -> Trailing:
    """Every figure as of day `as_of` (of these suppliers, or all; from `tables` when a
    sample copied them); the booked quantities cover promises from `since` (day number; by
    default the load window's start)."""
    reads = _reads(supplier_ids, tables)
    segments = tolerance_segments() if segments is None else segments
    load_from = as_of - OPEN_LOAD_DAYS + 1
    since = load_from if since is None else min(since, load_from)
    due = _due(as_of, segments, reads)
    pairs_due = due.set_index(["supplier_id", "part_id"])
    suppliers_due = due.drop(columns="part_id").groupby("supplier_id").sum()
    pair_leads, supplier_leads = _lead_times(as_of, reads)
    pairs = _rates(pairs_due, "part").join(pair_leads.add_prefix("part_"), how="outer")
    pairs = pairs.join(_median_quantity(as_of, reads).rename("median_quantity"), how="outer")
    suppliers = _rates(suppliers_due, "supplier").join(
        supplier_leads.add_prefix("supplier_"), how="outer"
    )
    short = min(WINDOWS)
    late = suppliers_due[f"lines_{short}"] - suppliers_due[f"full_{short}"]
    rate = late / suppliers_due[f"lines_{short}"].replace(0, np.nan)
    total = suppliers_due[f"lines_{short}"].sum()
    overall = float(late.sum() / total) if total else np.nan
    load = _load(as_of, since, reads)
    still_open = load[load["open"] > 0].groupby("supplier_id")["open"].sum()
    suppliers = suppliers.join(rate.rename("late_rate"), how="outer").join(
        still_open.rename("open_quantity"), how="outer"
    )
    booked = load.set_index(["supplier_id", "part_id", "month"])["booked"]
    return Trailing(pairs=pairs, suppliers=suppliers, booked=booked, overall_late=overall)


def _rates(sums: pd.DataFrame, prefix: str) -> pd.DataFrame:
    out = pd.DataFrame(index=sums.index)
    for n in WINDOWS:
        ordered = sums[f"ordered_{n}"].replace(0, np.nan)
        lines = sums[f"lines_{n}"].replace(0, np.nan)
        out[f"{prefix}_otd_{n}"] = 100.0 * sums[f"on_time_{n}"] / ordered
        out[f"{prefix}_otif_{n}"] = 100.0 * sums[f"full_{n}"] / lines
    return out
