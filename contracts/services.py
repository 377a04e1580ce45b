import datetime as dt
from decimal import Decimal

from django.db import models, transaction

from contracts.models import Contract, ContractChange, ContractRule, PriceTier, VolumeCommitment


def _snapshot(obj: models.Model) -> dict:
    """The audit view of an object: its concrete fields, JSON-safe."""
    data = {}
    for field in obj._meta.concrete_fields:
        value = getattr(obj, field.attname)
        if isinstance(value, dt.date | dt.datetime | Decimal):
            value = value.isoformat() if isinstance(value, dt.date) else str(value)
        data[field.attname] = value
    return data


@transaction.atomic
def contracts_create(
    *,
    contracts: list[Contract],
    rules: list[ContractRule] = (),
    price_tiers: list[PriceTier] = (),
    commitments: list[VolumeCommitment] = (),
    actor=None,
    batch_size: int = 2000,
) -> list[Contract]:
    """Create contracts with their rules, price tiers and volume commitments in bulk, audited.

    Related objects point at the (unsaved) contracts they belong to. Callers validate.
    """
    created = Contract.objects.bulk_create(contracts, batch_size=batch_size)
    ContractRule.objects.bulk_create(rules, batch_size=batch_size)
    PriceTier.objects.bulk_create(price_tiers, batch_size=batch_size)
    VolumeCommitment.objects.bulk_create(commitments, batch_size=batch_size)
    changes = []
    for objs in (created, rules, price_tiers, commitments):
        for obj in objs:
            contract_id = obj.pk if isinstance(obj, Contract) else obj.contract_id
            changes.append(
                ContractChange(
                    contract_id=contract_id,
                    object_type=obj._meta.model_name,
                    object_id=obj.pk,
                    kind=ContractChange.Kind.CREATED,
                    actor=actor,
                    after=_snapshot(obj),
                )
            )
    ContractChange.objects.bulk_create(changes, batch_size=batch_size)
    return created
