"""The KPI pipeline's reads: the facts of docs/kpis.md staged in scratch tables and aggregated.

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

The statements live by stage in `stage_facts.py` (1–3) and `stage_sums.py` (4–6), on
the scope predicates of `staging.py`. `store.py` writes `kpi_part` and
`kpi_supplier_result` into the scorecard tables; `scoring.py` holds the landed cost
index and composite SQL; the formulas themselves come from `kpis.py`. SQLite and
PostgreSQL run the same statements; `dialect.py` holds the few spellings that differ.
Staged and stored figures are doubles (see `staging._float`).
"""

from scorecards.stage_facts import FactStatements
from scorecards.stage_sums import SumStatements
from scorecards.staging import (
    ROLLING_PERIOD_KEY,
    STAGING_INDEXES,
    STAGING_TABLES,
    SUM_COLUMNS,
    VALUE_EXPRESSIONS,
    Scope,
)

__all__ = [
    "ROLLING_PERIOD_KEY",
    "STAGING_INDEXES",
    "STAGING_TABLES",
    "SUM_COLUMNS",
    "VALUE_EXPRESSIONS",
    "Scope",
    "StagingQueries",
]


class StagingQueries(FactStatements, SumStatements):
    """The staging statements for one scope, with their parameters in `params`."""
