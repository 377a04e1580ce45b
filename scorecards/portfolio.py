"""Reads for the buyer's portfolio dashboard: the whole supply base from stored scorecards.

Supply-base figures are the stored sums added up and divided once (never an average of
percentages), so they equal what one scorecard over every supplier would show. Each
function is one query whatever the number of suppliers.
"""

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, FloatField, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from accounts.roles import INTERNAL_ROLES, user_role
from accounts.selectors import scope_for_user
from parts.models import ApprovedSource, Part, SourceChange
from scorecards import kpis
from scorecards.models import SupplierScorecard
from suppliers.models import Supplier

# A supplier this much dearer than the average source of its parts is worth a look.
DEAR_INDEX = 1.05
USABLE_STATUSES = (Supplier.Status.APPROVED,)
RISK_CACHE_SECONDS = 300


@dataclass(frozen=True)
class PortfolioFigures:
    period: str
    suppliers: int
    lines_due: int
    lines_in_full: int
    ordered_quantity: float
    on_time_quantity: float
    receipts_count: int
    inspections_count: int
    units_inspected: float
    units_defective: float
    lead_time_days_total: float
    dear_suppliers: int
    indexed_suppliers: int

    @property
    def otd_pct(self):
        return kpis.ratio(self.on_time_quantity, self.ordered_quantity, 100)

    @property
    def otif_pct(self):
        return kpis.otif_pct(self.lines_in_full, self.lines_due)

    @property
    def defect_ppm(self):
        return kpis.defect_ppm(self.units_defective, self.units_inspected)

    @property
    def lead_time_mean_days(self):
        return kpis.lead_time_mean_days(self.lead_time_days_total, self.receipts_count)


def portfolio_by_period(*, user, periods: list[str]) -> dict[str, PortfolioFigures]:
    """Supply-base sums per period, one query for all of them."""
    rows = (
        scope_for_user(SupplierScorecard.objects.filter(period__in=periods), user)
        .values("period")
        .annotate(
            suppliers=Count("id"),
            lines_due_sum=Coalesce(Sum("lines_due"), 0),
            lines_in_full_sum=Coalesce(Sum("lines_in_full"), 0),
            ordered_quantity_sum=Coalesce(Sum("ordered_quantity"), 0.0),
            on_time_quantity_sum=Coalesce(Sum("on_time_quantity"), 0.0),
            receipts_count_sum=Coalesce(Sum("receipts_count"), 0),
            inspections_count_sum=Coalesce(Sum("inspections_count"), 0),
            units_inspected_sum=Coalesce(Sum("units_inspected"), 0.0),
            units_defective_sum=Coalesce(Sum("units_defective"), 0.0),
            # The stored mean times its receipts gives back the lead-time total.
            lead_time_days_total=Coalesce(
                Sum(F("lead_time_mean_days") * F("receipts_count"), output_field=FloatField()),
                0.0,
            ),
            dear_suppliers=Count("id", filter=Q(landed_cost_index__gt=DEAR_INDEX)),
            indexed_suppliers=Count("id", filter=Q(landed_cost_index__isnull=False)),
        )
        .order_by("period")
    )
    return {
        row["period"]: PortfolioFigures(
            period=row["period"],
            suppliers=row["suppliers"],
            lines_due=row["lines_due_sum"],
            lines_in_full=row["lines_in_full_sum"],
            ordered_quantity=row["ordered_quantity_sum"],
            on_time_quantity=row["on_time_quantity_sum"],
            receipts_count=row["receipts_count_sum"],
            inspections_count=row["inspections_count_sum"],
            units_inspected=row["units_inspected_sum"],
            units_defective=row["units_defective_sum"],
            lead_time_days_total=row["lead_time_days_total"],
            dear_suppliers=row["dear_suppliers"],
            indexed_suppliers=row["indexed_suppliers"],
        )
        for row in rows
    }


def grade_distribution(*, user) -> dict[str, int]:
    """Suppliers per current (rolling-90) grade; "none" for those without a composite."""
    rows = (
        scope_for_user(SupplierScorecard.objects.filter(period=kpis.ROLLING_PERIOD), user)
        .values("grade")
        .annotate(n=Count("id"))
    )
    counts = {g: 0 for g, _ in kpis.GRADE_BANDS}
    counts[kpis.LOWEST_GRADE] = 0
    counts["none"] = 0
    for row in rows:
        counts[row["grade"] or "none"] += row["n"]
    return counts


@dataclass(frozen=True)
class Mover:
    code: str
    name: str
    composite_score: float
    previous_score: float
    grade: str | None

    @property
    def change(self) -> float:
        return self.composite_score - self.previous_score


def worst_movers(*, user, period: str, previous: str, limit: int = 10) -> list[Mover]:
    """Suppliers whose composite score fell most from `previous` to `period`: both months'
    rows read once and paired per supplier (no look-up per supplier)."""
    now, before = Q(period=period), Q(period=previous)
    rows = (
        scope_for_user(SupplierScorecard.objects.filter(period__in=[period, previous]), user)
        .values("supplier__code", "supplier__name")
        .annotate(
            score=Max("composite_score", filter=now),
            previous_score=Max("composite_score", filter=before),
            grade=Max("grade", filter=now),
        )
        .filter(score__lt=F("previous_score"))
        .annotate(change=F("score") - F("previous_score"))
        .order_by("change", "supplier__code")[:limit]
    )
    return [
        Mover(
            code=row["supplier__code"],
            name=row["supplier__name"],
            composite_score=row["score"],
            previous_score=row["previous_score"],
            grade=row["grade"],
        )
        for row in rows
    ]


@dataclass(frozen=True)
class RiskPart:
    id: int
    number: str
    name: str
    is_critical: bool
    usable_sources: int
    region: str


@dataclass(frozen=True)
class SourcingRisks:
    single_sourced: list[RiskPart]
    single_sourced_total: int
    one_region: list[RiskPart]
    one_region_total: int
    # Every such part, critical first then by number: the part list pages through these.
    single_sourced_ids: tuple[int, ...] = ()
    one_region_ids: tuple[int, ...] = ()


def _usable_sources() -> Q:
    return Q(sources__is_active=True, sources__supplier__status__in=USABLE_STATUSES)


def _sourcing_fingerprint() -> tuple:
    """Changes whenever a part, a source or a supplier does (source writes are audited in
    SourceChange, supplier writes touch updated_at): one cheap query of index look-ups."""
    sql = f"""
        SELECT (SELECT COUNT(*) FROM {Part._meta.db_table}),
               (SELECT MAX(id) FROM {Part._meta.db_table}),
               (SELECT COUNT(*) FROM {ApprovedSource._meta.db_table}),
               (SELECT MAX(id) FROM {ApprovedSource._meta.db_table}),
               (SELECT MAX(id) FROM {SourceChange._meta.db_table}),
               (SELECT MAX(updated_at) FROM {Supplier._meta.db_table})
    """
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(str(v) for v in cursor.fetchone())


def sourcing_risks(*, user, limit: int = 10) -> SourcingRisks:
    """Parts with fewer than two usable sources (active, at an approved supplier), and parts
    whose two or more usable sources all sit in one region: the first `limit` of each
    (critical parts first) and how many there are.

    One pass over every source, so the answer is kept in the cache until a part, source
    or supplier changes (or RISK_CACHE_SECONDS pass)."""
    if not _sees_all(user):
        return SourcingRisks([], 0, [], 0)
    key = (
        "portfolio:sourcing-risks:"
        + hashlib.sha1(repr((_sourcing_fingerprint(), limit, USABLE_STATUSES)).encode()).hexdigest()
    )
    return cache.get_or_set(key, lambda: _sourcing_risks(limit), RISK_CACHE_SECONDS)


def _sourcing_risks(limit: int) -> SourcingRisks:
    statuses = ", ".join(["%s"] * len(USABLE_STATUSES))
    sql = f"""
        WITH per_part AS (
            SELECT p.id, p.number, p.name, p.is_critical,
                   COUNT(s.id) AS usable_sources,
                   MIN(sup.region) AS region,
                   MAX(sup.region) AS last_region
            FROM {Part._meta.db_table} p
            LEFT JOIN ({ApprovedSource._meta.db_table} s
                       JOIN {Supplier._meta.db_table} sup
                         ON sup.id = s.supplier_id AND sup.status IN ({statuses}))
                   ON s.part_id = p.id AND s.is_active = %s
            GROUP BY p.id, p.number, p.name, p.is_critical
        ),
        risky AS (
            SELECT per_part.*,
                   CASE WHEN usable_sources < 2 THEN 'single'
                        WHEN region = last_region THEN 'one_region' END AS risk
            FROM per_part
        ),
        ranked AS (
            SELECT risky.*,
                   ROW_NUMBER() OVER (PARTITION BY risk ORDER BY is_critical DESC, number)
                       AS position
            FROM risky WHERE risk IS NOT NULL
        )
        SELECT id, number, name, is_critical, usable_sources, region, risk, position
        FROM ranked ORDER BY risk, position
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*USABLE_STATUSES, True])
        rows = cursor.fetchall()
    found: dict[str, list[RiskPart]] = {"single": [], "one_region": []}
    ids: dict[str, list[int]] = {"single": [], "one_region": []}
    for id_, number, name, critical, usable, region, risk, position in rows:
        ids[risk].append(id_)
        if position <= limit:
            found[risk].append(RiskPart(id_, number, name, bool(critical), usable, region or ""))
    return SourcingRisks(
        single_sourced=found["single"],
        single_sourced_total=len(ids["single"]),
        one_region=found["one_region"],
        one_region_total=len(ids["one_region"]),
        single_sourced_ids=tuple(ids["single"]),
        one_region_ids=tuple(ids["one_region"]),
    )


def _sees_all(user) -> bool:
    # Sourcing risks name every source of a part: internal roles only.
    return user_role(user) in INTERNAL_ROLES


def parts_single_sourced(*, user) -> QuerySet[Part]:
    """Parts with fewer than two usable sources (active, at an approved supplier)."""
    return (
        scope_for_user(Part.objects.all(), user)
        .annotate(usable_sources=Count("sources", filter=_usable_sources()))
        .filter(usable_sources__lt=2)
        .order_by("-is_critical", "number")
    )


def parts_one_region(*, user) -> QuerySet[Part]:
    """Parts with two or more usable sources that all sit in one region."""
    return (
        scope_for_user(Part.objects.all(), user)
        .annotate(
            usable_sources=Count("sources", filter=_usable_sources()),
            region=Min("sources__supplier__region", filter=_usable_sources()),
            last_region=Max("sources__supplier__region", filter=_usable_sources()),
        )
        .filter(usable_sources__gte=2, region=F("last_region"))
        .order_by("-is_critical", "number")
    )
