"""Inventory pages: positions per part × site, one part at one site over time, and the
MQTT dead-letter list (docs/inventory.md). Internal pages: contacts find nothing (404)."""

import datetime as dt

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from accounts.access import internal_only
from accounts.selectors import scope_for_user
from core.pagination import page_of
from inventory.filters import InventoryPositionFilter, RejectFilter
from inventory.models import InventoryPosition
from inventory.selectors import (
    days_of_cover,
    inventory_positions,
    inventory_rejects,
    reading_age_hours,
    stale_hours,
)
from parts.models import Part, PartCategory
from purchasing.models import Receipt, ShipNoticeLine
from sites.models import Site
from workspace import charts

HISTORY_DAYS = 90
HISTORY_POINTS_MAX = 5000
MOVES_SHOWN = 50


def _decorate(positions, *, now: dt.datetime) -> None:
    for position in positions:
        position.days_of_cover = days_of_cover(position)
        position.age_hours = reading_age_hours(position, now=now)


@internal_only
def inventory_list(request):
    now = timezone.now()
    positions = scope_for_user(
        inventory_positions(now=now).order_by("part__number", "site__code"), request.user
    )
    filterset = InventoryPositionFilter(request.GET, queryset=positions, request=request)
    page = page_of(request, filterset.qs)
    _decorate(page.object_list, now=now)
    return render(
        request,
        "inventory/inventory_list.html",
        {
            "filter": filterset,
            "page": page,
            "sites": Site.objects.order_by("code"),
            "categories": PartCategory.objects.order_by("code").values_list("code", flat=True),
            "query": request.GET.urlencode(),
            "stale_hours": stale_hours(),
        },
    )


@internal_only
def stock_detail(request, site_code: str, part_number: str):
    now = timezone.now()
    site = get_object_or_404(scope_for_user(Site.objects.all(), request.user), code=site_code)
    part = get_object_or_404(scope_for_user(Part.objects.all(), request.user), number=part_number)
    position = (
        scope_for_user(inventory_positions(now=now), request.user)
        .filter(part=part, site=site)
        .first()
    )
    if position is not None:
        _decorate([position], now=now)
    history = list(
        InventoryPosition.objects.filter(
            part=part, site=site, read_at__gte=now - dt.timedelta(days=HISTORY_DAYS)
        )
        .order_by("-read_at", "-id")
        .values_list("read_at", "on_hand", "reorder_point", "safety_stock")[:HISTORY_POINTS_MAX]
    )[::-1]
    since = (now - dt.timedelta(days=HISTORY_DAYS)).date()
    receipts = scope_for_user(
        Receipt.objects.filter(
            line__part=part, line__purchase_order__site=site, receipt_date__gte=since
        ),
        request.user,
    ).select_related("line__purchase_order__supplier", "ship_notice")
    notices = scope_for_user(
        ShipNoticeLine.objects.filter(line__part=part, line__purchase_order__site=site).filter(
            Q(ship_notice__ship_date__gte=since) | Q(ship_notice__is_delivered=False)
        ),
        request.user,
    ).select_related("ship_notice__supplier", "line__purchase_order")
    figure = charts.stock_over_time(
        times=[row[0].isoformat() for row in history],
        on_hand=[row[1] for row in history],
        reorder_point=[row[2] for row in history],
        safety_stock=[row[3] for row in history],
        title=f"On hand at {site.code}, last {HISTORY_DAYS} days",
    )
    return render(
        request,
        "inventory/stock_detail.html",
        {
            "part": part,
            "site": site,
            "position": position,
            "chart": charts.to_json(figure),
            "receipts": receipts.order_by("-receipt_date", "-id")[:MOVES_SHOWN],
            "notices": notices.order_by("-ship_notice__ship_date", "-id")[:MOVES_SHOWN],
        },
    )


@internal_only
def reject_list(request):
    filterset = RejectFilter(
        request.GET, queryset=scope_for_user(inventory_rejects(), request.user), request=request
    )
    if filterset.form.is_bound and not filterset.is_valid():
        raise Http404("Bad filter.")
    return render(
        request,
        "inventory/reject_list.html",
        {"filter": filterset, "page": page_of(request, filterset.qs)},
    )


def part_sites(*, user, part, now=None) -> list:
    """The part's positions at every site it has stock readings for (the part page)."""
    now = now or timezone.now()
    rows = list(
        scope_for_user(inventory_positions(now=now), user).filter(part=part).order_by("site__code")
    )
    _decorate(rows, now=now)
    return rows
