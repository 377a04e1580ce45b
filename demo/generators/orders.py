"""The order history, one due month at a time: orders and their lines, acknowledgements and
revisions, ship notices with transit events, receipts and inspections.

Each month is drawn from its own seeded generator and written before the next one is drawn,
so memory stays flat whatever the size and a month's data does not depend on the others.
"""

import datetime as dt
import functools
import itertools
import math
import random
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings

from core.chunks import chunked
from demo.generators.catalogue import CARRIERS, TRANSIT_ROUTES
from demo.generators.fx import FxTable
from demo.generators.plan import DemoPlan, PartPlan, SourcePlan, SupplierPlan, add_months
from purchasing.models import (
    Inspection,
    PromiseRevision,
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
    ShipNotice,
    ShipNoticeLine,
    TransitEvent,
)
from purchasing.services import (
    inspections_create,
    purchase_order_line_build,
    purchase_orders_create,
    receipts_create,
)

# Months after the current one whose lines may already be ordered (lead times reach ~75 days).
FUTURE_MONTHS = 3
CANCELLED_SHARE = 0.015
# Lines delivered on time in two or three lots (a call-off), and how often over-delivered.
SPLIT_SHARE = 0.24
OVER_DELIVERY_SHARE = 0.03
INSPECTED_SHARE = 0.5
# Receipts of the last days come with a ship notice; so do shipments still on the way.
SHIP_NOTICE_PAST_DAYS = 10
SHIP_NOTICE_FUTURE_DAYS = 21
REVISION_REASONS = tuple(PromiseRevision.Reason.values)
REVISION_REASON_WEIGHTS = (35, 30, 20, 10, 2, 3)
# Late lines whose delay the supplier announced beforehand with a revised date.
ANNOUNCED_DELAY_SHARE = 0.6
# Signal the late-risk model can learn (docs/prediction.md): a line never confirmed, or due
# in a month its source is loaded past its capacity, is less often on time.
UNACKNOWLEDGED_RELIABILITY_DROP = 0.3
OVERLOADED_RELIABILITY_DROP = 0.35
# Service calls take at most this many rows, so an IN list of ids stays within SQLite's limits.
SERVICE_SLICE = 10_000


def _dec2(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


def _dec4(value: float) -> Decimal:
    return Decimal(f"{value:.4f}")


def _weekday_on_or_before(day: dt.date, weekday: int) -> dt.date:
    return day - dt.timedelta(days=(day.weekday() - weekday) % 7)


@contextmanager
def recorded_at_kept(*models) -> Iterator[None]:
    """Let `created_at` carry the business date of history (an order placed last year was
    recorded last year) instead of the moment the demo was loaded."""
    fields = [m._meta.get_field("created_at") for m in models]
    try:
        for f in fields:
            f.auto_now_add = False
        yield
    finally:
        for f in fields:
            f.auto_now_add = True


@dataclass
class _Lot:
    """One planned delivery of a line."""

    line: PurchaseOrderLine
    source: SourcePlan
    part: PartPlan
    day: dt.date
    quantity: int


@dataclass
class ChunkCounts:
    orders: int = 0
    lines: int = 0
    revisions: int = 0
    ship_notices: int = 0
    receipts: int = 0
    inspections: int = 0
    supplier_ids: set[int] = field(default_factory=set)


class OrderHistory:
    def __init__(self, *, seed: int, plan: DemoPlan, fx: FxTable, target_lines: int):
        self.seed = seed
        self.plan = plan
        self.fx = fx
        self.calendar = plan.calendar
        self.today = plan.calendar.today
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.now = self._at(self.today, 12)
        self.base = fx.base
        self._calibrate(target_lines)

    # --- set-up -------------------------------------------------------------------------------

    def _calibrate(self, target_lines: int) -> None:
        """Spread order events over the parts so the whole history has about `target_lines`."""
        rng = random.Random(f"{self.seed}:order-rates")
        months = len(self.months()) - FUTURE_MONTHS + 1.2  # future months are partly ordered
        source_months = sum(len(p.sources) for p in self.plan.parts) * months
        per_source_month = target_lines / max(source_months, 1)
        # exp(N(0, 0.5)) averages exp(0.125); divided out so the total stays on target.
        for part in self.plan.parts:
            part.orders_per_month = per_source_month * math.exp(rng.gauss(0, 0.5) - 0.125)

    def months(self) -> list[dt.date]:
        last = add_months(self.today.replace(day=1), FUTURE_MONTHS)
        months = []
        month = self.calendar.first_month
        while month <= last:
            months.append(month)
            month = add_months(month, 1)
        return months

    def _at(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.tz)

    # --- one month ----------------------------------------------------------------------------

    def month_create(self, month: dt.date) -> ChunkCounts:
        """Draw and write every line due in `month` that has been ordered by today."""
        rng = random.Random(f"{self.seed}:orders:{month:%Y-%m}")
        # Document numbers start with the month's place in the history, so months can be
        # drawn in any order, or side by side, and still number the same way.
        self._prefix = f"{self.months().index(month) + 1:03d}"
        self._next_order = self._next_receipt = self._next_ship_notice = 1
        by_order = self._demand(rng, month)
        orders, lots, revisions = self._orders_build(rng, by_order)
        counts = ChunkCounts()
        if not orders:
            return counts
        with recorded_at_kept(PurchaseOrder, PromiseRevision, ShipNotice, Receipt, Inspection):
            for chunk in chunked(orders, SERVICE_SLICE // 4):
                purchase_orders_create(orders=chunk)
            PromiseRevision.objects.bulk_create(revisions, batch_size=2000)
            ship_notices = self._ship_notices_create(rng, lots)
            receipts = self._receipts_build(rng, lots, ship_notices)
            for chunk in chunked(receipts, SERVICE_SLICE):
                receipts_create(receipts=chunk)
            inspections = self._inspections_build(rng, receipts)
            for chunk in chunked(inspections, SERVICE_SLICE):
                inspections_create(inspections=chunk)
        counts.orders = len(orders)
        counts.lines = sum(len(lines) for _, lines in orders)
        counts.revisions = len(revisions)
        counts.ship_notices = len(ship_notices)
        counts.receipts = len(receipts)
        counts.inspections = len(inspections)
        counts.supplier_ids = {po.supplier_id for po, _ in orders}
        return counts

    def _demand(self, rng: random.Random, month: dt.date):
        """Order events of every part needed in `month`, split over its sources by share."""
        days_in_month = (add_months(month, 1) - month).days
        by_order: dict[tuple[dt.date, str], list[tuple]] = defaultdict(list)
        for part in self.plan.parts:
            rate = part.orders_per_month
            events = int(rate) + (1 if rng.random() < rate - int(rate) else 0)
            for _ in range(events):
                need = month + dt.timedelta(days=rng.randrange(days_in_month))
                if need.weekday() >= 5:  # deliveries are wanted on working days
                    need -= dt.timedelta(days=need.weekday() - 4)
                quantity = part.monthly_demand / max(rate, 0.05) * rng.uniform(0.7, 1.3)
                planned = []
                for source in part.sources:
                    supplier = source.supplier
                    ordered = _weekday_on_or_before(
                        need - dt.timedelta(days=source.lead_time_days + rng.randint(0, 3)),
                        supplier.order_weekday,
                    )
                    if ordered > self.today:
                        continue  # not ordered yet
                    if supplier.hold_from is not None and ordered >= supplier.hold_from:
                        continue  # no new orders while the supplier is on hold
                    planned.append((source, ordered))
                if not planned:
                    continue
                share_sum = sum(source.share for source, _ in planned)
                for source, ordered in planned:
                    wanted = quantity * source.share / share_sum * rng.uniform(0.9, 1.1)
                    packs = max(1, math.ceil(wanted / source.pack))
                    line_quantity = max(source.moq, packs * source.pack)
                    by_order[(ordered, source.supplier.supplier.code)].append(
                        (part, source, line_quantity, need)
                    )
        return by_order

    def _orders_build(self, rng: random.Random, by_order):
        orders = []
        lots: list[_Lot] = []
        revisions: list[PromiseRevision] = []
        self._overloaded = _overloaded_sources(by_order)
        for ordered, _code in sorted(by_order):
            entries = by_order[(ordered, _code)]
            supplier = entries[0][1].supplier
            number = f"45{self._prefix}{self._next_order:06d}"
            self._next_order += 1
            po = PurchaseOrder(
                number=number,
                supplier=supplier.supplier,
                order_date=ordered,
                currency=supplier.supplier.currency,
                created_by=supplier.supplier.owner,
                created_at=self._at(ordered, rng.randint(7, 11), rng.randrange(60)),
            )
            lines = []
            for position, (part, source, quantity, need) in enumerate(entries, start=1):
                line, line_lots, line_revisions = self._line_build(
                    rng, supplier, part, source, ordered, need, quantity, position * 10
                )
                lines.append(line)
                lots += line_lots
                revisions += line_revisions
            orders.append((po, lines))
        return orders, lots, revisions

    def _line_build(
        self, rng, supplier: SupplierPlan, part, source, ordered, need, quantity, number
    ):
        years_back = (self.today - ordered).days / 365.0
        price = source.unit_price * (1 - 0.025 * years_back)  # prices crept up ~2.5% a year
        promised = None
        acknowledged_at = None
        acknowledged_on = ordered + dt.timedelta(days=rng.choice((0, 1, 1, 1, 2, 2, 3, 5)))
        if rng.random() < supplier.acknowledgement_rate and acknowledged_on <= self.today:
            slip = 0.4 * self.calendar.degradation(ordered) if supplier.degrading else 0.0
            promised = need
            if rng.random() < 0.22 + slip:
                promised = need + dt.timedelta(days=rng.randint(1, 10))
            acknowledged_at = self._at(acknowledged_on, rng.randint(7, 17), rng.randrange(60))
        cancelled = rng.random() < CANCELLED_SHARE
        line = purchase_order_line_build(
            line_number=number,
            part=part.part,
            quantity=Decimal(quantity),
            unit_price=_dec4(price),
            requested_date=need,
            promised_date=promised,
            status=(
                PurchaseOrderLine.Status.CANCELLED if cancelled else PurchaseOrderLine.Status.OPEN
            ),
        )
        line.acknowledged_at = acknowledged_at  # the supplier's time, not the loading time
        if cancelled:
            return line, [], []

        # Nothing arrives before the day after it was ordered.
        floor = ordered + dt.timedelta(days=1)
        drop = UNACKNOWLEDGED_RELIABILITY_DROP if acknowledged_at is None else 0.0
        if id(source) in self._overloaded:
            drop += OVERLOADED_RELIABILITY_DROP
        deliveries, late = self._deliveries(rng, supplier, line, quantity, source.pack, drop)
        lots = [_Lot(line, source, part, max(day, floor), q) for day, q in deliveries]
        revisions = []
        if late and acknowledged_at is not None and rng.random() < ANNOUNCED_DELAY_SHARE:
            revisions = self._revisions(rng, line, acknowledged_on, lots[-1].day)
        if all(lot.day <= self.today for lot in lots):
            line.status = PurchaseOrderLine.Status.CLOSED
        return line, lots, revisions

    def _revisions(self, rng, line, acknowledged_on, arrives) -> list[PromiseRevision]:
        """The supplier announces a delay before the promised date: once, sometimes twice."""
        revised_on = line.promised_date - dt.timedelta(days=rng.randint(2, 12))
        if revised_on <= acknowledged_on or revised_on > self.today:
            return []
        dates = [arrives]
        if rng.random() < 0.15 and (arrives - line.promised_date).days >= 4:
            # First a smaller delay, then the real one.
            dates.insert(0, line.promised_date + (arrives - line.promised_date) / 2)
        revisions = []
        current = line.promised_date
        for new_date in dates:
            if revised_on > self.today:
                break
            reason = rng.choices(REVISION_REASONS, weights=REVISION_REASON_WEIGHTS)[0]
            revisions.append(
                PromiseRevision(
                    line=line,
                    previous_date=current,
                    new_date=new_date,
                    reason=reason,
                    created_at=self._at(revised_on, rng.randint(8, 17), rng.randrange(60)),
                )
            )
            current = new_date
            revised_on += dt.timedelta(days=rng.randint(2, 6))
        line.expected_date = current
        return revisions

    def _deliveries(self, rng, supplier, line, quantity, pack, drop=0.0) -> tuple[list, bool]:
        """Delivery (date, quantity) lots of a line, future ones included, and whether the
        last one is late."""
        promised = line.promised_date
        early, late = supplier.tolerances_on(promised)
        day = dt.timedelta
        offsets, cumulative = _window_offsets(early, late)

        def within_window() -> dt.date:
            return promised + day(days=rng.choices(offsets, cum_weights=cumulative)[0])

        if rng.random() < supplier.reliability_on(promised, self.calendar) - drop:
            if rng.random() < SPLIT_SHARE and quantity >= 2 * pack:
                lots = 3 if rng.random() < 0.15 and quantity >= 3 * pack else 2
                return [(within_window(), q) for q in _split(rng, quantity, pack, lots)], False
            if rng.random() < OVER_DELIVERY_SHARE:
                extra = max(pack, round(quantity * rng.uniform(0.02, 0.10) / pack) * pack)
                return [(within_window(), quantity + extra)], False
            return [(within_window(), quantity)], False
        roll = rng.random()
        if roll < 0.2:
            return [(promised - day(days=early + rng.randint(1, 8)), quantity)], False
        lateness = late + 1 + min(int(rng.expovariate(1 / 5)), 40)
        if roll < 0.7 or quantity < 2 * pack:
            return [(promised + day(days=lateness), quantity)], True
        first, rest = _split(rng, quantity, pack, 2, first_share=(0.4, 0.8))
        remainder_day = promised + day(days=lateness + rng.randint(2, 20))
        return [(within_window(), first), (remainder_day, rest)], True

    # --- ship notices, receipts, inspections --------------------------------------------------

    def _ship_notices_create(self, rng, lots: list[_Lot]) -> dict[int, ShipNotice]:
        """Ship notices for recent and coming deliveries of suppliers who post them.

        Returns the notice of each lot (by `id(lot)`) so its receipt can refer to it.
        """
        earliest = self.today - dt.timedelta(days=SHIP_NOTICE_PAST_DAYS)
        latest = self.today + dt.timedelta(days=SHIP_NOTICE_FUTURE_DAYS)
        groups: dict[tuple, list[_Lot]] = defaultdict(list)
        transit_of: dict[tuple, int] = {}
        for lot in lots:
            supplier = lot.source.supplier
            if not (earliest <= lot.day <= latest) or not supplier.posts_ship_notices:
                continue
            if lot.line.acknowledged_at is None:
                continue
            transit = rng.randint(*supplier.country.transit_days)
            shipped = lot.day - dt.timedelta(days=transit)
            if shipped > self.today:
                continue  # not shipped yet
            key = (supplier.supplier.code, shipped, lot.day)
            groups[key].append(lot)
            transit_of[key] = transit
        notice_of: dict[int, ShipNotice] = {}
        notices, notice_lines, events = [], [], []
        for key in sorted(groups):
            group = groups[key]
            _code, shipped, arrives = key
            supplier = group[0].source.supplier
            delivered = arrives <= self.today
            eta = arrives
            if not delivered and rng.random() < 0.15:
                eta = arrives + dt.timedelta(days=rng.randint(2, 8))  # held up on the way
            carrier = rng.choice(CARRIERS[supplier.country.region])
            notice = ShipNotice(
                number=f"ASN-{self._prefix}{self._next_ship_notice:05d}",
                supplier=supplier.supplier,
                ship_date=shipped,
                eta=eta,
                carrier=carrier,
                tracking_number=f"{carrier[:3].upper()}{rng.randint(10**9, 10**10 - 1)}",
                is_delivered=delivered,
                created_at=self._at(shipped, rng.randint(8, 16), rng.randrange(60)),
            )
            self._next_ship_notice += 1
            notices.append(notice)
            for lot in group:
                notice_lines.append(
                    ShipNoticeLine(
                        ship_notice=notice, line=lot.line, quantity=Decimal(lot.quantity)
                    )
                )
                notice_of[id(lot)] = notice
            events += self._transit_events(rng, notice, supplier, transit_of[key], delivered)
        ShipNotice.objects.bulk_create(notices, batch_size=2000)
        ShipNoticeLine.objects.bulk_create(notice_lines, batch_size=2000)
        TransitEvent.objects.bulk_create(events, batch_size=2000)
        return notice_of

    def _transit_events(self, rng, notice, supplier, transit_days, delivered):
        route = TRANSIT_ROUTES[supplier.country.region]
        stale = not delivered and rng.random() < 0.1  # the carrier stopped reporting
        events = []
        for k, (description, location) in enumerate(route):
            offset = round(k / (len(route) - 1) * transit_days)
            occurred = self._at(
                notice.ship_date + dt.timedelta(days=offset), rng.randint(6, 20), rng.randrange(60)
            )
            if occurred > self.now or (stale and occurred > self.now - dt.timedelta(days=3)):
                break
            events.append(
                TransitEvent(
                    ship_notice=notice,
                    occurred_at=occurred,
                    location=location.format(city=supplier.city),
                    eta=notice.eta,
                    description=description,
                )
            )
        quiet_since = self.now - dt.timedelta(hours=36)
        if events and not delivered and not stale and events[-1].occurred_at < quiet_since:
            # Carriers report positions between stations; the latest report is recent.
            events.append(
                TransitEvent(
                    ship_notice=notice,
                    occurred_at=self.now - dt.timedelta(hours=rng.randint(2, 30)),
                    location=events[-1].location,
                    eta=notice.eta,
                    description="Position update",
                )
            )
        if events:
            notice.current_location = events[-1].location
            notice.last_event_at = events[-1].occurred_at
        return events

    def _receipts_build(self, rng, lots: list[_Lot], ship_notices) -> list[Receipt]:
        fx = self.fx
        receipts = []
        for lot in lots:
            if lot.day > self.today:
                continue
            line = lot.line
            supplier = lot.source.supplier
            region = supplier.country.region
            value = (
                lot.quantity * float(line.unit_price) * fx.rate(supplier.supplier.currency, lot.day)
            )
            if region == "EMEA":
                freight = value * rng.uniform(0.015, 0.04)
                duty = 0.0
                cost_currency = self.base if rng.random() < 0.6 else supplier.supplier.currency
            else:
                freight = value * rng.uniform(0.04, 0.09)
                duty = value * rng.uniform(0.02, 0.045)
                cost_currency = "USD" if rng.random() < 0.55 else self.base
            other = rng.uniform(15, 80) if rng.random() < 0.2 else 0.0
            to_cost = 1 / fx.rate(cost_currency, lot.day)
            number = f"50{self._prefix}{self._next_receipt:06d}"
            self._next_receipt += 1
            receipt = Receipt(
                number=number,
                line=line,
                receipt_date=lot.day,
                quantity=Decimal(lot.quantity),
                freight=_dec2(freight * to_cost),
                duty=_dec2(duty * to_cost),
                other_costs=_dec2(other * to_cost),
                cost_currency=cost_currency,
                ship_notice=ship_notices.get(id(lot)),
                created_at=self._at(lot.day, rng.randint(7, 15), rng.randrange(60)),
            )
            receipt.demo_lot = lot
            receipts.append(receipt)
        return receipts

    def _inspections_build(self, rng, receipts: list[Receipt]) -> list[Inspection]:
        inspections = []
        for receipt in receipts:
            lot: _Lot = receipt.demo_lot
            supplier = lot.source.supplier
            share = INSPECTED_SHARE
            if supplier.degrading and self.calendar.degradation(lot.day) > 0:
                share = 0.85  # a supplier in trouble gets every delivery checked
            if rng.random() >= share:
                continue
            inspected_on = lot.day + dt.timedelta(days=rng.choice((0, 0, 1, 1, 2, 3)))
            if inspected_on > self.today:
                continue  # still waiting for inspection
            sample = _sample_size(lot.quantity)
            defective = 0
            codes: list[str] = []
            disposition = Inspection.Disposition.ACCEPT
            ppm = supplier.ppm_on(lot.day, self.calendar)
            # Defects come in bad lots: chance of a bad lot × its defect share ≈ the PPM level.
            if rng.random() < min(0.9, ppm / 30_000):
                defective = min(sample, max(1, round(sample * rng.uniform(0.005, 0.055))))
                checklist = [c.code for c in lot.part.checklist]
                codes = sorted(rng.sample(checklist, 1 if rng.random() < 0.75 else 2))
                ratio = defective / sample
                if ratio < 0.01:
                    options = (Inspection.Disposition.USE_AS_IS, Inspection.Disposition.REWORK)
                elif ratio < 0.03:
                    options = (Inspection.Disposition.REWORK, Inspection.Disposition.RETURN)
                else:
                    options = (Inspection.Disposition.RETURN, Inspection.Disposition.SCRAP)
                disposition = rng.choice(options)
            inspections.append(
                Inspection(
                    receipt=receipt,
                    inspection_date=inspected_on,
                    inspected_quantity=Decimal(sample),
                    defective_quantity=Decimal(defective),
                    defect_codes=codes,
                    disposition=disposition,
                    created_at=self._at(inspected_on, rng.randint(9, 17), rng.randrange(60)),
                )
            )
        return inspections


def _overloaded_sources(by_order) -> set[int]:
    """Sources (by `id`) whose lines due this month add up to more than their capacity."""
    due: dict[int, float] = defaultdict(float)
    capacity: dict[int, float] = {}
    for entries in by_order.values():
        for _part, source, quantity, _need in entries:
            due[id(source)] += quantity
            if source.source.monthly_capacity is not None:
                capacity[id(source)] = float(source.source.monthly_capacity)
    return {key for key, total in due.items() if key in capacity and total > capacity[key]}


@functools.cache
def _window_offsets(early: int, late: int) -> tuple[tuple[int, ...], tuple[float, ...]]:
    """Days from the promise an on-time delivery arrives, with cumulative weights: most come
    on the promised day or a day or two before."""
    offsets = tuple(range(-early, late + 1))
    return offsets, tuple(itertools.accumulate(1.0 / (1 + abs(o)) ** 1.5 for o in offsets))


def _split(rng, quantity: int, pack: int, lots: int, first_share=(0.3, 0.7)) -> list[int]:
    """Split a quantity into `lots` whole packs, each at least one pack."""
    packs = quantity // pack
    remainder = quantity - packs * pack
    sizes = []
    left = packs
    for k in range(lots - 1):
        share = rng.uniform(*first_share) if k == 0 else rng.uniform(0.3, 0.7)
        take = min(max(1, round(left * share)), left - (lots - 1 - k))
        sizes.append(take)
        left -= take
    sizes.append(left)
    quantities = [s * pack for s in sizes]
    quantities[-1] += remainder
    return quantities


def _sample_size(quantity: int) -> int:
    """Sample size of a normal single-sampling plan (ISO 2859-1, level II, rounded)."""
    if quantity <= 50:
        return quantity
    if quantity <= 500:
        return 50
    if quantity <= 3200:
        return 125
    if quantity <= 10_000:
        return 200
    return 315
