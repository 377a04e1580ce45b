"""What the generators share: the size of a demo, its dates and the in-memory plan of suppliers,
parts and sources that the order history is drawn from."""

import datetime as dt
from dataclasses import dataclass, field

from demo.generators.catalogue import Category, Country
from parts.models import ApprovedSource, InspectionCharacteristic, Part
from suppliers.models import Supplier


@dataclass(frozen=True)
class DemoSize:
    suppliers: int
    parts: int
    order_lines: int  # purchase order lines over the whole history, roughly
    months: int  # months of history, ending with the current month
    degrading_suppliers: int


SIZES: dict[str, DemoSize] = {
    # For tests: every feature of the demo, in a few seconds.
    "tiny": DemoSize(suppliers=10, parts=40, order_lines=1_500, months=12, degrading_suppliers=2),
    "small": DemoSize(
        suppliers=40, parts=300, order_lines=20_000, months=24, degrading_suppliers=3
    ),
    # The budget scale of docs/performance.md.
    "large": DemoSize(
        suppliers=2_000,
        parts=20_000,
        order_lines=1_000_000,
        months=36,
        degrading_suppliers=20,
    ),
}

# Degrading suppliers slide over this many days before "today".
DEGRADATION_DAYS = 182
# Where a degrading supplier ends up: share of lines fully on time, and defect PPM.
DEGRADED_RELIABILITY = 0.35
DEGRADED_PPM = 18_000.0


@dataclass
class Calendar:
    today: dt.date
    first_month: dt.date  # first day of the first month of history

    @property
    def degradation_start(self) -> dt.date:
        return self.today - dt.timedelta(days=DEGRADATION_DAYS)

    def degradation(self, day: dt.date) -> float:
        """0 before a degrading supplier starts to slip, rising to 1 on `today`; the slide is
        steepest at first, so it shows within a month or two."""
        progress = (day - self.degradation_start).days / DEGRADATION_DAYS
        return min(max(progress, 0.0), 1.0) ** 0.6


@dataclass
class ContractTerms:
    valid_from: dt.date
    valid_to: dt.date | None
    early_tolerance_days: int
    late_tolerance_days: int


# Plans compare by identity: field-by-field equality would walk their lists on every `in`.
@dataclass(eq=False)
class SupplierPlan:
    supplier: Supplier
    country: Country
    categories: list[Category]
    size_weight: float
    reliability: float  # share of lines delivered complete and on time
    ppm: float  # underlying defect rate
    acknowledgement_rate: float
    posts_ship_notices: bool
    order_weekday: int  # the day of the week the buyer releases orders to this supplier
    city: str = ""
    hold_from: dt.date | None = None
    degrading: bool = False
    contracts: list[ContractTerms] = field(default_factory=list)
    sources: list["SourcePlan"] = field(default_factory=list)

    def reliability_on(self, day: dt.date, calendar: Calendar) -> float:
        if not self.degrading:
            return self.reliability
        slip = calendar.degradation(day)
        return self.reliability - (self.reliability - DEGRADED_RELIABILITY) * slip

    def ppm_on(self, day: dt.date, calendar: Calendar) -> float:
        if not self.degrading:
            return self.ppm
        return self.ppm + (DEGRADED_PPM - self.ppm) * calendar.degradation(day)

    def tolerances_on(self, day: dt.date) -> tuple[int, int]:
        """Delivery tolerances of the contract valid on `day`, as the OTD figure will use them."""
        valid = [
            c
            for c in self.contracts
            if c.valid_from <= day and (c.valid_to is None or day <= c.valid_to)
        ]
        if not valid:
            return 3, 0
        terms = max(valid, key=lambda c: c.valid_from)
        return terms.early_tolerance_days, terms.late_tolerance_days


@dataclass(eq=False)
class SourcePlan:
    source: ApprovedSource
    supplier: SupplierPlan
    share: float  # 0–1
    unit_price: float  # in the source's currency, today
    lead_time_days: int
    part_monthly_demand: float  # of the part, all its sources together
    pack: int
    moq: int


@dataclass(eq=False)
class PartPlan:
    part: Part
    category: Category
    checklist: list[InspectionCharacteristic]
    monthly_demand: float
    orders_per_month: float = 0.0
    sources: list[SourcePlan] = field(default_factory=list)


@dataclass
class DemoPlan:
    calendar: Calendar
    suppliers: list[SupplierPlan]
    parts: list[PartPlan]


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month `months` after the month of `day`."""
    month = day.month - 1 + months
    return dt.date(day.year + month // 12, month % 12 + 1, 1)
