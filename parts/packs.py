"""Packaging: an approved source sells whole packs of `pack_size` units (docs/invoices.md)."""

from collections.abc import Iterable
from decimal import ROUND_CEILING, Decimal

from parts.models import ApprovedSource

ONE = Decimal("1")


def pack_count(quantity, pack_size) -> int:
    """How many packs hold `quantity` units (a part pack counts as a whole one)."""
    size = Decimal(pack_size or ONE)
    if quantity is None or quantity <= 0:
        return 0
    return int((Decimal(quantity) / size).to_integral_value(rounding=ROUND_CEILING))


def whole_packs(quantity, pack_size) -> Decimal:
    """`quantity` rounded up to whole packs: 130 units in packs of 50 → 150. The default
    pack of 1 leaves a quantity as it is (a part sold by weight may order 2.5 kg)."""
    size = Decimal(pack_size or ONE)
    if quantity is None or quantity <= 0 or size == ONE:
        return Decimal(quantity or 0)
    return (pack_count(quantity, size) * size).quantize(Decimal("0.001"))


def pack_rounding_note(quantity, rounded, pack_size) -> str:
    """Why an ordered quantity differs from the one asked for ("" when it does not)."""
    if rounded == quantity:
        return ""
    packs = pack_count(rounded, pack_size)
    return (
        f"rounded up from {Decimal(quantity).normalize():f} to {packs} whole pack"
        f"{'s' if packs != 1 else ''} of {Decimal(pack_size).normalize():f}"
    )


def pack_sizes(*, pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], Decimal]:
    """(part id, supplier id) → the source's pack size, in one query (missing: 1)."""
    pairs = set(pairs)
    if not pairs:
        return {}
    rows = ApprovedSource.objects.filter(
        part_id__in={p for p, _ in pairs}, supplier_id__in={s for _, s in pairs}
    ).values_list("part_id", "supplier_id", "pack_size")
    found = {(p, s): size for p, s, size in rows if (p, s) in pairs}
    return {pair: found.get(pair, ONE) for pair in pairs}
