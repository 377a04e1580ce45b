"""Default severities per kind and variant come from the registry (`alerts/kinds.py`);
an admin overrides them in `AlertSeverity` (admin → Alert severities)."""

from alerts.conditions.base import APPLIED_SHIFT, BASE, BELOW_SAFETY_STOCK, SEVEN_DAYS_PAST
from alerts.kinds import default_severities
from alerts.models import AlertSeverity, Severity

__all__ = ["APPLIED_SHIFT", "BASE", "BELOW_SAFETY_STOCK", "SEVEN_DAYS_PAST", "DEFAULTS"]

DEFAULTS: dict[tuple[str, str], str] = default_severities()


def severity_table() -> dict[tuple[str, str], str]:
    """The defaults with the admin's overrides on top (one query)."""
    table = dict(DEFAULTS)
    for kind, variant, severity in AlertSeverity.objects.values_list("kind", "variant", "severity"):
        table[(kind, variant)] = severity
    return table


def severity_of(table: dict[tuple[str, str], str], kind: str, variant: str) -> str:
    return table.get((kind, variant)) or table.get((kind, BASE)) or Severity.WARNING
