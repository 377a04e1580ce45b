import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from contracts.models import Contract, ContractChange, ContractRule, PriceTier, VolumeCommitment
from core import task_names
from core.services import delete_refusal
from core.services import model_snapshot as _snapshot
from core.tasks import task_queue_safely
from outbox import services as outbox_services


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
    # Bulk loads (demo data, imports) refresh once at the end: the cells wait for that.
    _kpi_cells_mark(*(_snapshot(contract) for contract in created), queue=False)
    return created


# --- one write per object, each audited ------------------------------------------------

# A change to these refreshes the supplier's scorecards (OTD is measured with them).
KPI_FIELDS = frozenset({"early_tolerance_days", "late_tolerance_days", "valid_from", "valid_to"})
CONTRACT_FIELDS = (
    "supplier",
    "reference",
    "valid_from",
    "valid_to",
    "early_tolerance_days",
    "late_tolerance_days",
    "invoice_quantity_tolerance",
    "invoice_price_tolerance_pct",
    "otd_target_pct",
    "defect_ppm_target",
    "over_delivery_tolerance_pct",
    "notes",
)
RULE_FIELDS = (
    "name",
    "part",
    "metric",
    "window",
    "window_days",
    "comparator",
    "threshold",
    "action",
    "amount",
    "cooldown_days",
    "is_active",
)
TIER_FIELDS = ("part", "min_quantity", "unit_price")
COMMITMENT_FIELDS = ("part", "min_quantity_per_year", "max_quantity_per_year")
# Only the 90-day rolling window is stored on the scorecards (docs/kpis.md).
STORED_ROLLING_DAYS = 90


def _audit(*, contract_id: int, obj, kind: str, actor, before=None, after=None) -> None:
    ContractChange.objects.create(
        contract_id=contract_id,
        object_type=obj._meta.model_name,
        object_id=obj.pk,
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        before=before,
        after=after,
    )


def _assign(obj, fields: tuple[str, ...], data: dict) -> None:
    unknown = set(data) - set(fields)
    if unknown:
        raise ValidationError({name: "This field cannot be set here." for name in sorted(unknown)})
    for name, value in data.items():
        setattr(obj, name, value)


def _full_clean(obj, **kwargs) -> None:
    try:
        obj.full_clean(**kwargs)
    except ValidationError as error:
        raise ValidationError(error.message_dict) from None


def _kpi_cells_mark(*snapshots: dict | None, queue: bool = True) -> None:
    """A contract's tolerances reach every month its validity covers, before and after the
    change, up to this month (later months are refreshed when their time comes): record
    those cells in the outbox, in this transaction, and queue the engine pipeline once it
    commits."""
    today = timezone.localdate()
    cells = set()
    for snapshot in snapshots:
        if not snapshot or not snapshot.get("valid_from"):
            continue
        first = dt.date.fromisoformat(str(snapshot["valid_from"]))
        last = min(dt.date.fromisoformat(str(snapshot.get("valid_to") or "9999-12-31")), today)
        supplier_id = int(snapshot["supplier_id"])
        cells.update((supplier_id, month) for month in outbox_services.months_between(first, last))
    if not cells:
        return
    outbox_services.cells_mark(cells=cells)
    if not queue:
        return
    ids = sorted({supplier_id for supplier_id, _ in cells})
    transaction.on_commit(
        lambda: task_queue_safely(task_names.PIPELINE, ids, timezone.now().isoformat())
    )


def _contract_validate(contract: Contract) -> None:
    _full_clean(contract, validate_constraints=False)
    if contract.valid_to and contract.valid_to < contract.valid_from:
        raise ValidationError({"valid_to": "A contract cannot end before it starts."})
    if not 0 <= contract.otd_target_pct <= 100:
        raise ValidationError({"otd_target_pct": "A percentage between 0 and 100."})


@transaction.atomic
def contract_create(*, actor=None, **fields) -> Contract:
    contract = Contract()
    _assign(contract, CONTRACT_FIELDS, fields)
    _contract_validate(contract)
    contract.save()
    _audit(
        contract_id=contract.pk,
        obj=contract,
        kind=ContractChange.Kind.CREATED,
        actor=actor,
        after=_snapshot(contract),
    )
    _kpi_cells_mark(_snapshot(contract))
    return contract


@transaction.atomic
def contract_update(*, contract: Contract, actor=None, **fields) -> Contract:
    """Change a contract; its reference and supplier are fixed once created."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    for fixed in ("reference", "supplier"):
        if fixed in fields and getattr(contract, fixed) != fields[fixed]:
            raise ValidationError({fixed: f"The contract {fixed} cannot change."})
    before = _snapshot(contract)
    _assign(contract, CONTRACT_FIELDS, fields)
    _contract_validate(contract)
    after = _snapshot(contract)
    if after == before:
        return contract
    contract.save()
    _audit(
        contract_id=contract.pk,
        obj=contract,
        kind=ContractChange.Kind.UPDATED,
        actor=actor,
        before=before,
        after=after,
    )
    if any(before[name] != after[name] for name in KPI_FIELDS):
        _kpi_cells_mark(before, after)
    return contract


@transaction.atomic
def contract_delete(*, contract: Contract, actor=None) -> None:
    """Only an empty contract may go; one with rules, tiers or commitments is ended with
    `valid_to` instead, so its audit trail stays."""
    if contract.rules.exists() or contract.price_tiers.exists() or contract.commitments.exists():
        raise ValidationError(
            {
                "reference": "This contract has rules, price tiers or volume commitments; "
                "end it by setting its end date instead."
            }
        )
    reason = delete_refusal(contract, owned=("changes",))
    if reason:
        raise ValidationError(
            {"reference": f"{contract.reference} cannot be deleted: {reason} refer to it."}
        )
    before = _snapshot(contract)
    contract.delete()
    _kpi_cells_mark(before)


# What a threshold can be, per metric: a rule that can never (or always) fire is refused.
_PERCENT_METRICS = frozenset(
    {"otd_pct", "otif_pct", "composite_score", "esg_score", "predicted_otd_pct"}
)
_THRESHOLD_WORDS = {
    "defect_ppm": "A defect rate in PPM between 0 and 1,000,000.",
    "lead_time_mean_days": "A number of days cannot be negative.",
    "lead_time_p90_days": "A number of days cannot be negative.",
    "landed_cost_index": "A cost index cannot be negative.",
    "ordered_quantity_ytd": "A quantity cannot be negative.",
}


def _threshold_problem(rule: ContractRule) -> str | None:
    threshold = rule.threshold
    if threshold is None:
        return None
    if rule.metric in _PERCENT_METRICS:
        return None if 0 <= threshold <= 100 else "A percentage (or score) between 0 and 100."
    if rule.metric == "defect_ppm" and threshold > 1_000_000:
        return _THRESHOLD_WORDS["defect_ppm"]
    if threshold < 0:
        return _THRESHOLD_WORDS.get(rule.metric, "The threshold cannot be negative.")
    return None


def contract_rule_check(rule: ContractRule) -> None:
    """Every check a rule must pass before it is saved (forms call it to show field errors)."""
    _full_clean(rule, exclude=["contract"], validate_unique=False, validate_constraints=False)
    errors = {}
    Metric, Action = ContractRule.Metric, ContractRule.Action  # noqa: N806
    if (
        rule.window == ContractRule.Window.ROLLING_DAYS
        and rule.metric not in (Metric.ORDERED_QUANTITY_YTD, Metric.PREDICTED_OTD_PCT)
        and rule.window_days != STORED_ROLLING_DAYS
    ):
        errors["window_days"] = (
            f"Scorecards keep a {STORED_ROLLING_DAYS}-day rolling window: use "
            f"{STORED_ROLLING_DAYS} days, or the calendar-month window."
        )
    if rule.action == Action.SHIFT_SHARE and not (0 < rule.amount <= 100):
        errors["amount"] = "Move between 0 and 100 points of share."
    if rule.action == Action.PRICE_TIER and rule.metric != Metric.ORDERED_QUANTITY_YTD:
        errors["metric"] = "A price-tier rule watches the ordered quantity year-to-date."
    if (problem := _threshold_problem(rule)) is not None:
        errors["threshold"] = problem
    if (
        rule.part_id
        and rule.contract_id
        and not rule.part.sources.filter(supplier_id=rule.contract.supplier_id).exists()
    ):
        errors["part"] = (
            f"{rule.contract.supplier.code} is not a source of part {rule.part.number}."
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def contract_rule_create(*, contract: Contract, actor=None, **fields) -> ContractRule:
    return _child_create(
        ContractRule(contract=contract), RULE_FIELDS, fields, contract_rule_check, actor=actor
    )


@transaction.atomic
def contract_rule_update(*, rule: ContractRule, actor=None, **fields) -> ContractRule:
    rule = (
        ContractRule.objects.select_for_update()
        .select_related("contract__supplier")
        .get(pk=rule.pk)
    )
    return _child_update(rule, RULE_FIELDS, fields, contract_rule_check, actor=actor)


def _child_create(obj, names: tuple[str, ...], fields: dict, validate, *, actor):
    """Create a rule, tier or commitment of a contract: validated, saved, audited."""
    _assign(obj, names, fields)
    validate(obj)
    obj.save()
    _audit(
        contract_id=obj.contract_id,
        obj=obj,
        kind=ContractChange.Kind.CREATED,
        actor=actor,
        after=_snapshot(obj),
    )
    return obj


def _child_update(obj, names: tuple[str, ...], fields: dict, validate, *, actor):
    """Change a locked rule, tier or commitment; audited only when something changed."""
    before = _snapshot(obj)
    _assign(obj, names, fields)
    validate(obj)
    after = _snapshot(obj)
    if after != before:
        obj.save()
        _audit(
            contract_id=obj.contract_id,
            obj=obj,
            kind=ContractChange.Kind.UPDATED,
            actor=actor,
            before=before,
            after=after,
        )
    return obj


def _child_delete(obj, *, actor) -> None:
    before = _snapshot(obj)
    pk, contract_id = obj.pk, obj.contract_id
    obj.delete()
    obj.pk = pk
    _audit(
        contract_id=contract_id,
        obj=obj,
        kind=ContractChange.Kind.DELETED,
        actor=actor,
        before=before,
    )


@transaction.atomic
def contract_rule_delete(*, rule: ContractRule, actor=None) -> None:
    _child_delete(rule, actor=actor)


def _tier_validate(tier: PriceTier) -> None:
    _full_clean(tier, exclude=["contract"], validate_constraints=False)
    errors = {}
    if tier.min_quantity is not None and tier.min_quantity < 0:
        errors["min_quantity"] = "A quantity cannot be negative."
    if tier.unit_price is not None and tier.unit_price < 0:
        errors["unit_price"] = "A price cannot be negative."
    clash = PriceTier.objects.filter(
        contract_id=tier.contract_id, part_id=tier.part_id, min_quantity=tier.min_quantity
    ).exclude(pk=tier.pk)
    if tier.part_id and clash.exists():
        errors["min_quantity"] = "This part already has a tier from this quantity."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def price_tier_create(*, contract: Contract, actor=None, **fields) -> PriceTier:
    return _child_create(
        PriceTier(contract=contract), TIER_FIELDS, fields, _tier_validate, actor=actor
    )


@transaction.atomic
def price_tier_update(*, tier: PriceTier, actor=None, **fields) -> PriceTier:
    tier = PriceTier.objects.select_for_update().get(pk=tier.pk)
    return _child_update(tier, TIER_FIELDS, fields, _tier_validate, actor=actor)


@transaction.atomic
def price_tier_delete(*, tier: PriceTier, actor=None) -> None:
    _child_delete(tier, actor=actor)


def _commitment_validate(commitment: VolumeCommitment) -> None:
    _full_clean(commitment, exclude=["contract"], validate_constraints=False)
    low, high = commitment.min_quantity_per_year, commitment.max_quantity_per_year
    errors = {}
    if low is not None and low < 0:
        errors["min_quantity_per_year"] = "A quantity cannot be negative."
    if high is not None and low is not None and high < low:
        errors["max_quantity_per_year"] = "The maximum cannot be below the minimum."
    clash = VolumeCommitment.objects.filter(
        contract_id=commitment.contract_id, part_id=commitment.part_id
    ).exclude(pk=commitment.pk)
    if commitment.part_id and clash.exists():
        errors["part"] = "This contract already has a commitment for this part."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def volume_commitment_create(*, contract: Contract, actor=None, **fields) -> VolumeCommitment:
    commitment = VolumeCommitment(contract=contract)
    return _child_create(commitment, COMMITMENT_FIELDS, fields, _commitment_validate, actor=actor)


@transaction.atomic
def volume_commitment_update(
    *, commitment: VolumeCommitment, actor=None, **fields
) -> VolumeCommitment:
    commitment = VolumeCommitment.objects.select_for_update().get(pk=commitment.pk)
    return _child_update(commitment, COMMITMENT_FIELDS, fields, _commitment_validate, actor=actor)


@transaction.atomic
def volume_commitment_delete(*, commitment: VolumeCommitment, actor=None) -> None:
    _child_delete(commitment, actor=actor)


_RESTORE = {
    "contractrule": (ContractRule, "rule", contract_rule_check),
    "pricetier": (PriceTier, "tier", _tier_validate),
    "volumecommitment": (VolumeCommitment, "commitment", _commitment_validate),
}


def contract_change_restorable(change: ContractChange) -> bool:
    """A deletion of a rule, tier or commitment whose object has not come back since."""
    if change.kind != ContractChange.Kind.DELETED or change.object_type not in _RESTORE:
        return False
    model = _RESTORE[change.object_type][0]
    return not model.objects.filter(pk=change.object_id).exists()


@transaction.atomic
def contract_child_restore(*, change: ContractChange, actor=None):
    """Undo a deletion: the rule, tier or commitment comes back as it was (same id), checked
    again and audited as created."""
    change = ContractChange.objects.select_for_update().get(pk=change.pk)
    if not contract_change_restorable(change):
        raise ValidationError(
            {"change": "Nothing to restore: it is back already or was not deleted."}
        )
    model, _, validate = _RESTORE[change.object_type]
    fields = {f.attname for f in model._meta.concrete_fields}
    obj = model(**{k: v for k, v in change.before.items() if k in fields})
    if isinstance(obj, ContractRule):
        obj.last_fired_at = None  # a restored rule starts afresh; its cooldown is in the firings
    validate(obj)
    obj.save(force_insert=True)
    _audit(
        contract_id=obj.contract_id,
        obj=obj,
        kind=ContractChange.Kind.CREATED,
        actor=actor,
        after=_snapshot(obj),
    )
    return obj
