"""Writes for parts, their QC checklists and approved sources.

Every write validates here, whatever the entry point (API, admin, import, demo). Source
changes are audited (`SourceChange`: who, when, before → after); shares are internal,
so the audit is too.
"""

import copy
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction

from core.services import BatchValidationError, delete_refusal, model_update, raise_first_error
from core.units import unit_code, unit_error
from parts.category_services import part_category_lookup
from parts.models import ApprovedSource, InspectionCharacteristic, Part, SourceChange

HUNDRED = Decimal("100")
PART_FIELDS = [
    "name",
    "unit",
    "category",
    "specification_reference",
    "specification_revision",
    "is_critical",
]
SOURCE_FIELDS = [
    "part",
    "supplier",
    "target_share_pct",
    "min_share_pct",
    "max_share_pct",
    "unit_price",
    "currency",
    "lead_time_days",
    "monthly_capacity",
    "moq",
    "pack_size",
    "is_active",
]
# What the audit keeps of a source (the terms a buyer negotiates).
AUDITED_FIELDS = SOURCE_FIELDS[2:]


def _add(errors: dict, index: int, field: str, message: str) -> None:
    errors.setdefault(index, {}).setdefault(field, []).append(message)


# --- parts -----------------------------------------------------------------------------


def parts_validate(
    *, parts: list[tuple[Part, list[InspectionCharacteristic]]], existing: bool = False
) -> dict[int, dict[str, list[str]]]:
    """Check a batch of new parts with one query; errors by index. Units are normalised
    in place. `existing=True` skips the number-taken check (updates)."""
    errors: dict[int, dict[str, list[str]]] = {}
    numbers = [part.number for part, _ in parts]
    taken = (
        set()
        if existing
        else set(Part.objects.filter(number__in=numbers).values_list("number", flat=True))
    )
    first: dict[str, int] = {}
    for index, (part, checklist) in enumerate(parts):
        code = unit_code(part.unit)
        if code is None:
            _add(errors, index, "unit", unit_error(part.unit))
        else:
            part.unit = code
        try:
            # The category is a resolved instance (the callers look it up): not re-queried.
            part.full_clean(exclude=["unit", "category"], validate_unique=False)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    _add(errors, index, field, message)
        if part.number in taken:
            _add(errors, index, "number", f"Part {part.number} already exists.")
        elif part.number in first:
            _add(
                errors,
                index,
                "number",
                f"Part {part.number} appears twice (items {first[part.number]} and {index}).",
            )
        else:
            first[part.number] = index
        codes = [c.code for c in checklist]
        repeated = sorted({c for c in codes if codes.count(c) > 1})
        if repeated:
            _add(
                errors,
                index,
                "checklist",
                f"Each checklist code may appear once; repeated: {', '.join(repeated)}.",
            )
        for characteristic in checklist:
            try:
                characteristic.full_clean(exclude=["part"], validate_unique=False)
            except ValidationError as exc:
                _add(errors, index, "checklist", "; ".join(exc.messages))
    return errors


@transaction.atomic
def parts_create(
    *,
    parts: list[tuple[Part, list[InspectionCharacteristic]]],
    batch_size: int = 2000,
    validate: bool = False,
) -> list[Part]:
    """Create parts with their QC checklists in bulk, all or nothing.

    With `validate=True` the batch is checked first (`parts_validate`) and a ValidationError
    maps item index → field errors; without, the caller has validated (demo data).
    """
    if validate:
        errors = parts_validate(parts=parts)
        if errors:
            raise BatchValidationError(errors)
    created = Part.objects.bulk_create([part for part, _ in parts], batch_size=batch_size)
    characteristics = []
    for part, checklist in parts:
        for characteristic in checklist:
            characteristic.part = part
            characteristics.append(characteristic)
    InspectionCharacteristic.objects.bulk_create(characteristics, batch_size=batch_size)
    return created


def part_create(
    *,
    number: str,
    name: str,
    unit: str,
    checklist=(),
    actor=None,
    **fields,
) -> Part:
    """Create a part with its QC checklist (dicts or InspectionCharacteristic instances)."""
    if "category" in fields:
        fields["category"] = part_category_lookup(fields["category"])
    part = Part(number=number, name=name, unit=unit, **fields)
    items = [_characteristic(item) for item in checklist]
    errors = parts_validate(parts=[(part, items)])
    raise_first_error(errors)
    return parts_create(parts=[(part, items)])[0]


def _characteristic(item) -> InspectionCharacteristic:
    if isinstance(item, InspectionCharacteristic):
        return item
    return InspectionCharacteristic(
        code=item["code"],
        description=item.get("description", ""),
        is_critical=item.get("is_critical", False),
    )


@transaction.atomic
def part_update(*, part: Part, data: dict, checklist=None, actor=None) -> Part:
    """Change a part's fields (the number is its key and never changes); a checklist sent
    replaces the whole checklist, matched by code so inspections keep their codes."""
    if "number" in data and data["number"] != part.number:
        raise ValidationError(
            {"number": "The part number is the part's key in every system; it cannot change."}
        )
    data = dict(data)
    if "unit" in data:
        code = unit_code(data["unit"])
        if code is None:
            raise ValidationError({"unit": unit_error(data["unit"])})
        data["unit"] = code
    if "category" in data:
        data["category"] = part_category_lookup(data["category"])
    items = None
    if checklist is not None:
        items = [_characteristic(item) for item in checklist]
        errors = parts_validate(parts=[(copy.copy(part), items)], existing=True)
        raise_first_error(errors)
    model_update(instance=part, fields=PART_FIELDS, data=data)
    if items is not None:
        part_checklist_replace(part=part, checklist=items)
    return part


def part_checklist_replace(*, part: Part, checklist: list[InspectionCharacteristic]) -> None:
    """Make the part's checklist exactly `checklist` (matched by code)."""
    codes = [item.code for item in checklist]
    part.checklist.exclude(code__in=codes).delete()
    for item in checklist:
        item.part = part
    InspectionCharacteristic.objects.bulk_create(
        checklist,
        update_conflicts=True,
        unique_fields=["part", "code"],
        update_fields=["description", "is_critical"],
    )
    # Drop a prefetched checklist so readers see the new one.
    getattr(part, "_prefetched_objects_cache", {}).pop("checklist", None)


@transaction.atomic
def part_delete(*, part: Part, actor=None) -> None:
    """Only a part nothing refers to (sources, orders, contracts, stock, scorecards) may
    be deleted; its own checklist goes with it."""
    reason = delete_refusal(part, owned=("checklist",))
    if reason:
        raise ValidationError(
            {"number": f"Part {part.number} cannot be deleted: {reason} refer to it."}
        )
    sources = list(part.sources.select_related("supplier"))
    _audit(sources, action="delete", actor=actor)
    part.delete()


# --- approved sources ------------------------------------------------------------------


def sources_validate(
    *, sources: list[ApprovedSource], deleted_pks=()
) -> dict[int, dict[str, list[str]]]:
    """Check a batch of sources (new, or changed in memory) in three queries; errors by index.

    Per source: shares within 0 ≤ min ≤ target ≤ max ≤ 100, prices and quantities not
    negative, one source per (part, supplier). Per part: the active target shares, those
    in the batch plus those already stored, may not exceed 100%. `deleted_pks`: stored
    sources the same change removes (an admin page deleting one row and adding another).
    """
    errors: dict[int, dict[str, list[str]]] = {}
    for index, source in enumerate(sources):
        _source_shares_check(errors, index, source)
        _source_fields_check(errors, index, source)
    valid = [s for s in sources if s.part_id is not None and s.supplier_id is not None]
    part_ids = {s.part_id for s in valid}
    own_pks = {s.pk for s in valid if s.pk is not None} | set(deleted_pks)
    pairs = {(s.part_id, s.supplier_id) for s in valid}
    stored = ApprovedSource.objects.filter(part_id__in=part_ids).exclude(pk__in=own_pks)
    taken_pairs = set(stored.values_list("part_id", "supplier_id"))
    # Active shares already stored, apart from the pairs this batch writes.
    taken_share = _active_shares(stored, pairs)
    _source_pairs_check(errors, sources, taken_pairs)
    _part_shares_check(errors, sources, taken_share)
    return errors


def _source_shares_check(errors: dict, index: int, source: ApprovedSource) -> None:
    """0 ≤ min ≤ target ≤ max ≤ 100."""
    low = source.min_share_pct if source.min_share_pct is not None else Decimal("0")
    high = source.max_share_pct if source.max_share_pct is not None else HUNDRED
    target = source.target_share_pct
    for field, value in (("min_share_pct", low), ("max_share_pct", high)):
        if not Decimal("0") <= value <= HUNDRED:
            _add(errors, index, field, "A share lies between 0 and 100.")
    if low > high:
        _add(errors, index, "min_share_pct", f"The minimum ({low}) exceeds the maximum ({high}).")
    if target is not None and not low <= target <= high:
        _add(
            errors,
            index,
            "target_share_pct",
            f"The target share must lie between the minimum ({low}) and maximum ({high}).",
        )


def _source_fields_check(errors: dict, index: int, source: ApprovedSource) -> None:
    """The model's field checks, no negative price or quantity, a part and a supplier."""
    try:
        source.full_clean(
            exclude=["part", "supplier"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            for message in messages:
                _add(errors, index, field, message)
    for field in ("unit_price", "moq", "monthly_capacity"):
        value = getattr(source, field)
        if value is not None and value < 0:
            _add(errors, index, field, "Must not be negative.")
    if source.pack_size is not None and source.pack_size <= 0:
        _add(errors, index, "pack_size", "A pack holds at least some quantity.")
    if source.part_id is None:
        _add(errors, index, "part", "This field is required.")
    if source.supplier_id is None:
        _add(errors, index, "supplier", "This field is required.")


def _source_pairs_check(errors: dict, sources: list[ApprovedSource], taken_pairs: set) -> None:
    """One source per (part, supplier): not stored already, not twice in the batch."""
    first: dict[tuple[int, int], int] = {}
    for index, source in enumerate(sources):
        if source.part_id is None or source.supplier_id is None:
            continue
        pair = (source.part_id, source.supplier_id)
        if pair in taken_pairs:
            _add(
                errors,
                index,
                "supplier",
                f"{source.supplier.code} is already a source of {source.part.number}.",
            )
        elif pair in first:
            _add(
                errors,
                index,
                "supplier",
                f"{source.supplier.code} appears twice as a source of {source.part.number} "
                f"(items {first[pair]} and {index}).",
            )
        else:
            first[pair] = index


def _part_shares_check(
    errors: dict, sources: list[ApprovedSource], taken_share: dict[int, Decimal]
) -> None:
    """A part's active target shares, in the batch and stored, add up to at most 100%."""
    batch_share: dict[int, Decimal] = defaultdict(Decimal)
    last_index: dict[int, int] = {}
    for index, source in enumerate(sources):
        if source.part_id is None or source.supplier_id is None:
            continue
        if source.is_active and source.target_share_pct is not None:
            batch_share[source.part_id] += source.target_share_pct
            last_index[source.part_id] = index
    for part_id, share in batch_share.items():
        taken = taken_share.get(part_id, Decimal("0"))
        if taken + share > HUNDRED:
            index = last_index[part_id]
            number = sources[index].part.number
            _add(
                errors,
                index,
                "target_share_pct",
                f"The active sources of {number} would take {taken + share}%, more than 100%"
                f" ({taken}% is already taken by other sources).",
            )


def _active_shares(stored, pairs: set[tuple[int, int]]) -> dict[int, Decimal]:
    """Active target share per part of the stored sources the batch does not rewrite."""
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for part_id, supplier_id, share in stored.filter(is_active=True).values_list(
        "part_id", "supplier_id", "target_share_pct"
    ):
        if (part_id, supplier_id) not in pairs:
            totals[part_id] += share
    return totals


def _snapshot(source: ApprovedSource) -> dict:
    """The audited terms as JSON; decimals as text with the field's places ("40.00")."""
    out = {}
    for name in AUDITED_FIELDS:
        value = getattr(source, name)
        field = ApprovedSource._meta.get_field(name)
        if value is not None and isinstance(field, models.DecimalField):
            value = f"{Decimal(value):.{field.decimal_places}f}"
        out[name] = value
    return out


def _audit(sources, *, action: str, actor=None, snapshots=None) -> None:
    """One SourceChange per source; `snapshots` are the before-images of updates."""
    actor = actor if getattr(actor, "pk", None) else None
    rows = []
    for i, source in enumerate(sources):
        image = _snapshot(source)
        old = snapshots[i] if snapshots is not None else {}
        if action == "update":
            changed = {k for k in image if image[k] != old.get(k)}
            if not changed:
                continue
            old = {k: old[k] for k in changed}
            image = {k: image[k] for k in changed}
        rows.append(
            SourceChange(
                source=None if action == "delete" else source,
                part_number=source.part.number,
                supplier_code=source.supplier.code,
                action=action,
                actor=actor,
                before=image if action == "delete" else old,
                after={} if action == "delete" else image,
            )
        )
    SourceChange.objects.bulk_create(rows)


@transaction.atomic
def approved_sources_create(
    *,
    sources: list[ApprovedSource],
    batch_size: int = 2000,
    actor=None,
    validate: bool = False,
) -> list[ApprovedSource]:
    """Create approved sources in bulk, all or nothing, each audited.

    With `validate=True` the batch is checked first (`sources_validate`) and refused with a
    `BatchValidationError`; without, the caller keeps each part's shares at 100 (demo data).
    """
    if validate:
        errors = sources_validate(sources=sources)
        if errors:
            raise BatchValidationError(errors)
    created = ApprovedSource.objects.bulk_create(sources, batch_size=batch_size)
    _audit(created, action="create", actor=actor)
    return created


def source_create(*, part: Part, supplier, actor=None, **fields) -> ApprovedSource:
    """Add a supplier as an approved source of a part (validated, audited)."""
    fields.setdefault("min_share_pct", Decimal("0"))
    fields.setdefault("max_share_pct", HUNDRED)
    fields.setdefault("moq", Decimal("1"))
    fields.setdefault("pack_size", Decimal("1"))
    fields.setdefault("is_active", True)
    source = ApprovedSource(part=part, supplier=supplier, **fields)
    raise_first_error(sources_validate(sources=[source]))
    return approved_sources_create(sources=[source], actor=actor)[0]


def source_update(*, source: ApprovedSource, data: dict, actor=None) -> ApprovedSource:
    """Change a source's shares or terms; the change is audited (before → after)."""
    return sources_update(updates=[(source, data)], actor=actor)[0]


@transaction.atomic
def sources_update(
    *, updates: list[tuple[ApprovedSource, dict]], actor=None, deleted_pks=()
) -> list[ApprovedSource]:
    """Change several sources at once, checked together (moving share from one source of a
    part to another is one change, whatever the order); each change is audited."""
    candidates = []
    for source, data in updates:
        candidate = copy.copy(source)
        for name in SOURCE_FIELDS:
            if name in data:
                setattr(candidate, name, data[name])
        candidates.append(candidate)
    raise_first_error(sources_validate(sources=candidates, deleted_pks=deleted_pks))
    changed_sources, befores = [], []
    for source, data in updates:
        before = _snapshot(source)
        _, changed = model_update(instance=source, fields=SOURCE_FIELDS, data=data)
        if changed:
            changed_sources.append(source)
            befores.append(before)
    _audit(changed_sources, action="update", actor=actor, snapshots=befores)
    return [source for source, _ in updates]


@transaction.atomic
def source_delete(*, source: ApprovedSource, actor=None) -> None:
    _audit([source], action="delete", actor=actor)
    source.delete()
