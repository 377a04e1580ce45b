"""Writes for alerts: the scan that raises and resolves them, and people's acknowledgements.

`alerts_scan` evaluates every condition set-based (`alerts.conditions`, one query per
kind), then per kind bumps `last_seen` (and severity and message) of the alerts still
holding and resolves those whose condition cleared; at the end it opens an alert for each
new dedupe key of every kind, in one insert (`alerts.inserts`). A condition that returns
after it cleared opens a new alert. Scans run one at a time
(they lock the `AlertScanRun` row); the partial unique constraint keeps one open alert per
dedupe key even so. Emails about what the scan raised are requested by
`alerts.delivery` once the scan commits.
"""

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from accounts.roles import EDITOR_ROLES, user_role
from alerts import conditions, kinds, severities
from alerts.delivery import immediate_emails_request
from alerts.inserts import CHUNK, alerts_insert, id_filters
from alerts.models import Alert, AlertNote, AlertScanRun, Severity

logger = logging.getLogger(__name__)

ACTIVE = (Alert.State.OPEN, Alert.State.ACKNOWLEDGED)


@dataclass
class ScanResult:
    started_at: dt.datetime
    opened: dict[str, int] = field(default_factory=dict)
    still_open: dict[str, int] = field(default_factory=dict)
    resolved: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    skipped: bool = False
    new_alert_ids: list[int] = field(default_factory=list)
    # Alerts that became critical in this scan (new, or escalated): emailed at once.
    critical_ids: list[int] = field(default_factory=list)
    # Email deliveries created for them (queued on commit unless the caller queues them).
    delivery_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "started_at": self.started_at.isoformat(),
            "opened": sum(self.opened.values()),
            "still_open": sum(self.still_open.values()),
            "resolved": sum(self.resolved.values()),
            "by_kind": {
                kind: {
                    "opened": self.opened.get(kind, 0),
                    "still_open": self.still_open.get(kind, 0),
                    "resolved": self.resolved.get(kind, 0),
                }
                for kind in sorted(set(self.opened) | set(self.still_open) | set(self.resolved))
            },
            "seconds": round(self.seconds, 3),
            "skipped": self.skipped,
        }


def _scan_run_locked() -> AlertScanRun:
    """The single scan-run row, locked for this transaction (scans run one at a time)."""
    AlertScanRun.objects.get_or_create(pk=1)
    return AlertScanRun.objects.select_for_update().get(pk=1)


def alerts_scan(
    *,
    as_of: dt.datetime | None = None,
    requested_at: dt.datetime | None = None,
    progress: Callable[[str, int], None] | None = None,
    queue_sends: bool = True,
) -> ScanResult:
    """Raise, refresh and resolve every alert kind, as of now (or `as_of`).

    `requested_at`: when a posting asked for this scan; if a scan has started since, it
    already saw that posting, so this one is skipped.
    """
    now = as_of or timezone.now()
    today = timezone.localdate(now)
    started = time.perf_counter()
    result = ScanResult(started_at=now)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Alerts are derived state: a crash loses at most this scan, which the next
            # redoes, so the commit need not wait for the WAL flush.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
                # Compiling these short statements costs more than it saves.
                cursor.execute("SET LOCAL jit = off")
        run = _scan_run_locked()
        if requested_at is not None and run.started_at and run.started_at > requested_at:
            result.skipped = True
            return result
        run.started_at = timezone.now()
        run.save(update_fields=["started_at"])
        table = severities.severity_table()
        finders = kinds.finders()
        tracked = _tracked_by_kind([name for _, names in finders for name in names])
        writes, new = _Tracked(), []
        for find, kind_names in finders:
            found = find(now=now, today=today)
            rows = [row for name in kind_names for row in tracked.get(name, ())]
            new += _kinds_sort(rows, found=found, into=writes, table=table, result=result)
            if progress is not None:
                progress(", ".join(kind_names), len(found))
        _tracked_write(writes, now=now)
        # Every new alert in one insert, in the finders' order (ids ascending as before).
        _alerts_open(new, now=now, table=table, result=result)
        result.seconds = time.perf_counter() - started
        run.finished_at = timezone.now()
        run.summary = result.as_dict()
        run.save(update_fields=["finished_at", "summary"])
        # Critical alerts are emailed at once: delivery rows now, the sends after commit.
        if result.critical_ids:
            result.delivery_ids = immediate_emails_request(
                alert_ids=result.critical_ids, queue_sends=queue_sends
            )
    return result


def _tracked_by_kind(kind_names: list[str]) -> dict[str, list[tuple]]:
    """Every alert of these kinds whose condition has not been seen clearing yet, per kind:
    one read of the table for the whole scan, not one per finder."""
    tracked: dict[str, list[tuple]] = {}
    rows = Alert.objects.filter(kind__in=kind_names, cleared_at__isnull=True).values_list(
        "pk", "kind", "dedupe_key", "state", "severity", "variant", "message"
    )
    for row in rows.order_by():
        tracked.setdefault(row[1], []).append(row)
    return tracked


@dataclass
class _Tracked:
    """The tracked alerts of a scan, sorted by what the scan does to each."""

    seen_ids: list[int] = field(default_factory=list)
    changed: list[Alert] = field(default_factory=list)
    cleared_active: list[int] = field(default_factory=list)
    cleared_done: list[int] = field(default_factory=list)


def _kinds_sort(
    tracked: list[tuple],
    *,
    found: list[conditions.Condition],
    into: _Tracked,
    table: dict,
    result: ScanResult,
) -> list[conditions.Condition]:
    """Sort the tracked alerts of one finder's kinds by what the scan does to each (into
    `into`, written once for every kind); returns the conditions that need a new alert."""
    by_key = {c.key: c for c in found}
    keys = _tracked_sort(tracked, by_key=by_key, into=into, table=table, result=result)
    return [c for key, c in by_key.items() if key not in keys]


def _tracked_sort(
    tracked: list[tuple], *, by_key: dict, into: _Tracked, table: dict, result: ScanResult
) -> set[str]:
    """Sort tracked alerts into seen, changed and cleared (no query); count them in `result`.
    Returns their dedupe keys."""
    keys = set()
    for pk, kind, key, state, severity, variant, message in tracked:
        keys.add(key)
        condition = by_key.get(key)
        if condition is None:
            if state in ACTIVE:
                into.cleared_active.append(pk)
                result.resolved[kind] = result.resolved.get(kind, 0) + 1
            else:
                into.cleared_done.append(pk)
            continue
        into.seen_ids.append(pk)
        new_severity = severities.severity_of(table, condition.kind, condition.variant)
        if new_severity == Severity.CRITICAL and severity != Severity.CRITICAL and state == "open":
            result.critical_ids.append(pk)
        if (new_severity, condition.variant, condition.message) != (severity, variant, message):
            into.changed.append(
                Alert(
                    pk=pk,
                    severity=new_severity,
                    variant=condition.variant,
                    message=condition.message[:500],
                )
            )
        if state in ACTIVE:
            result.still_open[condition.kind] = result.still_open.get(condition.kind, 0) + 1
    return keys


def _tracked_write(tracked: _Tracked, *, now: dt.datetime) -> None:
    """Bulk writes for tracked alerts: bump last_seen, apply changes, resolve and clear."""
    for ids in id_filters(tracked.seen_ids):
        Alert.objects.filter(ids).update(last_seen=now)
    if tracked.changed:
        Alert.objects.bulk_update(
            tracked.changed, ["severity", "variant", "message"], batch_size=CHUNK
        )
    for ids in id_filters(tracked.cleared_active):
        Alert.objects.filter(ids, state__in=ACTIVE).update(
            state=Alert.State.RESOLVED, resolved_at=now, resolved_by=None, cleared_at=now
        )
    for ids in id_filters(tracked.cleared_done):
        Alert.objects.filter(ids).update(cleared_at=now)


def _alerts_open(
    new: list[conditions.Condition],
    *,
    now: dt.datetime,
    table: dict,
    result: ScanResult,
) -> None:
    """Insert alerts for new conditions and record the ones this scan opened in `result`."""
    if not new:
        return
    found_severities = [severities.severity_of(table, c.kind, c.variant) for c in new]
    created = alerts_insert(new, found_severities, now=now)
    if created is None:
        # Scans run one at a time, so first_seen = now names this scan's new alerts.
        created = (
            Alert.objects.filter(
                kind__in={c.kind for c in new}, first_seen=now, state=Alert.State.OPEN
            )
            .order_by("pk")
            .values_list("pk", "kind", "severity")
        )
    for pk, kind, severity in created:
        result.new_alert_ids.append(pk)
        if severity == Severity.CRITICAL:
            result.critical_ids.append(pk)
        result.opened[kind] = result.opened.get(kind, 0) + 1


# --- people ---------------------------------------------------------------------------


@transaction.atomic
def alerts_acknowledge(*, alerts, user) -> int:
    """Acknowledge open alerts (a queryset the caller scoped); returns how many changed."""
    return alerts.filter(state=Alert.State.OPEN).update(
        state=Alert.State.ACKNOWLEDGED, acknowledged_by=user, acknowledged_at=timezone.now()
    )


@transaction.atomic
def alerts_resolve(*, alerts, user) -> int:
    """Resolve open or acknowledged alerts by hand. While a condition still holds, the scan
    keeps its resolved alert as the record and opens no new one until it has cleared."""
    return alerts.filter(state__in=ACTIVE).update(
        state=Alert.State.RESOLVED, resolved_by=user, resolved_at=timezone.now()
    )


def alert_acknowledge(*, alert: Alert, user) -> Alert:
    return _alert_change(alerts_acknowledge, alert=alert, user=user)


def alert_resolve(*, alert: Alert, user) -> Alert:
    return _alert_change(alerts_resolve, alert=alert, user=user)


def _alert_change(change, *, alert: Alert, user) -> Alert:
    """One alert acknowledged or resolved through the bulk service; a resolved one is final."""
    if alert.state == Alert.State.RESOLVED:
        raise ValidationError({"state": "This alert is already resolved."})
    change(alerts=Alert.objects.filter(pk=alert.pk), user=user)
    alert.refresh_from_db()
    return alert


def alert_ids_parse(values: Iterable) -> list[int]:
    """Ids posted from a form or API body; anything that is not a whole number is a 400."""
    ids = []
    for value in values:
        try:
            ids.append(int(value))
        except (TypeError, ValueError):
            raise ValidationError({"ids": f"Not an alert id: {str(value)[:40]!r}."}) from None
    if not ids:
        raise ValidationError({"ids": "Select at least one alert."})
    return ids


def alert_owner(alert: Alert):
    """Who follows the alert up: its owner, else the supplier's owner buyer."""
    if alert.owner_id:
        return alert.owner
    return alert.supplier.owner if alert.supplier_id else None


@transaction.atomic
def alert_owner_set(*, alert: Alert, owner, actor=None) -> Alert:
    """Reassign an alert to another buyer (or back to the supplier's owner with None)."""
    if owner is not None and user_role(owner) not in EDITOR_ROLES:
        raise ValidationError({"owner": f"{owner.get_username()} is not a buyer."})
    alert.owner = owner
    alert.save(update_fields=["owner"])
    who = owner.get_username() if owner else "the supplier's owner buyer"
    AlertNote.objects.create(alert=alert, author=actor, body=f"Reassigned to {who}.")
    return alert


def alert_note_add(*, alert: Alert, author, body: str) -> AlertNote:
    """A buyer's note on the alert."""
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Write a note."})
    if len(body) > 2000:
        raise ValidationError({"body": "A note has at most 2,000 characters."})
    return AlertNote.objects.create(alert=alert, author=author, body=body)
