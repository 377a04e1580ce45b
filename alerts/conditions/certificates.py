"""Supplier certificates expiring or expired."""

import datetime as dt

from django.db.models import (
    Exists,
    OuterRef,
    Q,
)

from alerts.conditions.base import Condition
from suppliers.models import Certificate, Supplier


def certificate_conditions(*, now: dt.datetime, today: dt.date) -> list[Condition]:
    """`certificate_expiring` (within the warning period, 30 days by default) and
    `certificate_expired`, for the newest certificate of each kind a supplier holds (a
    renewed one replaces the old)."""
    renewed = Certificate.objects.filter(
        supplier=OuterRef("supplier"), kind=OuterRef("kind")
    ).filter(
        Q(valid_until__gt=OuterRef("valid_until"))
        | Q(valid_until=OuterRef("valid_until"), pk__gt=OuterRef("pk"))
    )
    rows = (
        Certificate.objects.exclude(supplier__status=Supplier.Status.DISQUALIFIED)
        .filter(valid_until__lte=Certificate.warning_until(today))
        .exclude(Exists(renewed))
        .order_by()
        .values_list("pk", "supplier_id", "supplier__code", "kind", "number", "valid_until")
    )
    found = []
    for cert_id, supplier_id, code, kind, number, valid_until in rows:
        expired = valid_until < today
        alert_kind = "certificate_expired" if expired else "certificate_expiring"
        verb = "expired on" if expired else "expires on"
        found.append(
            Condition(
                kind=alert_kind,
                key=f"{alert_kind}:{cert_id}",
                message=f"{code}: {kind} certificate {number} {verb} {valid_until:%Y-%m-%d}.",
                supplier_id=supplier_id,
                certificate_id=cert_id,
            )
        )
    return found
