"""Every alert kind in one registry (docs/alerts.md): its name, label, the finder that
decides it, its default severities and whether a supplier contact may see it.

A new kind is one finder (a function `(*, now, today) -> list[Condition]` in
`alerts/conditions/`) and one entry here; the scan, the severities, the filters, the
emails and the contact's view all read this list. A finder may decide several kinds
(one query for both); the scan calls it once.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models

from alerts.conditions import (
    certificates,
    engine,
    invoices,
    kpis,
    lines,
    planning,
    prediction,
    qualification,
    sourcing,
    stock,
    transit,
)
from alerts.conditions.base import (
    APPLIED_SHIFT,
    BASE,
    BELOW_SAFETY_STOCK,
    SEVEN_DAYS_PAST,
)

INFO, WARNING, CRITICAL = "info", "warning", "critical"


@dataclass(frozen=True)
class KindSpec:
    name: str
    label: str
    find: Callable
    # Default severity per variant ("base" and any escalated form); admins override them.
    severities: dict[str, str] = field(default_factory=lambda: {BASE: WARNING})
    # Contacts see only kinds about their own lines; most kinds would reveal the
    # alternate source or internal figures.
    contact_visible: bool = False


KINDS: list[KindSpec] = [
    KindSpec("kpi_below_target", "KPI below contract target", kpis.kpi_conditions),
    KindSpec(
        "rule_fired",
        "Rule fired",
        engine.rule_conditions,
        {BASE: WARNING, APPLIED_SHIFT: INFO},
    ),
    KindSpec("exception_open", "Exception awaiting review", engine.rule_conditions),
    KindSpec(
        "low_stock",
        "Low stock",
        stock.low_stock_conditions,
        {BASE: WARNING, BELOW_SAFETY_STOCK: CRITICAL},
    ),
    KindSpec("sensor_stale", "Sensor silent", stock.sensor_stale_conditions),
    KindSpec("transit_delayed", "Delayed transit", transit.transit_conditions),
    KindSpec(
        "line_past_due",
        "PO line past due",
        lines.line_conditions,
        {BASE: WARNING, SEVEN_DAYS_PAST: CRITICAL},
        contact_visible=True,
    ),
    KindSpec(
        "line_not_acknowledged",
        "PO line not acknowledged",
        lines.line_conditions,
        contact_visible=True,
    ),
    KindSpec("certificate_expiring", "Certificate expiring", certificates.certificate_conditions),
    KindSpec(
        "certificate_expired",
        "Certificate expired",
        certificates.certificate_conditions,
        {BASE: CRITICAL},
    ),
    KindSpec(
        "single_sourced",
        "Part single-sourced",
        sourcing.single_source_conditions,
        {BASE: INFO},
    ),
    KindSpec(
        "invoice_mismatch", "Invoice mismatch awaiting review", invoices.invoice_mismatch_conditions
    ),
    KindSpec(
        "requalification_due",
        "Re-qualification due",
        qualification.requalification_conditions,
        {BASE: WARNING, qualification.OVERDUE: CRITICAL},
    ),
    KindSpec(
        "orders_to_release",
        "Suggested orders to release",
        planning.orders_to_release_conditions,
        {BASE: INFO},
    ),
    KindSpec("line_at_risk", "PO line at risk of being late", prediction.line_at_risk_conditions),
]

REGISTRY: dict[str, KindSpec] = {spec.name: spec for spec in KINDS}

Kind = models.TextChoices("Kind", [(s.name.upper(), (s.name, s.label)) for s in KINDS])

CONTACT_KINDS = frozenset(s.name for s in KINDS if s.contact_visible)


def finders() -> list[tuple[Callable, tuple[str, ...]]]:
    """Each distinct finder once, with the kinds it decides, in registry order."""
    grouped: dict[Callable, list[str]] = {}
    for spec in KINDS:
        grouped.setdefault(spec.find, []).append(spec.name)
    return [(find, tuple(kinds)) for find, kinds in grouped.items()]


def default_severities() -> dict[tuple[str, str], str]:
    return {
        (spec.name, variant): severity
        for spec in KINDS
        for variant, severity in spec.severities.items()
    }
