"""Supplier figures below their contract targets."""

import datetime as dt

from django.db.models import (
    OuterRef,
    Q,
    Subquery,
)

from alerts.conditions.base import (
    Condition,
)
from contracts.models import Contract
from scorecards import kpis
from scorecards.models import SupplierScorecard


def kpi_conditions(*, now: dt.datetime, today: dt.date) -> list[Condition]:
    """`kpi_below_target`: a supplier's rolling-90 OTD under, or defect PPM over, the target
    of its contract in force; not on a low sample, not where the target is empty."""
    found = []
    for row in _scorecards_against_contract(today=today):
        found.extend(_kpi_row_conditions(row))
    return found


def _scorecards_against_contract(*, today: dt.date):
    """Rolling-90 scorecards with the targets of the supplier's contract in force (one
    query, the contract picked by subquery), where at least one figure has a full sample."""
    in_force = (
        Contract.objects.filter(supplier=OuterRef("supplier_id"), valid_from__lte=today)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .order_by("-valid_from", "-id")
    )
    return (
        SupplierScorecard.objects.filter(period=kpis.ROLLING_PERIOD)
        .order_by()
        .annotate(
            contract_id=Subquery(in_force.values("pk")[:1]),
            otd_target=Subquery(in_force.values("otd_target_pct")[:1]),
            ppm_target=Subquery(in_force.values("defect_ppm_target")[:1]),
        )
        .filter(contract_id__isnull=False)
        .filter(
            Q(otd_pct__isnull=False, lines_due__gte=kpis.LOW_SAMPLE_MINIMUM)
            | Q(defect_ppm__isnull=False, inspections_count__gte=kpis.LOW_SAMPLE_MINIMUM)
        )
        .values_list(
            "supplier_id",
            "supplier__code",
            "contract_id",
            "otd_pct",
            "lines_due",
            "otd_target",
            "defect_ppm",
            "inspections_count",
            "ppm_target",
        )
    )


def _kpi_row_conditions(row: tuple) -> list[Condition]:
    """The OTD and PPM conditions that hold for one scorecard row (no query)."""
    (
        supplier_id,
        code,
        contract_id,
        otd,
        lines_due,
        otd_target,
        ppm,
        inspections,
        ppm_target,
    ) = row
    refs = {"supplier_id": supplier_id, "contract_id": contract_id}
    found = []
    if (
        otd is not None
        and otd_target is not None
        and lines_due >= kpis.LOW_SAMPLE_MINIMUM
        and otd < float(otd_target)
    ):
        found.append(
            Condition(
                kind="kpi_below_target",
                key=f"kpi_below_target:{supplier_id}:otd_pct",
                message=f"{code}: on-time delivery {otd:.1f} % over the last 90 days, "
                f"target {float(otd_target):.1f} % ({lines_due} lines).",
                **refs,
            )
        )
    if (
        ppm is not None
        and ppm_target is not None
        and inspections >= kpis.LOW_SAMPLE_MINIMUM
        and ppm > float(ppm_target)
    ):
        found.append(
            Condition(
                kind="kpi_below_target",
                key=f"kpi_below_target:{supplier_id}:defect_ppm",
                message=f"{code}: {ppm:,.0f} defective PPM over the last 90 days, "
                f"target {float(ppm_target):,.0f} ({inspections} inspections).",
                **refs,
            )
        )
    return found
