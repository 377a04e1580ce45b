"""Default severities of SPEC §5, per kind and variant; an admin overrides them in
`AlertSeverity` (admin → Alert severities)."""

from alerts.models import AlertSeverity, Kind, Severity

BASE = "base"
BELOW_SAFETY_STOCK = "below_safety_stock"
SEVEN_DAYS_PAST = "seven_days_past"
APPLIED_SHIFT = "applied_shift"

DEFAULTS: dict[tuple[str, str], str] = {
    (Kind.KPI_BELOW_TARGET, BASE): Severity.WARNING,
    (Kind.RULE_FIRED, BASE): Severity.WARNING,
    (Kind.RULE_FIRED, APPLIED_SHIFT): Severity.INFO,
    (Kind.EXCEPTION_OPEN, BASE): Severity.WARNING,
    (Kind.LOW_STOCK, BASE): Severity.WARNING,
    (Kind.LOW_STOCK, BELOW_SAFETY_STOCK): Severity.CRITICAL,
    (Kind.TRANSIT_DELAYED, BASE): Severity.WARNING,
    (Kind.LINE_PAST_DUE, BASE): Severity.WARNING,
    (Kind.LINE_PAST_DUE, SEVEN_DAYS_PAST): Severity.CRITICAL,
    (Kind.LINE_NOT_ACKNOWLEDGED, BASE): Severity.WARNING,
    (Kind.CERTIFICATE_EXPIRING, BASE): Severity.WARNING,
    (Kind.CERTIFICATE_EXPIRED, BASE): Severity.CRITICAL,
    (Kind.SINGLE_SOURCED, BASE): Severity.INFO,
    (Kind.LINE_AT_RISK, BASE): Severity.WARNING,
}


def severity_table() -> dict[tuple[str, str], str]:
    """The defaults with the admin's overrides on top (one query)."""
    table = dict(DEFAULTS)
    for kind, variant, severity in AlertSeverity.objects.values_list("kind", "variant", "severity"):
        table[(kind, variant)] = severity
    return table


def severity_of(table: dict[tuple[str, str], str], kind: str, variant: str) -> str:
    return table.get((kind, variant)) or table.get((kind, BASE)) or Severity.WARNING
