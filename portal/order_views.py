"""The supplier contact's order pages: open order lines, acknowledgements and ship notices
(docs/orders.md). Every queryset is scoped."""

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from accounts.access import contact_required
from core.forms import form_add_service_errors, form_status
from core.pagination import filtered_list_page, page_context
from portal.filters import OrderLineFilter
from portal.forms import (
    AcknowledgeForm,
    ShipNoticeForm,
    TransitEventForm,
)
from portal.selectors import (
    line_revisions,
    order_lines_shippable,
    order_lines_visible,
    receipts_visible,
    ship_notices_in_transit,
    ship_notices_visible,
)
from portal.services import (
    order_lines_acknowledge,
    ship_notice_post,
)
from purchasing.services import transit_event_record


@contact_required
def line_list(request):
    return filtered_list_page(
        request,
        "portal/line_list.html",
        filter_class=OrderLineFilter,
        rows=order_lines_visible(user=request.user),
        today=timezone.localdate(),
    )


def _acknowledged(request, form) -> dict | None:
    """The lines of a valid acknowledge form confirmed or re-dated (how many of each), or
    None with the service's objections shown on the form."""
    try:
        return order_lines_acknowledge(
            user=request.user, **{k: form.cleaned_data[k] for k in ("entries", "reason", "comment")}
        )
    except ValidationError as exc:
        form_add_service_errors(form, exc)
        return None


@contact_required
def acknowledge(request):
    """Confirm or change the dates of many lines at once (acknowledging lines, docs/orders.md)."""
    open_lines = order_lines_visible(user=request.user).filter(status="open")
    form = AcknowledgeForm(request.POST or None, lines=open_lines)
    if request.method == "POST" and form.is_valid():
        counts = _acknowledged(request, form)
        if counts is not None:
            flash.success(
                request,
                f"{counts['confirmed']} line(s) confirmed, {counts['revised']} revised"
                + (f", {counts['unchanged']} unchanged." if counts["unchanged"] else "."),
            )
            return redirect("portal:acknowledge")
    show = request.GET.get("show", "waiting")
    rows = open_lines if show == "all" else open_lines.filter(acknowledged_at__isnull=True)
    selected = {str(v) for v in form["lines"].value() or []} if form.is_bound else set()
    return render(
        request,
        "portal/acknowledge.html",
        {"form": form, **page_context(request, rows), "show": show, "selected": selected},
        status=form_status(form),
    )


@contact_required
def line_detail(request, pk: int):
    line = get_object_or_404(order_lines_visible(user=request.user), pk=pk)
    form = AcknowledgeForm(
        request.POST or None,
        lines=order_lines_visible(user=request.user).filter(pk=line.pk, status="open"),
    )
    if request.method == "POST" and form.is_valid() and _acknowledged(request, form) is not None:
        flash.success(request, f"Line {line} saved.")
        return redirect("portal:line_detail", pk=line.pk)
    return render(
        request,
        "portal/line_detail.html",
        {
            "line": line,
            "form": form,
            "revisions": line_revisions(user=request.user, line=line),
            "shipments": line.shipments.select_related("ship_notice"),
            "receipts": receipts_visible(user=request.user).filter(line=line),
        },
        status=form_status(form),
    )


@contact_required
def ship_notice_list(request):
    notices = ship_notices_visible(user=request.user)
    state = request.GET.get("state", "")
    if state == "transit":
        notices = ship_notices_in_transit(user=request.user)
    elif state == "delivered":
        notices = notices.filter(is_delivered=True)
    return render(
        request,
        "portal/ship_notice_list.html",
        {**page_context(request, notices), "state": state},
    )


@contact_required
def ship_notice_new(request):
    shippable = order_lines_shippable(user=request.user)
    form = ShipNoticeForm(request.POST or None, lines=shippable)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            notice = ship_notice_post(
                supplier=request.contact.supplier,
                number=data["number"],
                ship_date=data["ship_date"],
                eta=data["eta"],
                carrier=data["carrier"],
                tracking_number=data["tracking_number"],
                lines=data["lines"],
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            flash.success(request, f"Ship notice {notice.number} sent.")
            return redirect("portal:ship_notice_detail", pk=notice.pk)
    preselected = {str(v) for v in request.GET.getlist("line")}
    entered = {k.removeprefix("qty_"): v for k, v in request.POST.items() if k.startswith("qty_")}
    rows = []
    for line in shippable:
        left = line.quantity - line.shipped_quantity
        value = entered.get(str(line.pk), "")
        if not form.is_bound and str(line.pk) in preselected:
            value = f"{left.normalize():f}"
        rows.append({"line": line, "left": left, "value": value})
    return render(
        request,
        "portal/ship_notice_new.html",
        {"form": form, "rows": rows},
        status=form_status(form),
    )


@contact_required
def ship_notice_detail(request, pk: int):
    notice = get_object_or_404(ship_notices_visible(user=request.user), pk=pk)
    form = TransitEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            transit_event_record(ship_notice=notice, actor=request.user, **data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            flash.success(request, "Transit update saved.")
            return redirect("portal:ship_notice_detail", pk=notice.pk)
    return render(
        request,
        "portal/ship_notice_detail.html",
        {
            "notice": notice,
            "lines": notice.lines.select_related("line__purchase_order", "line__part"),
            "events": notice.events.order_by("-occurred_at"),
            "receipts": receipts_visible(user=request.user).filter(
                line__in=notice.lines.values("line")
            ),
            "form": form,
        },
        status=form_status(form),
    )
