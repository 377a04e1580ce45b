"""The engine's bulk writes: one statement per kind of row, whatever the number of decisions.

On PostgreSQL each write sends its rows as one array per column (`unnest`), so neither
Python nor the server pays per row for building or parsing a statement; elsewhere (the
SQLite test database) the same rows go through Django's bulk writes.
"""

import json
from decimal import Decimal
from types import SimpleNamespace

from django.db import connection, models
from django.utils import timezone

from contracts.models import ContractChange, ContractRule, PriceTier
from core.chunks import chunked
from core.pgarray import pg_array
from core.services import model_snapshot
from parts.models import ApprovedSource
from rules.models import AllocationBalance, RuleFiring


def _postgresql() -> bool:
    return connection.vendor == "postgresql"


def _array_type(field: models.Field) -> str:
    if field.is_relation:
        field = field.target_field
    return field.rel_db_type(connection) if field.primary_key else field.db_type(connection)


class Record(SimpleNamespace):
    """A row to insert with `rows_insert`: the model's attribute names (`rule_id`, …), the
    rest its defaults; `pk` is set once written. Thousands of model instances would cost
    more than the INSERT."""

    pk = None


def rows_insert(model: type[models.Model], rows: list) -> None:
    """Insert records (or unsaved instances) in one statement and set their `pk`; fields a
    record leaves out take their defaults, `auto_now_add` the time of the insert. No
    signals, like `bulk_create`."""
    if not rows:
        return
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    for field in fields:
        stamped = getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False)
        for row in rows:
            if stamped:
                setattr(row, field.attname, now)
            elif not hasattr(row, field.attname):
                setattr(row, field.attname, field.get_default())
    if not _postgresql():
        objs = [model(**{f.attname: getattr(row, f.attname) for f in fields}) for row in rows]
        model.objects.bulk_create(objs)
        for row, obj in zip(rows, objs, strict=True):
            row.pk = obj.pk
        return
    ids = _pg_rows_insert(model, fields, rows)
    for row, pk in zip(rows, ids, strict=True):
        row.pk = pk


def _pg_rows_insert(model: type[models.Model], fields: list, rows: list) -> list[int]:
    """One INSERT … SELECT over `unnest` (one array per column) joined by position to one
    JSON document per JSON column: thousands of evidence dicts parse several times faster
    as one `jsonb` array than as a `jsonb[]` of escaped strings. Ids in the rows' order."""
    plain = [f for f in fields if not isinstance(f, models.JSONField)]
    documents = [f for f in fields if isinstance(f, models.JSONField)]
    names = [f"c{i}" for i in range(len(plain))]
    params = [pg_array(getattr(row, f.attname) for row in rows) for f in plain]
    unnest = ", ".join(f"%s::{_array_type(f)}[]" for f in plain)
    select = [f"v.{name}" for name in names]
    joins = []
    for i, field in enumerate(documents):
        encoder = field.encoder
        values = (json.dumps(getattr(row, field.attname), cls=encoder) for row in rows)
        params.append("[" + ",".join(values) + "]")
        select.append(f"NULLIF(j{i}.value, 'null'::jsonb)")
        joins.append(
            f"JOIN jsonb_array_elements(%s::jsonb) WITH ORDINALITY AS j{i}(value, n) "
            f"ON j{i}.n = v.n"
        )
    columns = ", ".join(f'"{f.column}"' for f in [*plain, *documents])
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{model._meta.db_table}" ({columns}) SELECT {", ".join(select)} '
            f"FROM unnest({unnest}) WITH ORDINALITY AS v({', '.join(names)}, n) "
            f'{" ".join(joins)} ORDER BY v.n RETURNING "{model._meta.pk.column}"',
            params,
        )
        return [row[0] for row in cursor.fetchall()]


def firings_insert(firings: list, *, at) -> None:
    """The evaluation's firings (plain records, not model instances) in one INSERT."""
    if not firings:
        return
    if not _postgresql():
        RuleFiring.objects.bulk_create(
            [
                RuleFiring(
                    rule_id=f.rule_id,
                    part_id=f.part_id,
                    supplier_id=f.supplier_id,
                    metric_value=f.metric_value,
                    outcome=f.outcome,
                    allocation_change_id=f.allocation_change.pk if f.allocation_change else None,
                    exception_id=f.exception.pk if f.exception else None,
                    reason=f.reason,
                    fired_at=at,
                )
                for f in firings
            ]
        )
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{RuleFiring._meta.db_table}" (rule_id, part_id, supplier_id, '
            "metric_value, outcome, allocation_change_id, exception_id, reason, fired_at) "
            "SELECT r, p, s, m, o, c, e, t, %s FROM unnest(%s::bigint[], %s::bigint[], "
            "%s::bigint[], %s::double precision[], %s::text[], %s::bigint[], %s::bigint[], "
            "%s::text[]) AS v(r, p, s, m, o, c, e, t)",
            [
                at,
                pg_array([f.rule_id for f in firings]),
                pg_array([f.part_id for f in firings]),
                pg_array([f.supplier_id for f in firings]),
                pg_array([f.metric_value for f in firings]),
                pg_array([f.outcome for f in firings]),
                pg_array([getattr(f.allocation_change, "pk", None) for f in firings]),
                pg_array([getattr(f.exception, "pk", None) for f in firings]),
                pg_array([f.reason for f in firings]),
            ],
        )


def column_update(model, column: str, values: list[tuple[int, Decimal]], batch: int = 1000):
    """Set one decimal column row by row in one statement (UPDATE … FROM unnest / VALUES).

    Django's bulk_update builds a CASE per row, which costs seconds at thousands of rows.
    """
    if not values:
        return
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if _postgresql():
            cursor.execute(
                f'UPDATE "{table}" AS t SET "{column}" = v.value '
                "FROM unnest(%s::bigint[], %s::numeric[]) AS v(id, value) WHERE t.id = v.id",
                [pg_array(pk for pk, _ in values), pg_array(value for _, value in values)],
            )
            return
        for chunk in chunked(values, batch):
            params = [v for pair in chunk for v in (pair[0], str(pair[1]))]
            rows = ", ".join(["(%s, %s)"] * len(chunk))
            cursor.execute(
                f'UPDATE "{table}" SET "{column}" = v.column2 FROM (VALUES {rows}) AS v '
                f'WHERE "{table}".id = v.column1',
                params,
            )


def balances_rebase(*, part_ids, at=None) -> None:
    """Every source of these parts starts its running total again from zero (docs/rules.md).

    One INSERT … SELECT … ON CONFLICT (per batch of parts off PostgreSQL), no row passes
    through Python.
    """
    part_ids = sorted(set(part_ids))
    if not part_ids:
        return
    at = at or timezone.now()
    balances = AllocationBalance._meta.db_table
    sources = ApprovedSource._meta.db_table
    conflict = (
        "ON CONFLICT (source_id) DO UPDATE SET allocated_quantity = 0, "
        "rebased_at = excluded.rebased_at"
    )
    with connection.cursor() as cursor:
        if _postgresql():
            cursor.execute(
                f'INSERT INTO "{balances}" (source_id, allocated_quantity, rebased_at) '
                f'SELECT id, 0, %s FROM "{sources}" WHERE part_id = ANY(%s::bigint[]) {conflict}',
                [at, pg_array(part_ids)],
            )
            return
        for chunk in chunked(part_ids, 1000):
            cursor.execute(
                f'INSERT INTO "{balances}" (source_id, allocated_quantity, rebased_at) '
                f'SELECT id, 0, %s FROM "{sources}" WHERE part_id IN '
                f"({', '.join(['%s'] * len(chunk))}) {conflict}",
                [at, *chunk],
            )


def sources_update(*, shares: dict[int, Decimal], prices: dict[int, Decimal]) -> None:
    """New target shares and unit prices of approved sources (id → value), one UPDATE for
    both on PostgreSQL: a source whose share and price both move is written once."""
    if not _postgresql():
        column_update(ApprovedSource, "target_share_pct", list(shares.items()))
        column_update(ApprovedSource, "unit_price", list(prices.items()))
        return
    ids = sorted(shares.keys() | prices.keys())
    if not ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE "{ApprovedSource._meta.db_table}" AS t '
            "SET target_share_pct = COALESCE(v.share, t.target_share_pct), "
            "unit_price = COALESCE(v.price, t.unit_price) "
            "FROM unnest(%s::bigint[], %s::numeric[], %s::numeric[]) AS v(id, share, price) "
            "WHERE t.id = v.id",
            [
                pg_array(ids),
                pg_array(shares.get(pk) for pk in ids),
                pg_array(prices.get(pk) for pk in ids),
            ],
        )


def tiers_apply(updates, *, actor) -> dict[int, Decimal]:
    """Mark reached tiers applied, audited on the contract; the sources' new unit prices
    (source id → price) are returned for the caller to write with the shares."""
    tiers, sources, changes = [], {}, []
    for tier, reached, source in updates:
        for t in reached:
            before = model_snapshot(t.instance())
            tiers.append(t.pk)
            changes.append(
                Record(
                    contract_id=t.contract_id,
                    object_type="pricetier",
                    object_id=t.pk,
                    kind=ContractChange.Kind.UPDATED.value,
                    actor_id=getattr(actor, "pk", None),
                    before=before,
                    after={**before, "is_applied": True},
                )
            )
        source.unit_price = tier.unit_price
        sources[source.pk] = tier.unit_price
    if _postgresql():
        with connection.cursor() as cursor:
            cursor.execute(
                f'UPDATE "{PriceTier._meta.db_table}" SET is_applied = true '
                "WHERE id = ANY(%s::bigint[])",
                [pg_array(tiers)],
            )
    else:
        PriceTier.objects.filter(pk__in=tiers).update(is_applied=True)
    rows_insert(ContractChange, changes)
    return sources


def rules_mark_fired(*, rule_ids, at) -> None:
    """Stamp `last_fired_at` on the rules that fired, in one UPDATE."""
    rule_ids = sorted(set(rule_ids))
    if not rule_ids:
        return
    if not _postgresql():
        ContractRule.objects.filter(pk__in=rule_ids).update(last_fired_at=at)
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE "{ContractRule._meta.db_table}" SET last_fired_at = %s '
            "WHERE id = ANY(%s::bigint[])",
            [at, pg_array(rule_ids)],
        )
