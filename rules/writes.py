"""The engine's bulk writes: one statement per kind of row, whatever the number of decisions.

On PostgreSQL each write sends its rows as one array per column (`unnest`), so neither
Python nor the server pays per row for building or parsing a statement; elsewhere (the
SQLite test database) the same rows go through Django's bulk writes.
"""

import json
from decimal import Decimal

from django.db import connection, models
from django.utils import timezone

from contracts.models import ContractChange, PriceTier
from contracts.services import _snapshot
from parts.models import ApprovedSource
from rules.models import AllocationBalance, RuleFiring


def _postgresql() -> bool:
    return connection.vendor == "postgresql"


def _array_type(field: models.Field) -> str:
    if field.is_relation:
        field = field.target_field
    return field.rel_db_type(connection) if field.primary_key else field.db_type(connection)


def rows_insert(model: type[models.Model], objs: list[models.Model]) -> None:
    """Insert unsaved instances in one statement and set their ids (`auto_now_add` fields
    set as `save` would). Instances only: no signals, like `bulk_create`."""
    if not objs:
        return
    if not _postgresql():
        model.objects.bulk_create(objs)
        return
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns, arrays, types = [], [], []
    for field in fields:
        if getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False):
            for obj in objs:
                setattr(obj, field.attname, now)
        values = [getattr(obj, field.attname) for obj in objs]
        if isinstance(field, models.JSONField):
            encoder = field.encoder
            values = [None if v is None else json.dumps(v, cls=encoder) for v in values]
        columns.append(f'"{field.column}"')
        arrays.append(values)
        types.append(_array_type(field))
    table = model._meta.db_table
    unnest = ", ".join(f"%s::{t}[]" for t in types)
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{table}" ({", ".join(columns)}) SELECT * FROM unnest({unnest}) '
            f'RETURNING "{model._meta.pk.column}"',
            arrays,
        )
        ids = [row[0] for row in cursor.fetchall()]
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False


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
                [f.rule_id for f in firings],
                [f.part_id for f in firings],
                [f.supplier_id for f in firings],
                [f.metric_value for f in firings],
                [f.outcome for f in firings],
                [f.allocation_change.pk if f.allocation_change else None for f in firings],
                [f.exception.pk if f.exception else None for f in firings],
                [f.reason for f in firings],
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
                [[pk for pk, _ in values], [value for _, value in values]],
            )
            return
        for start in range(0, len(values), batch):
            chunk = values[start : start + batch]
            params = [v for pair in chunk for v in (pair[0], str(pair[1]))]
            rows = ", ".join(["(%s, %s)"] * len(chunk))
            cursor.execute(
                f'UPDATE "{table}" SET "{column}" = v.column2 FROM (VALUES {rows}) AS v '
                f'WHERE "{table}".id = v.column1',
                params,
            )


def balances_rebase(*, part_ids, at=None) -> None:
    """Every source of these parts starts its running total again from zero (SPEC §4).

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
                [at, part_ids],
            )
            return
        for start in range(0, len(part_ids), 1000):
            chunk = part_ids[start : start + 1000]
            cursor.execute(
                f'INSERT INTO "{balances}" (source_id, allocated_quantity, rebased_at) '
                f'SELECT id, 0, %s FROM "{sources}" WHERE part_id IN '
                f"({', '.join(['%s'] * len(chunk))}) {conflict}",
                [at, *chunk],
            )


def tiers_apply(updates, *, actor) -> None:
    """Mark reached tiers applied and set each source's unit price, audited on the contract."""
    tiers, sources, changes = [], [], []
    for tier, reached, source in updates:
        for t in reached:
            before = _snapshot(t)
            t.is_applied = True
            tiers.append(t.pk)
            changes.append(
                ContractChange(
                    contract_id=t.contract_id,
                    object_type="pricetier",
                    object_id=t.pk,
                    kind=ContractChange.Kind.UPDATED,
                    actor=actor,
                    before=before,
                    after={**before, "is_applied": True},
                )
            )
        source.unit_price = tier.unit_price
        sources.append((source.pk, tier.unit_price))
    if _postgresql():
        with connection.cursor() as cursor:
            cursor.execute(
                f'UPDATE "{PriceTier._meta.db_table}" SET is_applied = true '
                "WHERE id = ANY(%s::bigint[])",
                [tiers],
            )
    else:
        PriceTier.objects.filter(pk__in=tiers).update(is_applied=True)
    column_update(ApprovedSource, "unit_price", sources)
    ContractChange.objects.bulk_create(changes)
