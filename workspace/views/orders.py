"""Purchase-order list and purchase-order page."""

from django.db.models import Count, IntegerField, Min, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from accounts.access import internal_only, signed_in
from accounts.roles import user_is_internal
from accounts.selectors import scope_for_user
from core.pagination import page_of
from invoicing.selectors import purchase_order_billing
from purchasing.filters import PurchaseOrderFilter
from purchasing.models import PurchaseOrder, PurchaseOrderLine
from workspace.selectors import (
    purchase_order_line_totals,
    purchase_order_lines_detail,
    purchase_order_ship_notices,
)


def _per_order(queryset):
    """One value per order from its lines, as a subquery (no join multiplies the rows)."""
    return Subquery(
        queryset.filter(purchase_order_id=OuterRef("pk"))
        .order_by()
        .values("purchase_order_id")
        .annotate(value=Count("id"))
        .values("value"),
        output_field=IntegerField(),
    )


@internal_only
def order_list(request):
    today = timezone.localdate()
    lines = PurchaseOrderLine.objects.all()
    open_lines = lines.filter(status=PurchaseOrderLine.Status.OPEN)
    next_due = (
        open_lines.filter(purchase_order_id=OuterRef("pk"))
        .order_by()
        .values("purchase_order_id")
        .annotate(value=Min("expected_date"))
        .values("value")
    )
    orders = scope_for_user(PurchaseOrder.objects.all(), request.user)
    filterset = PurchaseOrderFilter(request.GET, queryset=orders, request=request)
    page = page_of(
        request, filterset.qs.order_by("-order_date", "-number").values_list("pk", flat=True)
    )
    # Line figures for the orders on this page only, so a deep page costs what the first does.
    shown = (
        PurchaseOrder.objects.filter(pk__in=list(page.object_list))
        .select_related("supplier")
        .annotate(
            lines_count=Coalesce(_per_order(lines), 0),
            open_lines_count=Coalesce(_per_order(open_lines), 0),
            overdue_lines_count=Coalesce(_per_order(open_lines.filter(expected_date__lt=today)), 0),
            next_expected=Subquery(next_due),
        )
        .in_bulk()
    )
    page.object_list = [shown[pk] for pk in page.object_list]
    return render(
        request,
        "workspace/orders/order_list.html",
        {"filter": filterset, "page": page, "today": today},
    )


@signed_in
def order_detail(request, number: str):
    order = get_object_or_404(
        scope_for_user(
            PurchaseOrder.objects.select_related("supplier", "created_by"), request.user
        ),
        number=number,
    )
    is_internal = user_is_internal(request.user)
    lines = purchase_order_lines_detail(order=order, is_internal=is_internal)
    notices = purchase_order_ship_notices(order=order)
    today = timezone.localdate()
    totals = purchase_order_line_totals(order=order, today=today)
    return render(
        request,
        "workspace/orders/order_detail.html",
        {
            "order": order,
            "lines": lines,
            "revisions": [(line, rev) for line in lines for rev in line.revisions.all()],
            "receipts": [(line, r) for line in lines for r in line.receipts.all()],
            "notices": notices,
            "billing": purchase_order_billing(purchase_order=order),
            "totals": totals,
            "flags": {
                "spot_buy": sum(line.is_spot_buy for line in lines),
                "over_delivered": sum(line.is_over_delivered for line in lines),
            },
            "today": today,
            "show_internal": is_internal,
        },
    )
