"""What is wrong right now: one set-based query per alert kind (SPEC §5).

Each function returns the conditions that hold as of a moment, as `Condition` rows keyed
by their dedupe key; `alerts.services.alerts_scan` turns them into alerts. No function
runs a query per row: each reads its kind in one or two queries.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from alerts import severities
from alerts.models import Kind
from contracts.models import Contract
from inventory.models import InventoryPosition
from parts.models import Part
from purchasing.models import PurchaseOrder, PurchaseOrderLine, Receipt, ShipNoticeLine
from rules.models import AllocationException, RuleFiring
from scorecards import kpis
from scorecards.models import SupplierScorecard
from suppliers.models import Certificate, Supplier

PAST_DUE_CRITICAL_DAYS = 7
ACKNOWLEDGE_WITHIN_DAYS = 3
TRANSIT_SILENCE = dt.timedelta(hours=48)
CERTIFICATE_WARNING_DAYS = 30
RULE_FIRED_SHOWN_DAYS = 7

_ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=14, decimal_places=3))


@dataclass(frozen=True, slots=True)
class Condition:
    kind: str
    key: str
    message: str
    variant: str = severities.BASE
    supplier_id: int | None = None
    part_id: int | None = None
    purchase_order_id: int | None = None
    line_id: int | None = None
    ship_notice_id: int | None = None
    certificate_id: int | None = None
    contract_id: int | None = None
    rule_firing_id: int | None = None
    exception_id: int | None = None
    site: str = ""


def _qty(value) -> str:
    return f"{Decimal(value).normalize():f}"


def _received_per_line():
    return Coalesce(
        Subquery(
            Receipt.objects.filter(line=OuterRef("pk"))
            .values("line")
            .annotate(total=Sum("quantity"))
            .values("total")
        ),
        _ZERO,
    )


def line_conditions(*, today: dt.date) -> list[Condition]:
    """`line_past_due` and `line_not_acknowledged`: open lines not fully received.

    Three indexed queries (lines, then their orders and parts by id) rather than one join,
    so PostgreSQL never scans every order to find a few thousand open lines."""
    unconfirmed_by = today - dt.timedelta(days=ACKNOWLEDGE_WITHIN_DAYS)
    lines = list(
        PurchaseOrderLine.objects.filter(status=PurchaseOrderLine.Status.OPEN)
        .filter(Q(promised_date__lt=today) | Q(acknowledged_at__isnull=True))
        .annotate(received=_received_per_line())
        .filter(received__lt=F("quantity"))
        .order_by()
        .values_list(
            "pk",
            "line_number",
            "purchase_order_id",
            "part_id",
            "quantity",
            "received",
            "promised_date",
            "acknowledged_at",
        )
    )
    orders = {
        pk: (number, supplier_id, order_date)
        for pk, number, supplier_id, order_date in PurchaseOrder.objects.filter(
            pk__in={row[2] for row in lines}
        )
        .order_by()
        .values_list("pk", "number", "supplier_id", "order_date")
    }
    parts = dict(
        Part.objects.filter(pk__in={row[3] for row in lines}).order_by().values_list("pk", "number")
    )
    rows = [
        (
            line_id,
            line_number,
            po_id,
            *orders[po_id][:2],
            orders[po_id][2],
            part_id,
            parts[part_id],
            quantity,
            received,
            promised,
            acknowledged_at,
        )
        for line_id, line_number, po_id, part_id, quantity, received, promised, acknowledged_at in (
            lines
        )
    ]
    found = []
    for (
        line_id,
        line_number,
        po_id,
        po_number,
        supplier_id,
        order_date,
        part_id,
        part_number,
        quantity,
        received,
        promised,
        acknowledged_at,
    ) in rows:
        refs = {
            "supplier_id": supplier_id,
            "part_id": part_id,
            "purchase_order_id": po_id,
            "line_id": line_id,
        }
        name = f"{po_number}/{line_number} ({part_number})"
        if promised < today:
            late = (today - promised).days
            found.append(
                Condition(
                    kind=Kind.LINE_PAST_DUE,
                    key=f"line_past_due:{line_id}",
                    variant=(
                        severities.SEVEN_DAYS_PAST
                        if late >= PAST_DUE_CRITICAL_DAYS
                        else severities.BASE
                    ),
                    message=f"{name}: {_qty(quantity - received)} of {_qty(quantity)} still "
                    f"open, {late} day{'s' if late != 1 else ''} past the promised date "
                    f"{promised:%Y-%m-%d}.",
                    **refs,
                )
            )
        if acknowledged_at is None and order_date <= unconfirmed_by:
            found.append(
                Condition(
                    kind=Kind.LINE_NOT_ACKNOWLEDGED,
                    key=f"line_not_acknowledged:{line_id}",
                    message=f"{name}: not confirmed by the supplier since the order of "
                    f"{order_date:%Y-%m-%d}.",
                    **refs,
                )
            )
    return found


def _in_transit_per_part() -> dict[int, Decimal]:
    """Open ship-notice quantities not yet received, per part (notices in transit only)."""
    received_on_notice = Coalesce(
        Subquery(
            Receipt.objects.filter(ship_notice=OuterRef("ship_notice"), line=OuterRef("line"))
            .values("line")
            .annotate(total=Sum("quantity"))
            .values("total")
        ),
        _ZERO,
    )
    totals: dict[int, Decimal] = defaultdict(Decimal)
    rows = (
        ShipNoticeLine.objects.filter(ship_notice__is_delivered=False)
        .annotate(received=received_on_notice)
        .order_by()
        .values_list("line__part_id", "quantity", "received")
    )
    for part_id, quantity, received in rows.iterator(chunk_size=5000):
        totals[part_id] += max(quantity - received, Decimal("0"))
    return totals


def low_stock_conditions(*, today: dt.date) -> list[Condition]:
    """`low_stock`: the latest reading of a part at a site, on hand + in transit < reorder
    point; critical below safety stock. In-transit quantities are known per part (a ship
    notice names no site), so each site of the part counts them."""
    newer = InventoryPosition.objects.filter(part=OuterRef("part"), site=OuterRef("site")).filter(
        Q(read_at__gt=OuterRef("read_at")) | Q(read_at=OuterRef("read_at"), pk__gt=OuterRef("pk"))
    )
    latest = (
        InventoryPosition.objects.filter(on_hand__lt=F("reorder_point"))
        .exclude(Exists(newer))
        .order_by()
        .values_list("part_id", "part__number", "site", "on_hand", "safety_stock", "reorder_point")
    )
    rows = list(latest)
    if not rows:
        return []
    in_transit = _in_transit_per_part()
    found = []
    for part_id, number, site, on_hand, safety, reorder in rows:
        available = on_hand + in_transit.get(part_id, Decimal("0"))
        if available >= reorder:
            continue
        below_safety = available < safety
        found.append(
            Condition(
                kind=Kind.LOW_STOCK,
                key=f"low_stock:{part_id}:{site}",
                variant=severities.BELOW_SAFETY_STOCK if below_safety else severities.BASE,
                message=f"{number} at {site}: {_qty(on_hand)} on hand + "
                f"{_qty(available - on_hand)} in transit, below the "
                + (
                    f"safety stock {_qty(safety)}."
                    if below_safety
                    else f"reorder point {_qty(reorder)}."
                ),
                part_id=part_id,
                site=site,
            )
        )
    return found


def transit_conditions(*, now: dt.datetime, today: dt.date) -> list[Condition]:
    """`transit_delayed`: a notice in transit whose ETA is after a promised date of its
    lines, or that has had no transit event (nor, before the first, its posting) for 48 h."""
    rows = (
        ShipNoticeLine.objects.filter(
            ship_notice__is_delivered=False, ship_notice__ship_date__lte=today
        )
        .values_list(
            "ship_notice_id",
            "ship_notice__number",
            "ship_notice__supplier_id",
            "ship_notice__eta",
            "ship_notice__last_event_at",
            "ship_notice__created_at",
            "line_id",
            "line__purchase_order_id",
            "line__purchase_order__number",
            "line__line_number",
            "line__part_id",
            "line__promised_date",
        )
        .order_by("ship_notice_id", "line__promised_date", "line_id")
    )
    found = []
    seen: set[int] = set()
    for (
        notice_id,
        number,
        supplier_id,
        eta,
        last_event_at,
        created_at,
        line_id,
        po_id,
        po_number,
        line_number,
        part_id,
        promised,
    ) in rows.iterator(chunk_size=5000):
        if notice_id in seen:
            continue  # ordered by promised date: the first line is the one that matters
        seen.add(notice_id)
        heard_at = last_event_at or created_at
        if eta > promised:
            reason = (
                f"ETA {eta:%Y-%m-%d} is after the promised date {promised:%Y-%m-%d} "
                f"of {po_number}/{line_number}."
            )
        elif heard_at < now - TRANSIT_SILENCE:
            reason = f"no transit event since {timezone.localtime(heard_at):%Y-%m-%d %H:%M}."
        else:
            continue
        found.append(
            Condition(
                kind=Kind.TRANSIT_DELAYED,
                key=f"transit_delayed:{notice_id}",
                message=f"Ship notice {number}: {reason}",
                supplier_id=supplier_id,
                part_id=part_id,
                purchase_order_id=po_id,
                line_id=line_id,
                ship_notice_id=notice_id,
            )
        )
    return found


def certificate_conditions(*, today: dt.date) -> list[Condition]:
    """`certificate_expiring` (within 30 days) and `certificate_expired`, for the newest
    certificate of each kind a supplier holds (a renewed one replaces the old)."""
    renewed = Certificate.objects.filter(
        supplier=OuterRef("supplier"), kind=OuterRef("kind")
    ).filter(
        Q(valid_until__gt=OuterRef("valid_until"))
        | Q(valid_until=OuterRef("valid_until"), pk__gt=OuterRef("pk"))
    )
    rows = (
        Certificate.objects.exclude(supplier__status=Supplier.Status.DISQUALIFIED)
        .filter(valid_until__lte=today + dt.timedelta(days=CERTIFICATE_WARNING_DAYS))
        .exclude(Exists(renewed))
        .order_by()
        .values_list("pk", "supplier_id", "supplier__code", "kind", "number", "valid_until")
    )
    found = []
    for cert_id, supplier_id, code, kind, number, valid_until in rows:
        expired = valid_until < today
        alert_kind = Kind.CERTIFICATE_EXPIRED if expired else Kind.CERTIFICATE_EXPIRING
        verb = "expired on" if expired else "expires on"
        found.append(
            Condition(
                kind=alert_kind,
                key=f"{alert_kind}:{cert_id}",
                message=f"{code}: {kind} certificate {number} {verb} {valid_until:%Y-%m-%d}.",
                supplier_id=supplier_id,
                certificate_id=cert_id,
            )
        )
    return found


def kpi_conditions(*, today: dt.date) -> list[Condition]:
    """`kpi_below_target`: a supplier's rolling-90 OTD under, or defect PPM over, the target
    of its contract in force; not on a low sample, not where the target is empty."""
    in_force = (
        Contract.objects.filter(supplier=OuterRef("supplier_id"), valid_from__lte=today)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .order_by("-valid_from", "-id")
    )
    rows = (
        SupplierScorecard.objects.filter(period=kpis.ROLLING_PERIOD)
        .order_by()
        .annotate(
            contract_id=Subquery(in_force.values("pk")[:1]),
            otd_target=Subquery(in_force.values("otd_target_pct")[:1]),
            ppm_target=Subquery(in_force.values("defect_ppm_target")[:1]),
        )
        .filter(contract_id__isnull=False)
        .filter(
            Q(otd_pct__isnull=False, lines_due__gte=kpis.LOW_SAMPLE_MINIMUM)
            | Q(defect_ppm__isnull=False, inspections_count__gte=kpis.LOW_SAMPLE_MINIMUM)
        )
        .values_list(
            "supplier_id",
            "supplier__code",
            "contract_id",
            "otd_pct",
            "lines_due",
            "otd_target",
            "defect_ppm",
            "inspections_count",
            "ppm_target",
        )
    )
    found = []
    for (
        supplier_id,
        code,
        contract_id,
        otd,
        lines_due,
        otd_target,
        ppm,
        inspections,
        ppm_target,
    ) in rows:
        refs = {"supplier_id": supplier_id, "contract_id": contract_id}
        if (
            otd is not None
            and otd_target is not None
            and lines_due >= kpis.LOW_SAMPLE_MINIMUM
            and otd < float(otd_target)
        ):
            found.append(
                Condition(
                    kind=Kind.KPI_BELOW_TARGET,
                    key=f"kpi_below_target:{supplier_id}:otd_pct",
                    message=f"{code}: on-time delivery {otd:.1f} % over the last 90 days, "
                    f"target {float(otd_target):.1f} % ({lines_due} lines).",
                    **refs,
                )
            )
        if (
            ppm is not None
            and ppm_target is not None
            and inspections >= kpis.LOW_SAMPLE_MINIMUM
            and ppm > float(ppm_target)
        ):
            found.append(
                Condition(
                    kind=Kind.KPI_BELOW_TARGET,
                    key=f"kpi_below_target:{supplier_id}:defect_ppm",
                    message=f"{code}: {ppm:,.0f} defective PPM over the last 90 days, "
                    f"target {float(ppm_target):,.0f} ({inspections} inspections).",
                    **refs,
                )
            )
    return found


def single_source_conditions(*, today: dt.date) -> list[Condition]:
    """`single_sourced`: a sourced part with fewer than two active approved sources (a part
    with no source record at all is not in sourcing yet)."""
    active = Q(sources__is_active=True)
    rows = (
        Part.objects.annotate(
            source_count=Count("sources", filter=active),
            any_source=Count("sources"),
            only_supplier_id=Min("sources__supplier_id", filter=active),
        )
        .filter(source_count__lt=2, any_source__gt=0)
        .order_by()
        .values_list("pk", "number", "source_count", "only_supplier_id")
    )
    return [
        Condition(
            kind=Kind.SINGLE_SOURCED,
            key=f"single_sourced:{part_id}",
            message=(
                f"{number} has a single approved source."
                if count
                else f"{number} has no active approved source."
            ),
            part_id=part_id,
            supplier_id=supplier_id,
        )
        for part_id, number, count, supplier_id in rows
    ]


def rule_conditions(*, now: dt.datetime) -> list[Condition]:
    """`rule_fired` (a firing of the last 7 days; info for an applied share shift) and
    `exception_open` (an exception until a buyer approves or rejects it)."""
    firings = (
        RuleFiring.objects.filter(fired_at__gte=now - dt.timedelta(days=RULE_FIRED_SHOWN_DAYS))
        .exclude(outcome=RuleFiring.Outcome.SKIPPED)
        .order_by()
        .values_list(
            "pk",
            "rule__name",
            "rule__contract_id",
            "part_id",
            "part__number",
            "supplier_id",
            "supplier__code",
            "outcome",
            "metric_value",
            "fired_at",
        )
    )
    found = []
    for (
        pk,
        rule,
        contract_id,
        part_id,
        number,
        supplier_id,
        code,
        outcome,
        value,
        fired_at,
    ) in firings:
        what = f"{code}" + (f" on {number}" if number else "")
        shown = "" if value is None else f" at {value:,.2f}"
        found.append(
            Condition(
                kind=Kind.RULE_FIRED,
                key=f"rule_fired:{pk}",
                variant=(
                    severities.APPLIED_SHIFT
                    if outcome == RuleFiring.Outcome.APPLIED
                    else severities.BASE
                ),
                message=f"Rule “{rule}” fired for {what}{shown} on {fired_at:%Y-%m-%d}: "
                f"{RuleFiring.Outcome(outcome).label.lower()}.",
                supplier_id=supplier_id,
                part_id=part_id,
                contract_id=contract_id,
                rule_firing_id=pk,
            )
        )
    exceptions = AllocationException.objects.filter(
        state=AllocationException.State.OPEN
    ).values_list("pk", "kind", "part_id", "part__number", "supplier_id", "supplier__code")
    for pk, kind, part_id, number, supplier_id, code in exceptions:
        what = f"{code}" + (f" on {number}" if number else "")
        found.append(
            Condition(
                kind=Kind.EXCEPTION_OPEN,
                key=f"exception_open:{pk}",
                message=f"Awaiting review: {AllocationException.Kind(kind).label.lower()} "
                f"for {what}.",
                supplier_id=supplier_id,
                part_id=part_id,
                exception_id=pk,
            )
        )
    return found
