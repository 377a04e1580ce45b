"""Regional risk of a part's supply (docs/qualification.md, "Regional risk"): the target
shares of its usable sources by region and by country, and their concentration (HHI)."""

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet
from django.utils import timezone

from parts.models import ApprovedSource, Part
from suppliers.models import Supplier

HUNDRED = Decimal("100")
NO_REGION = "(no region)"


def hhi(shares_pct: Mapping[str, Decimal]) -> Decimal | None:
    """`Σ (share / 100)²` over shares summing to 100: 1.0 all in one, 0.5 two at 50/50;
    None when there is nothing to measure."""
    if not shares_pct:
        return None
    value = sum(((Decimal(s) / HUNDRED) ** 2 for s in shares_pct.values()), Decimal("0"))
    return value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def shares_by(rows: list[tuple[str, Decimal]]) -> dict[str, Decimal]:
    """Target shares summed per key and re-based over the usable sources to total 100 (an
    unusable source's share is not supply the part can count on); equal split when all
    usable shares are zero."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for key, share in rows:
        totals[key] += Decimal(share)
    whole = sum(totals.values(), Decimal("0"))
    if not totals:
        return {}
    if not whole:
        counts: dict[str, int] = defaultdict(int)
        for key, _ in rows:
            counts[key] += 1
        return {k: (HUNDRED * n / len(rows)).quantize(Decimal("0.01")) for k, n in counts.items()}
    return {k: (HUNDRED * v / whole).quantize(Decimal("0.01")) for k, v in totals.items()}


@dataclass
class PartRisk:
    part: Part
    usable_sources: int = 0
    regions: dict[str, Decimal] = field(default_factory=dict)
    countries: dict[str, Decimal] = field(default_factory=dict)

    @property
    def region_hhi(self) -> Decimal | None:
        return hhi(self.regions)

    @property
    def country_hhi(self) -> Decimal | None:
        return hhi(self.countries)

    @property
    def single_sourced(self) -> bool:
        return self.usable_sources < 2

    @property
    def single_region(self) -> bool:
        """Two or more usable sources, all in one region."""
        return self.usable_sources >= 2 and len(self.regions) == 1


def sourcing_risk(parts: QuerySet[Part], *, as_of: dt.date | None = None) -> list[PartRisk]:
    """Every part's regional risk over its usable sources, in two queries, ranked by
    concentration (region HHI, then country HHI, highest first; no usable source first)."""
    as_of = as_of or timezone.localdate()
    risks = {p.pk: PartRisk(part=p) for p in parts.select_related("category")}
    by_part: dict[int, list[tuple[str, str, Decimal]]] = defaultdict(list)
    for part_id, region, country, share in ApprovedSource.objects.filter(
        part_id__in=list(risks),
        is_active=True,
        supplier__in=Supplier.objects.usable(as_of).values("pk"),
    ).values_list("part_id", "supplier__region", "supplier__country", "target_share_pct"):
        by_part[part_id].append((region or NO_REGION, str(country), share))
    for part_id, rows in by_part.items():
        risk = risks[part_id]
        risk.usable_sources = len(rows)
        risk.regions = shares_by([(region, share) for region, _, share in rows])
        risk.countries = shares_by([(country, share) for _, country, share in rows])

    def rank(risk: PartRisk):
        region = risk.region_hhi if risk.region_hhi is not None else Decimal("2")
        country = risk.country_hhi if risk.country_hhi is not None else Decimal("2")
        return (-region, -country, risk.part.number)

    return sorted(risks.values(), key=rank)


def flag(value) -> bool | None:
    """A yes/no filter value (`true`, `false`, empty); ValueError otherwise."""
    if value in (None, ""):
        return None
    text = str(value).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    raise ValueError(f"Use true or false, not '{text[:10]}'.")


def sourcing_risk_filtered(
    parts: QuerySet[Part], *, region=None, single_region=None, single_sourced=None
) -> list[PartRisk]:
    """`sourcing_risk`, kept to the parts with a usable source in `region` and the flags
    asked for (filter values as sent; ValueError on a bad flag)."""
    single_region, single_sourced = flag(single_region), flag(single_sourced)
    rows = sourcing_risk(parts)
    if single_region is not None:
        rows = [r for r in rows if r.single_region == single_region]
    if single_sourced is not None:
        rows = [r for r in rows if r.single_sourced == single_sourced]
    wanted = (region or "").strip().lower()
    if wanted:
        rows = [r for r in rows if wanted in {k.lower() for k in r.regions}]
    return rows
