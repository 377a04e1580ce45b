"""The scan's inserts, set-based: new alerts and the email deliveries of critical ones.

On PostgreSQL each table gets one `INSERT … SELECT FROM unnest(arrays)`, every column one
array literal parameter (`core.pgarray`): no model instance, no query per row, and the
server parses one value per column instead of an `ARRAY[…]` of as many expressions as
there are rows. Elsewhere `bulk_create`. The first scan of a large portfolio inserts tens
of thousands of alerts (docs/performance.md).
"""

import datetime as dt
from operator import attrgetter

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from alerts.conditions import Condition
from alerts.models import Alert, EmailDelivery
from core.chunks import chunked
from core.pgarray import ids_in, pg_array

CHUNK = 2000
# The states of the partial unique index `one_open_alert_per_dedupe_key`.
_ACTIVE = ", ".join(f"'{state}'" for state in (Alert.State.OPEN, Alert.State.ACKNOWLEDGED))

REFERENCES = (
    "supplier_id",
    "part_id",
    "purchase_order_id",
    "line_id",
    "ship_notice_id",
    "certificate_id",
    "contract_id",
    "rule_firing_id",
    "exception_id",
)


def set_based() -> bool:
    """Whether this database takes the array inserts (PostgreSQL)."""
    return connection.vendor == "postgresql"


def id_filters(ids: list[int]):
    """`pk IN ids` filters for updates: one on PostgreSQL, in chunks elsewhere."""
    if not ids:
        return
    if set_based():
        yield ids_in("pk", ids)
        return
    for chunk in chunked(ids, CHUNK):
        yield Q(pk__in=chunk)


def alerts_insert(
    found: list[Condition], severities: list[str], *, now: dt.datetime
) -> list[tuple] | None:
    """Insert open alerts for these conditions, in this order (ids ascending), skipping
    keys another writer holds open (the partial unique constraint). On PostgreSQL returns
    (id, kind, severity) of the rows inserted; elsewhere None (the caller reads them)."""
    if set_based():
        return _alerts_insert_arrays(found, severities, now=now)
    Alert.objects.bulk_create(
        [
            Alert(
                kind=c.kind,
                variant=c.variant,
                severity=severity,
                dedupe_key=c.key,
                message=c.message[:500],
                site=c.site,
                **{name: getattr(c, name) for name in REFERENCES},
                first_seen=now,
                last_seen=now,
            )
            for c, severity in zip(found, severities, strict=True)
        ],
        batch_size=CHUNK,
        ignore_conflicts=True,
    )
    return None


def _alerts_insert_arrays(
    found: list[Condition], severities: list[str], *, now: dt.datetime
) -> list[tuple]:
    """One INSERT … SELECT FROM unnest(one array per column), in the arrays' order."""

    def column(name: str) -> list:
        return list(map(attrgetter(name), found))

    texts = {
        "kind": column("kind"),
        "variant": column("variant"),
        "severity": severities,
        "dedupe_key": column("key"),
        "message": [message[:500] for message in column("message")],
        "site": column("site"),
    }
    names = ", ".join([*texts, *REFERENCES])
    arrays = ", ".join(["%s::text[]"] * len(texts) + ["%s::bigint[]"] * len(REFERENCES))
    # The one arbiter is the open-alert-per-key index (ids come from the sequence):
    # checking the primary key too would cost every row another index search.
    sql = (
        f"INSERT INTO {Alert._meta.db_table} ({names}, state, first_seen, last_seen) "
        f"SELECT *, %s, %s, %s FROM unnest({arrays}) "
        f"ON CONFLICT (dedupe_key) WHERE state IN ({_ACTIVE}) DO NOTHING "
        "RETURNING id, kind, severity"
    )
    params = [Alert.State.OPEN, now, now]
    params += [pg_array(values) for values in texts.values()]
    params += [pg_array(column(name)) for name in REFERENCES]
    with connection.cursor() as cursor:
        # The unnest held in memory, not spilled to a temporary file (the scan's last
        # statements: the finders' plans keep the default).
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(sql, params)
        return cursor.fetchall()


def deliveries_insert(rows: list[tuple[int, int, str]]) -> None:
    """Insert pending email deliveries, one per (alert id, recipient id, Message-ID); an
    existing one for the same alert and recipient wins (the unique delivery row)."""
    if not rows:
        return
    if not set_based():
        EmailDelivery.objects.bulk_create(
            [
                EmailDelivery(
                    alert_id=alert_id,
                    recipient_id=user_id,
                    alert_ids=[alert_id],
                    message_id=message_id,
                )
                for alert_id, user_id, message_id in rows
            ],
            ignore_conflicts=True,
            batch_size=CHUNK,
        )
        return
    alert_ids, user_ids, message_ids = zip(*rows, strict=True)
    sql = (
        f"INSERT INTO {EmailDelivery._meta.db_table} (alert_id, recipient_id, message_id, "
        "alert_ids, state, attempts, created_at, error) "
        "SELECT alert_id, recipient_id, message_id, jsonb_build_array(alert_id), %s, 0, %s, '' "
        "FROM unnest(%s::bigint[], %s::integer[], %s::text[]) "
        "AS row (alert_id, recipient_id, message_id) ON CONFLICT DO NOTHING"
    )
    params = [EmailDelivery.State.PENDING, timezone.now(), pg_array(list(alert_ids))]
    params += [pg_array(list(user_ids)), pg_array(list(message_ids))]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
