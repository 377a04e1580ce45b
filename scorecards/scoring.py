"""SQL that scores supplier rows: landed cost index, composite score and grade.

Shared by the recompute (staged rows) and the re-scoring of stored rows after a template
change or a change at another source of the same parts.
"""

from collections.abc import Sequence

from scorecards import kpis
from scorecards.dialect import Dialect
from scorecards.models import ScorecardAssignment, ScorecardTemplate
from suppliers.models import SupplierEsgScore


def part_average_statement(peer_rows: str, dialect: Dialect) -> str:
    """`kpi_part_average`: luc_p, the quantity-weighted landed unit cost of each part per
    period over every source in `peer_rows` (supplier_id, part_id, period,
    landed_cost_total, priced_quantity)."""
    return f"""
        {dialect.create_staging} kpi_part_average AS
        SELECT part_id, period, SUM(landed_cost_total) / SUM(priced_quantity) AS unit_cost
        FROM {peer_rows} peer
        WHERE priced_quantity > 0
        GROUP BY part_id, period
    """


def landed_cost_index(own: str = "own", average: str = "average") -> str:
    """LCI = Σ_p landed cost / Σ_p q_sp × luc_p, over part rows `own` left-joined to their
    `kpi_part_average`; a row without priced receipts adds nothing to either sum."""
    return kpis.sql_ratio(
        f"SUM({own}.landed_cost_total)", f"SUM({own}.priced_quantity * {average}.unit_cost)"
    )


def landed_cost_index_select(own_rows: str) -> str:
    """(supplier_id, period, landed_cost_index) for the suppliers in `own_rows`."""
    return f"""
        SELECT own.supplier_id, own.period, {landed_cost_index()} AS landed_cost_index
        FROM {own_rows} own
        LEFT JOIN kpi_part_average average
               ON average.part_id = own.part_id AND average.period = own.period
        GROUP BY own.supplier_id, own.period
    """


def scores_select(source: str, columns: Sequence[str], dialect: Dialect) -> str:
    """`columns` of `source`, plus template_id, composite_score and grade.

    `source` has supplier_id and the four criterion KPIs; each supplier is scored with its
    assigned template, else the default one (none: no composite).
    """
    template, assignment = _table(ScorecardTemplate), _table(ScorecardAssignment)
    criteria = []
    for criterion in kpis.CRITERIA:
        score = kpis.sql_criterion_score(
            f"source.{criterion.kpi}",
            _float(f"tpl.{criterion.floor_field}"),
            _float(f"tpl.{criterion.target_field}"),
        )
        weight = _float(f"tpl.{criterion.weight_field}")
        criteria.append(f"{score} AS {criterion.kpi}_score, {weight} AS {criterion.kpi}_weight")
    # The supplier's stored ESG score is already 0–100; it counts with the template's weight.
    esg_score = kpis.sql_criterion_score(_float("esg.esg_score"), "0.0", "100.0")
    criteria.append(f"{esg_score} AS esg_score, {_float('tpl.esg_weight')} AS esg_weight")
    composite = kpis.sql_composite_score(
        [(f"{c.kpi}_score", f"{c.kpi}_weight") for c in kpis.CRITERIA]
        + [("esg_score", "esg_weight")]
    )
    carried = ", ".join(columns)
    return f"""
        SELECT {carried}, template_id, composite_score,
               {kpis.sql_grade("composite_score")} AS grade
        FROM (
            SELECT {carried}, template_id, {composite} AS composite_score
            FROM (
                SELECT {", ".join(f"source.{c}" for c in columns)}, tpl.id AS template_id,
                       {", ".join(criteria)}
                FROM ({source}) source
                LEFT JOIN {assignment} a ON a.supplier_id = source.supplier_id
                LEFT JOIN {template} tpl ON tpl.id = COALESCE(
                    a.template_id, (SELECT d.id FROM {template} d WHERE d.is_default = %(true)s)
                )
                LEFT JOIN {_table(SupplierEsgScore)} esg ON esg.supplier_id = source.supplier_id
                {dialect.fence}
            ) criteria{dialect.fence}
        ) composite
    """


def _table(model) -> str:
    return model._meta.db_table


def _float(expression: str) -> str:
    return f"CAST({expression} AS DOUBLE PRECISION)"
