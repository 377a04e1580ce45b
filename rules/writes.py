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


def _column_type(field: models.Field) -> str:
    return "jsonb" if isinstance(field, models.JSONField) else _array_type(field)


class Record(SimpleNamespace):
    """A row to insert with `rows_insert`: the model's attribute names (`rule_id`, …), the
    rest its defaults; `pk` is set once written. Thousands of model instances would cost
    more than the INSERT."""

    pk = None


def rows_insert(model: type[models.Model], rows: list) -> None:
    """Insert records (or unsaved instances) in one statement and set their `pk`; fields
    the records leave out take their defaults, `auto_now_add` the time of the insert. The
    records of one call set the same fields. No signals, like `bulk_create`."""
    if not rows:
        return
    now = timezone.now()
    given, fixed, left_out = [], {}, []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        if getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False):
            fixed[field] = now
        elif hasattr(rows[0], field.attname):
            given.append(field)
        else:
            fixed[field] = field.get_default()
            left_out.append(field.attname)
    if any(hasattr(row, name) for row in rows[1:] for name in left_out):
        raise ValueError(f"The {model.__name__} records to insert set different fields.")
    if _postgresql():
        ids = _pg_rows_insert(model, given, fixed, rows)
    else:
        values = {f.attname: value for f, value in fixed.items()}
        objs = [model(**{f.attname: getattr(r, f.attname) for f in given}, **values) for r in rows]
        ids = [obj.pk for obj in model.objects.bulk_create(objs)]
    for row, pk in zip(rows, ids, strict=True):
        row.pk = pk


def _pg_rows_insert(model: type[models.Model], given: list, fixed: dict, rows: list) -> list:
    """One INSERT … SELECT over one `unnest` of one array per field the records set (a
    JSON field as the text of each document, parsed row by row), the other fields one
    value each. Ids in the rows' order."""
    names, arrays, params, scalars = [], [], [], []
    for i, field in enumerate(given):
        values = (getattr(row, field.attname) for row in rows)
        if isinstance(field, models.JSONField):
            encoder = field.encoder
            values = (None if v is None else json.dumps(v, cls=encoder) for v in values)
            names.append(f"v.c{i}::jsonb")
            arrays.append("%s::text[]")
        else:
            names.append(f"v.c{i}")
            arrays.append(f"%s::{_array_type(field)}[]")
        params.append(pg_array(values))
    for field, value in fixed.items():
        if isinstance(field, models.JSONField):
            value = None if value is None else json.dumps(value, cls=field.encoder)
        names.append(f"%s::{_column_type(field)}")
        scalars.append(value)
    columns = ", ".join(f'"{f.column}"' for f in [*given, *fixed])
    aliases = ", ".join(f"c{i}" for i in range(len(given)))
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{model._meta.db_table}" ({columns}) SELECT {", ".join(names)} '
            f"FROM unnest({', '.join(arrays)}) WITH ORDINALITY AS v({aliases}, n) "
            f'ORDER BY v.n RETURNING "{model._meta.pk.column}"',
            scalars + params,  # the SELECT's values come before the FROM's arrays
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
