"""Order allocation (docs/rules.md): split one demand over a part's usable sources, like an ERP's
quota arrangement, and turn the split into purchase orders.

1. Only usable sources take quantity (approved supplier, no required certificate expired).
2. Target shares, corrected by running totals: each source's cumulative quantity since its
   shares were re-based should track its share, so the one furthest below is served first.
3. Free capacity this month (monthly capacity minus open order lines expected that month);
   what does not fit moves to the other sources, and what fits nowhere is a shortfall.
4. MOQ: a line below its minimum order moves to another source that has room, or is
   raised to the MOQ when it cannot.
5. Whole units for parts counted in pieces or sets; the remainder goes to the largest
   fractions.
6. Whole packs: a line to a source with a pack size above 1 is rounded up to whole packs.
Every line whose quantity differs from the plain share split says why.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from core.units import COUNTED_UNITS
from parts.models import ApprovedSource, Part
from parts.packs import pack_rounding_note, whole_packs
from purchasing.models import PurchaseOrder, PurchaseOrderLine
from purchasing.services import purchase_order_create, purchase_order_line_build
from rules.models import AllocationBalance
from rules.selectors import expired_certificate_supplier_ids, unusable_reason
from suppliers.models import Supplier

_MILLI = Decimal("0.001")
_ZERO = Decimal(0)
MAX_QUANTITY = Decimal("1000000000")


@dataclass
class SplitLine:
    source: ApprovedSource
    share_pct: Decimal  # the share the split works from (re-normalised over usable sources)
    quantity: Decimal = _ZERO
    plain_quantity: Decimal = _ZERO  # quantity × share, before any correction
    reasons: list[str] = field(default_factory=list)
    usable: bool = True
    free_capacity: Decimal | None = None
    allocated_since_rebase: Decimal = _ZERO

    @property
    def supplier(self) -> Supplier:
        return self.source.supplier

    @property
    def reason(self) -> str:
        if self.reasons:
            return "; ".join(self.reasons)
        return f"target share {self.share_pct.normalize():f} %"


@dataclass
class Split:
    part: Part
    quantity: Decimal
    need_date: dt.date
    lines: list[SplitLine]
    unallocated: Decimal = _ZERO
    notes: list[str] = field(default_factory=list)
    purchase_orders: list[str] = field(default_factory=list)  # numbers, once placed

    @property
    def ordered_lines(self) -> list[SplitLine]:
        return [line for line in self.lines if line.quantity > 0]


def _month(day: dt.date) -> tuple[dt.date, dt.date]:
    start = day.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    return start, end


def _validate(part, quantity, need_date) -> Decimal:
    errors = {}
    try:
        quantity = Decimal(str(quantity))
    except (ArithmeticError, ValueError, TypeError):
        errors["quantity"] = "A number."
    else:
        if not quantity.is_finite() or quantity <= 0:
            errors["quantity"] = "A quantity above zero."
        elif quantity > MAX_QUANTITY:
            errors["quantity"] = f"At most {MAX_QUANTITY:,} per demand."
        elif part.unit in COUNTED_UNITS and quantity != quantity.to_integral_value():
            errors["quantity"] = (
                f"Part {part.number} is counted in whole {part.get_unit_display()}."
            )
    if not isinstance(need_date, dt.date):
        errors["need_date"] = "A date (YYYY-MM-DD)."
    if errors:
        raise ValidationError(errors)
    return quantity


def demand_split(*, part: Part, quantity, need_date: dt.date) -> Split:
    """Split a demand over the part's sources; nothing is written."""
    quantity = _validate(part, quantity, need_date)
    sources = list(
        ApprovedSource.objects.filter(part=part, is_active=True)
        .select_related("supplier")
        .order_by("-target_share_pct", "supplier__code")
    )
    if not sources:
        raise ValidationError({"part": f"Part {part.number} has no approved source."})
    lines, usable = _split_lines(part, sources, need_date)
    if not usable:
        raise ValidationError(
            {"part": f"Part {part.number} has no usable source with a share to order from."}
        )
    split = Split(part=part, quantity=quantity, need_date=need_date, lines=lines)
    _shares_apply(split, usable)
    _limits_apply(split, usable)
    return split


def _split_lines(
    part: Part, sources: list[ApprovedSource], need_date: dt.date
) -> tuple[list[SplitLine], list[SplitLine]]:
    """A line per source with its running total and free capacity; (all, usable ones)."""
    today = timezone.localdate()
    expired = expired_certificate_supplier_ids(
        supplier_ids=[s.supplier_id for s in sources], as_of=today
    )
    balances = dict(
        AllocationBalance.objects.filter(source__in=sources).values_list(
            "source_id", "allocated_quantity"
        )
    )
    booked = _booked(part, sources, need_date)
    lines, usable = [], []
    for source in sources:
        why_not = unusable_reason(
            status=source.supplier.status, certificate_expired=source.supplier_id in expired
        )
        line = SplitLine(source=source, share_pct=source.target_share_pct)
        line.allocated_since_rebase = balances.get(source.pk, _ZERO)
        if source.monthly_capacity is not None:
            line.free_capacity = max(
                _ZERO, source.monthly_capacity - booked.get(source.supplier_id, _ZERO)
            )
        if why_not:
            line.usable = False
            line.reasons.append(f"not usable: {why_not}")
        elif source.target_share_pct > 0:
            usable.append(line)
        else:
            line.reasons.append("no target share")
        lines.append(line)
    return lines, usable


def _booked(part: Part, sources: list[ApprovedSource], need_date: dt.date) -> dict:
    """Open order-line quantity per supplier expected in the need date's month."""
    start, end = _month(need_date)
    return {
        row["purchase_order__supplier_id"]: row["total"]
        for row in PurchaseOrderLine.objects.filter(
            part=part,
            purchase_order__supplier_id__in=[s.supplier_id for s in sources],
            expected_date__gte=start,
            expected_date__lt=end,
            status=PurchaseOrderLine.Status.OPEN,
        )
        .values("purchase_order__supplier_id")
        .annotate(total=Sum("quantity"))
    }


def _shares_apply(split: Split, usable: list[SplitLine]) -> None:
    """Steps 1–2: shares re-normalised over the usable sources, corrected by running totals."""
    quantity = split.quantity
    total_share = sum(line.share_pct for line in usable)
    if total_share != 100:
        split.notes.append(
            f"Shares re-normalised over the usable sources ({total_share.normalize():f} % of 100)."
        )
    for line in usable:
        line.share_pct = (line.share_pct * 100 / total_share).quantize(Decimal("0.01"))
        line.plain_quantity = quantity * line.share_pct / 100
    plan = _running_totals(usable, quantity)
    for line in usable:
        line.quantity = plan[line.source.pk]
        if abs(line.quantity - line.plain_quantity) > _MILLI:
            direction = "below" if line.quantity > line.plain_quantity else "above"
            line.reasons.append(
                f"running total: {line.allocated_since_rebase.normalize():f} allocated since "
                f"the last re-base puts it {direction} its share"
            )


def _limits_apply(split: Split, usable: list[SplitLine]) -> None:
    """Steps 3–6: free capacity, MOQ, whole units and whole packs."""
    start, _ = _month(split.need_date)
    split.unallocated = _capacity(usable, month=start)
    _moq(usable)
    if split.part.unit in COUNTED_UNITS:
        split.unallocated += _whole_units(usable, split.quantity - split.unallocated)
    else:
        for line in usable:
            line.quantity = line.quantity.quantize(_MILLI)
    extra = _whole_packs(usable)
    if extra > 0:
        split.notes.append(f"Whole packs: {extra.normalize():f} more than the demand is ordered.")
    if split.unallocated > 0:
        split.notes.append(
            f"Shortfall of {split.unallocated.normalize():f}: no usable source has free "
            f"capacity for it in {start:%Y-%m}."
        )


def _running_totals(lines: list[SplitLine], quantity: Decimal) -> dict[int, Decimal]:
    """Serve each source so its cumulative quantity tracks its share; a source already above
    its share gets nothing this time (water-filling over the others)."""
    active = list(lines)
    while True:
        share = sum(line.share_pct for line in active)
        total = sum(line.allocated_since_rebase for line in active) + quantity
        plan = {
            line.source.pk: total * line.share_pct / share - line.allocated_since_rebase
            for line in active
        }
        negative = [line for line in active if plan[line.source.pk] < 0]
        if not negative:
            break
        active = [line for line in active if line not in negative]
    return {line.source.pk: plan.get(line.source.pk, _ZERO) for line in lines}


def _deficit(line: SplitLine) -> Decimal:
    return line.plain_quantity - line.quantity


def _capacity(lines: list[SplitLine], *, month: dt.date) -> Decimal:
    overflow = _ZERO
    for line in lines:
        if line.free_capacity is not None and line.quantity > line.free_capacity:
            overflow += line.quantity - line.free_capacity
            line.reasons.append(
                f"capacity: only {line.free_capacity.normalize():f} free in {month:%Y-%m}"
            )
            line.quantity = line.free_capacity
    for line in sorted(lines, key=_deficit, reverse=True):
        if overflow <= 0:
            break
        room = overflow if line.free_capacity is None else line.free_capacity - line.quantity
        taken = min(room, overflow)
        if taken > 0:
            line.quantity += taken
            overflow -= taken
            line.reasons.append(f"takes {taken.normalize():f} another source has no capacity for")
    return overflow


def _room(line: SplitLine) -> Decimal | None:
    return None if line.free_capacity is None else line.free_capacity - line.quantity


def _moq(lines: list[SplitLine]) -> None:
    for line in lines:
        moq = line.source.moq
        if not 0 < line.quantity < moq:
            continue
        takers = [
            other
            for other in sorted(lines, key=lambda o: o.quantity, reverse=True)
            if other is not line
            and other.quantity > 0
            and (_room(other) is None or _room(other) >= line.quantity)
        ]
        if takers:
            taker = takers[0]
            taker.quantity += line.quantity
            taker.reasons.append(
                f"takes {line.quantity.normalize():f} that is below {line.supplier.code}'s MOQ"
            )
            line.reasons.append(
                f"MOQ: {line.quantity.normalize():f} is below the minimum order of "
                f"{moq.normalize():f}; moved to {taker.supplier.code}"
            )
            line.quantity = _ZERO
        elif line.free_capacity is None or line.free_capacity >= moq:
            line.reasons.append(
                f"MOQ: raised from {line.quantity.normalize():f} to the minimum order of "
                f"{moq.normalize():f}"
            )
            line.quantity = moq


def _whole_units(lines: list[SplitLine], wanted: Decimal) -> Decimal:
    """Round down to whole units, then give the remaining units to the largest fractions;
    returns what could not be placed within capacity."""
    fractions = []
    for line in lines:
        whole = line.quantity.to_integral_value(rounding=ROUND_DOWN)
        fractions.append((line.quantity - whole, line))
        line.quantity = whole
    remaining = wanted.to_integral_value() - sum(line.quantity for line in lines)
    for fraction, line in sorted(fractions, key=lambda pair: pair[0], reverse=True):
        if remaining <= 0:
            break
        if fraction == 0 or (_room(line) is not None and _room(line) < 1):
            continue
        line.quantity += 1
        remaining -= 1
        line.reasons.append("rounding: one more whole unit")
    for fraction, line in fractions:
        if fraction and "rounding: one more whole unit" not in line.reasons:
            line.reasons.append("rounding: whole units")
    return max(remaining, _ZERO)


def _whole_packs(lines: list[SplitLine]) -> Decimal:
    """Round every ordered line up to its source's whole packs; returns the units added."""
    added = _ZERO
    for line in lines:
        rounded = whole_packs(line.quantity, line.source.pack_size)
        if line.quantity > 0 and rounded != line.quantity:
            line.reasons.append(pack_rounding_note(line.quantity, rounded, line.source.pack_size))
            added += rounded - line.quantity
            line.quantity = rounded
    return added


@transaction.atomic
def demand_split_order(
    *, part: Part, quantity, need_date: dt.date, user=None
) -> tuple[Split, list[PurchaseOrder]]:
    """Split a demand and place one purchase order per source that gets a quantity; the
    sources' running totals grow by what they received."""
    split = demand_split(part=part, quantity=quantity, need_date=need_date)
    today = timezone.localdate()
    orders = []
    for line in split.ordered_lines:
        source = line.source
        orders.append(
            purchase_order_create(
                number="",  # the day's gapless sequence
                supplier=source.supplier,
                order_date=today,
                currency=source.currency,
                lines=[
                    purchase_order_line_build(
                        line_number=1,
                        part=part,
                        quantity=line.quantity,
                        unit_price=source.unit_price,
                        requested_date=need_date,
                    )
                ],
                created_by=user,
            )
        )
    now = timezone.now()
    for line in split.ordered_lines:
        _, created = AllocationBalance.objects.get_or_create(
            source=line.source,
            defaults={"allocated_quantity": line.quantity, "rebased_at": now},
        )
        if not created:
            AllocationBalance.objects.filter(source=line.source).update(
                allocated_quantity=F("allocated_quantity") + line.quantity
            )
    return split, orders
